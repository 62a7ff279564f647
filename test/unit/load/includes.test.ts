import { basename } from 'node:path';
import { expect, test } from 'vitest';
import type { Issue } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { brief, errorsOf, playbookFile } from '../../helpers/playbook-files.js';

const where = (issue: Issue) => `${basename(issue.file)}:${brief(issue)}`;
const play = (tasks: string) => `- hosts: all\n  tasks:\n${tasks}`;

test('problems in imported and statically included files are reported before the run, at their place in those files', () => {
  const path = playbookFile(
    play(`    - import_tasks: tasks/broken.yml
    - include_tasks: tasks/more.yml
`),
    {
      'tasks/broken.yml': '- name: broken\n  copy: { dest: /tmp/x, contents: oops }\n',
      'tasks/more.yml': '- name: typo\n  debgu: { msg: hi }\n',
    },
  );
  // Grouped by file, each file's in reading order.
  expect(errorsOf(path).map(where)).toEqual([
    'more.yml:2:3 RB_UNKNOWN_MODULE unknown module "debgu"',
    'broken.yml:2:9 RB_SCHEMA missing required argument "src"',
    'broken.yml:2:25 RB_SCHEMA unknown argument "contents"',
  ]);
});

test('a missing file, keywords Ansible refuses on includes, loops on imports, and a file including itself are refused', () => {
  const path = playbookFile(
    play(`    - include_tasks: tasks/absent.yml
    - include_tasks: tasks/ok.yml
      become: true
    - import_tasks: tasks/ok.yml
      loop: [1, 2]
    - import_tasks: tasks/self.yml
    - import_tasks: "{{ file }}"
`),
    { 'tasks/ok.yml': '- debug: { msg: ok }\n', 'tasks/self.yml': '- import_tasks: self.yml\n' },
  );
  expect(errorsOf(path).map(where)).toEqual([
    'playbook.yml:3:22 RB_INCLUDE include_tasks: file not found: tasks/absent.yml',
    'playbook.yml:5:7 RB_INCLUDE "become" is not a valid attribute for include_tasks',
    "playbook.yml:7:7 RB_INCLUDE You cannot use loops on 'import_tasks' statements. You should use 'include_tasks' instead.",
    'playbook.yml:9:21 RB_INCLUDE import_tasks is read before the run: its file cannot be a template',
    expect.stringMatching(/^self\.yml:1:17 RB_INCLUDE .*self\.yml includes itself/),
  ]);
});

test("include_tasks' arguments: file, free-form or file=, apply; unknown ones refused", () => {
  const files = { 'more.yml': '- debug: { msg: more }\n' };
  const loaded = loadPlaybook(
    playbookFile(
      play(`    - include_tasks: more.yml
    - include_tasks: file=more.yml
    - ansible.builtin.include_tasks: { file: more.yml, apply: { tags: [x] } }
`),
      files,
    ),
  );
  const sections = loaded.playbook.plays[0]!.sections[1]!;
  expect(sections.map((step) => (step.kind === 'include' ? step.target : step.kind))).toEqual(['more.yml', 'more.yml', 'more.yml']);
  const applied = sections[2]!.kind === 'include' ? sections[2]!.steps?.[0] : undefined;
  expect(applied?.kind === 'task' ? applied.task.tags : undefined).toEqual(['x']);
  expect(errorsOf(playbookFile(play('    - include_tasks: { file: more.yml, files: x }\n'), files)).map(where)).toEqual([
    'playbook.yml:3:40 RB_SCHEMA unknown key "files"',
  ]);
});

test("a block's keywords are checked: Ansible's task-only keywords are refused on it", () => {
  const path = playbookFile(
    play(`    - block:
        - debug: { msg: hi }
      loop: [1]
      register: out
      become: true
`),
  );
  expect(errorsOf(path).map(where)).toEqual([
    'playbook.yml:5:7 RB_SCHEMA "loop" is not a valid attribute for a block',
    'playbook.yml:6:7 RB_SCHEMA "register" is not a valid attribute for a block',
  ]);
});

test('import_playbook: the plays of another playbook in its place, with positions in that file, and its vars and tags', () => {
  const path = playbookFile(
    `- import_playbook: more/other.yml
  vars: { color: blue }
  tags: [imported]
- hosts: all
  tasks:
    - debug: { msg: last }
`,
    { 'more/other.yml': '- hosts: all\n  vars: { color: red, size: 1 }\n  tasks:\n    - debug: { msg: "{{ color }}" }\n' },
  );
  const { playbook } = loadPlaybook(path);
  expect(playbook.plays.map((each) => [each.index, each.vars, each.tags])).toEqual([
    [0, { color: 'blue', size: 1 }, ['imported']],
    [1, {}, []],
  ]);
  expect(playbook.plays[0]!.tasks[0]!.position).toMatchObject({ file: expect.stringMatching(/more\/other\.yml$/), line: 4 });
  const broken = playbookFile('- import_playbook: other.yml\n', { 'other.yml': '- hosts: all\n  tasks:\n    - debgu: {}\n' });
  expect(errorsOf(broken).map(where)).toEqual(['other.yml:3:7 RB_UNKNOWN_MODULE unknown module "debgu"']);
});
