import { basename, dirname, join } from 'node:path';
import { afterEach, expect, test, vi } from 'vitest';
import type { Issue } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { brief, errorsOf, playbookFile } from '../../helpers/playbook-files.js';

// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_reuse_roles.html

afterEach(() => vi.unstubAllEnvs());
const where = (issue: Issue) => `${basename(issue.file)}:${brief(issue)}`;

const ROLE = { 'roles/app/tasks/main.yml': '- name: app task\n  debug: { msg: "{{ app_port }}" }\n', 'roles/app/defaults/main.yml': 'app_port: 80\n' };

test("roles are found in the playbook's roles/, then roles_path (the rolesPath option, else ANSIBLE_ROLES_PATH), then beside the playbook", () => {
  const path = playbookFile('- hosts: all\n  roles: [app, extra]\n', { ...ROLE, 'extra/tasks/main.yml': '- debug: { msg: extra }\n' });
  const { playbook } = loadPlaybook(path);
  expect(playbook.plays[0]!.tasks.map((task) => [task.name, task.role?.name, task.role?.dir])).toEqual([
    ['app task', 'app', join(dirname(path), 'roles/app')],
    ['debug', 'extra', join(dirname(path), 'extra')],
  ]);
  expect(playbook.plays[0]!.roleDefaults).toEqual({ app_port: 80 });
  const elsewhere = dirname(playbookFile('', { 'shared/other/tasks/main.yml': '- debug: { msg: other }\n' }));
  const viaOption = playbookFile('- hosts: all\n  roles: [other]\n');
  expect(loadPlaybook(viaOption, { rolesPath: [join(elsewhere, 'shared')] }).playbook.plays[0]!.tasks[0]!.role?.name).toBe('other');
  vi.stubEnv('ANSIBLE_ROLES_PATH', join(elsewhere, 'shared'));
  expect(loadPlaybook(viaOption).playbook.plays[0]!.tasks[0]!.role?.name).toBe('other');
});

test('a role not found is refused with the places searched, as Ansible words it; a collection role too', () => {
  vi.stubEnv('ANSIBLE_ROLES_PATH', '/nonexistent/roles');
  vi.stubEnv('ANSIBLE_COLLECTIONS_PATH', '/nonexistent/collections');
  const path = playbookFile('- hosts: all\n  roles:\n    - missing\n    - role: acme.tools.missing\n');
  const dir = dirname(path);
  expect(errorsOf(path).map(where)).toEqual([
    `playbook.yml:3:7 RB_ROLE the role 'missing' was not found in ${dir}/roles:/nonexistent/roles:${dir}`,
    `playbook.yml:4:13 RB_ROLE the role 'acme.tools.missing' was not found in ${dir}/collections:/nonexistent/collections`,
  ]);
});

test("a role entry's other keys are role parameters, its keywords are inherited; Ansible's keywords runbook lacks are refused", () => {
  const path = playbookFile('- hosts: all\n  roles:\n    - { role: app, app_port: 8080, when: ready, tags: [app], become: true }\n', ROLE);
  const task = loadPlaybook(path).playbook.plays[0]!.tasks[0]!;
  expect([task.role?.params, task.when, task.tags, task.become]).toEqual([{ app_port: 8080 }, ['ready'], ['app'], true]);
  const refused = playbookFile('- hosts: all\n  roles:\n    - { role: app, port: 8080 }\n', ROLE);
  expect(errorsOf(refused).map(where)).toEqual(['playbook.yml:3:20 RB_SCHEMA "port" is not a valid attribute for a role in runbook']);
});

test('tasks_from, a dependency on itself, and include_role with a templated name or public: true', () => {
  const path = playbookFile(
    `- hosts: all
  tasks:
    - import_role: { name: app, tasks_from: absent }
    - import_role: { name: loop }
    - include_role: { name: "{{ which }}" }
    - include_role: { name: app, public: true }
`,
    { ...ROLE, 'roles/loop/meta/main.yml': 'dependencies: [loop]\n', 'roles/loop/tasks/main.yml': '- debug: { msg: loop }\n' },
  );
  expect(errorsOf(path).map(where)).toEqual([
    'playbook.yml:3:28 RB_ROLE Could not find specified file in role: tasks/absent',
    "playbook.yml:5:29 RB_INCLUDE include_role: runbook loads roles before the run, so the role's name cannot be a template",
    'playbook.yml:6:42 RB_INCLUDE include_role with public: true is not supported',
    expect.stringMatching(/^main\.yml:1:16 RB_ROLE the role 'loop' depends on itself/),
  ]);
});

test("a role listed twice with the same parameters runs once, unless its meta/main.yml allows duplicates; import_role always runs", () => {
  const tasks = (files: Record<string, string>, text: string) => loadPlaybook(playbookFile(text, { ...ROLE, ...files })).playbook.plays[0]!.tasks.map((task) => task.name);
  expect(tasks({}, '- hosts: all\n  roles: [app, app, { role: app, app_port: 1 }]\n')).toEqual(['app task', 'app task']);
  expect(tasks({ 'roles/app/meta/main.yml': 'allow_duplicates: true\n' }, '- hosts: all\n  roles: [app, app]\n')).toEqual(['app task', 'app task']);
  expect(tasks({}, '- hosts: all\n  roles: [app]\n  tasks:\n    - import_role: { name: app }\n')).toEqual(['app task', 'app task']);
});
