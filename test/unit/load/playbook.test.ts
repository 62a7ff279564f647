import { dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadInventory, localInventory } from '../../../src/load/inventory.js';
import type { Task } from '../../../src/load/model.js';
import { loadPlaybook, type LoadPlaybookOptions } from '../../../src/load/playbook.js';
import { brief, errorsOf, issuesOf as issuesWith, playbookFile } from '../../helpers/playbook-files.js';

const fixtures = 'test/fixtures/load';
const inventory = loadInventory(`${fixtures}/inventory-yaml/hosts.yml`);

const issuesOf = (path: string, options: LoadPlaybookOptions = { inventory }) => issuesWith(path, options);

test('five different mistakes, all reported in one run with exact positions', () => {
  const file = `${fixtures}/five-mistakes.yml`;
  expect(issuesOf(file, { inventory: loadInventory(`${fixtures}/inventory.yml`) })).toEqual([
    {
      file,
      line: 7,
      col: 7,
      endLine: 7,
      endCol: 13,
      code: 'RB_UNKNOWN_MODULE',
      message: 'unknown module "pakage"',
      hint: 'did you mean "package"?',
      severity: 'error',
    },
    {
      file,
      line: 12,
      col: 36,
      endLine: 12,
      endCol: 46,
      code: 'RB_UNDEFINED_VARIABLE',
      message: 'undefined variable "nfs_client"',
      hint: 'define it in vars, vars_files, the inventory, or with -e name=value',
      severity: 'error',
    },
    {
      file,
      line: 13,
      col: 15,
      endLine: 13,
      endCol: 29,
      code: 'RB_UNKNOWN_HANDLER',
      message: 'no handler named "reload exports" in this play',
      hint: 'did you mean "reload nfs exports"?',
      severity: 'error',
    },
    {
      file,
      line: 17,
      col: 18,
      endLine: 17,
      endCol: 19,
      code: 'RB_SCHEMA',
      message: 'expected boolean, got integer 7',
      severity: 'error',
    },
    {
      file,
      line: 21,
      col: 9,
      endLine: 21,
      endCol: 12,
      code: 'RB_YAML_DUPLICATE_KEY',
      message: 'duplicate key "msg"',
      hint: 'a key may appear once per mapping; the later value would silently win',
      severity: 'error',
    },
  ]);
});

/** The play keywords valid.yml does not write. */
const PLAY_KEYWORD_DEFAULTS = { becomeMethod: { method: 'sudo' }, remoteUser: undefined, serial: [], anyErrorsFatal: false, maxFailPercentage: undefined, ignoreUnreachable: false, environment: [], checkMode: undefined, diff: undefined };

describe('a valid playbook', () => {
  const file = `${fixtures}/valid.yml`;
  const at = (line: number) => ({ file, line, col: 7 });
  const task = (fields: Partial<Task> & Pick<Task, 'id' | 'name' | 'module' | 'args' | 'position'>): Task => ({
    when: [],
    loop: undefined,
    loopWith: undefined,
    loopVar: 'item',
    loopControl: { label: undefined, indexVar: undefined, pause: 0, extended: false, extendedAllitems: true },
    register: undefined,
    notify: [],
    listen: [],
    tags: [],
    become: undefined,
    becomeUser: undefined,
    becomeMethod: {},
    remoteUser: undefined,
    ignoreErrors: false,
    ignoreUnreachable: undefined,
    delegateTo: undefined,
    delegateFacts: false,
    runOnce: false,
    environment: [],
    checkMode: undefined,
    diff: undefined,
    anyErrorsFatal: undefined,
    changedWhen: undefined,
    failedWhen: undefined,
    until: undefined,
    retries: 0,
    delayS: 5,
    noLog: false,
    vars: {},
    grade: { step: fields.name, weight: undefined, message: undefined, hint: undefined },
    role: undefined,
    includeParams: {},
    ...fields,
  });

  test('loads into the exact model', () => {
    const { playbook, warnings } = loadPlaybook(file, { inventory });
    expect(warnings).toEqual([]);
    // What runs, section by section (pre_tasks, roles and tasks, post_tasks): here each task in turn.
    expect(playbook.plays.map((play) => play.sections.map((section) => section.map((step) => (step.kind === 'task' ? step.task : step))))).toStrictEqual(
      playbook.plays.map((play) => [[], play.tasks, []]),
    );
    expect(playbook).toStrictEqual({
      file,
      plays: [
        {
          index: 0,
          name: 'Web servers',
          hosts: 'web:&prod',
          // vars_files override the play's vars
          vars: { http_port: 9090, common_setting: 1, packages: ['curl', 'git'] },
          become: true,
          becomeUser: 'root',
          connection: undefined,
          gatherFacts: true,
          ...PLAY_KEYWORD_DEFAULTS,
          tags: ['web'],
          tasks: [
            task({
              id: 'p0.t0',
              name: 'Install nginx',
              module: 'package',
              args: { name: 'nginx', state: 'present' },
              notify: ['restart nginx'],
              tags: ['packages', 'web'],
              position: at(11),
            }),
            task({
              id: 'p0.t1',
              name: 'command',
              module: 'command',
              args: { cmd: 'ls -l /etc' },
              register: 'listing',
              changedWhen: ['false'],
              position: at(17),
            }),
            task({
              id: 'p0.t2',
              name: 'Show the count',
              module: 'debug',
              args: { msg: '{{ listing.stdout_lines | length }} entries, port {{ http_port }}' },
              when: ['listing.rc == 0', 'common_setting is defined'],
              position: at(20),
            }),
            task({
              id: 'p0.t3',
              name: 'Each package',
              module: 'debug',
              args: { msg: '{{ pkg }}' },
              loop: '{{ packages }}',
              loopVar: 'pkg',
              become: false,
              becomeUser: 'nobody',
              ignoreErrors: true,
              noLog: true,
              vars: { local_only: 1 },
              position: at(26),
            }),
            task({
              id: 'p0.t4',
              name: 'Wait until ready',
              module: 'shell',
              args: { cmd: 'test -e /tmp/ready' },
              register: 'ready',
              until: ['ready.rc == 0'],
              retries: 5,
              delayS: 2,
              position: at(38),
            }),
          ],
          sections: expect.any(Array),
          handlers: [
            task({
              id: 'p0.h0',
              name: 'restart nginx',
              module: 'service',
              args: { name: 'nginx', state: 'restarted' },
              listen: ['web restart'],
              position: at(45),
            }),
          ],
          roleDefaults: {},
          roleVars: {},
          position: { file, line: 2, col: 3 },
        },
        {
          index: 1,
          name: 'db01',
          hosts: 'db01',
          vars: {},
          become: false,
          becomeUser: 'root',
          connection: 'local',
          gatherFacts: false,
          ...PLAY_KEYWORD_DEFAULTS,
          tags: [],
          tasks: [task({ id: 'p1.t0', name: 'set_fact', module: 'set_fact', args: { is_ready: true }, position: at(54) })],
          sections: expect.any(Array),
          handlers: [],
          roleDefaults: {},
          roleVars: {},
          position: { file, line: 50, col: 3 },
        },
      ],
    });
  });

  test('loads without an inventory too (host and variable checks need one)', () => {
    expect(loadPlaybook(file, {}).playbook.plays).toHaveLength(2);
  });
});

describe('rules', () => {
  test('a task needs exactly one module; keyword typos and handler-only keywords are named', () => {
    const path = playbookFile(`- hosts: all
  tasks:
    - name: nothing to do
      register: out
    - name: two modules
      debug: {msg: a}
      command: ls
    - name: typo
      debug: {msg: a}
      registr: out
    - name: listen in a task
      debug: {msg: a}
      listen: topic
`);
    const issues = issuesOf(path);
    expect(issues.map(brief)).toEqual([
      '3:7 RB_NO_MODULE task has no module',
      '7:7 RB_MULTIPLE_MODULES task has more than one module: debug, command',
      '10:7 RB_UNKNOWN_MODULE unknown task keyword "registr"',
      '13:7 RB_SCHEMA "listen" is only valid in handlers',
    ]);
    expect(issues[2]?.hint).toBe('did you mean "register"?');
  });

  test('module arguments are checked against the module schema, positioned inside the arguments', () => {
    const path = playbookFile(`- hosts: all
  tasks:
    - debug:
        mgs: hello
    - command: ""
`);
    const issues = issuesOf(path);
    expect(issues.map(brief)).toEqual(['4:9 RB_SCHEMA unknown argument "mgs"', '5:16 RB_SCHEMA must not be empty']);
    expect(issues[0]?.hint).toBe('did you mean "msg"?');
  });

  test('templated module arguments are left for the run to check', () => {
    const path = playbookFile(`- hosts: all
  vars: {flag: true}
  tasks:
    - service: {name: nginx, enabled: "{{ flag }}"}
`);
    expect(loadPlaybook(path, { inventory }).playbook.plays[0]?.tasks[0]?.args).toEqual({ name: 'nginx', enabled: '{{ flag }}' });
  });

  test('notify may name a handler or a listen topic; a list is checked item by item', () => {
    const path = playbookFile(`- hosts: all
  tasks:
    - debug: {msg: a}
      notify: [restart web, web changed, restart wbe]
  handlers:
    - name: restart web
      debug: {msg: b}
      listen: web changed
`);
    const issues = issuesOf(path);
    expect(issues.map(brief)).toEqual(['4:42 RB_UNKNOWN_HANDLER no handler named "restart wbe" in this play']);
    expect(issues[0]?.hint).toBe('did you mean "restart web"?');
  });

  test('a hosts pattern matching nothing is an error with an inventory, a warning without one', () => {
    const path = playbookFile(`- hosts: wbe
  tasks:
    - debug: {msg: a}
`);
    const issues = issuesOf(path);
    expect(issues.map(brief)).toEqual([`1:10 RB_HOSTS_NO_MATCH hosts pattern "wbe" matches no host in ${fixtures}/inventory-yaml/hosts.yml`]);
    expect(issues[0]?.hint).toBe('"wbe" is not a group or host; did you mean "web"?');
    const { warnings } = loadPlaybook(path, { inventory: localInventory() });
    expect(warnings.map(brief)).toEqual([
      '1:10 RB_HOSTS_NO_MATCH hosts pattern "wbe" matches no host: without an inventory only localhost exists',
    ]);
    expect(warnings[0]?.hint).toBe('pass the inventory with -i');
  });

  test('template syntax in values and in conditions, unknown filters included', () => {
    const path = playbookFile(`- hosts: all
  tasks:
    - debug:
        msg: "{{ a b }}"
    - debug:
        msg: "{{ x | regex_repalce('a', 'b') }}"
      when: x ==
`);
    expect(errorsOf(path).map(brief)).toEqual([
      '4:14 RB_TEMPLATE_SYNTAX template syntax error: something follows the expression where `}}` should be (an operator or a `|` missing?)',
      '6:14 RB_TEMPLATE_SYNTAX unknown filter "regex_repalce"; did you mean "regex_replace"?',
      '7:13 RB_TEMPLATE_SYNTAX template syntax error: the end of the expression comes where a value is expected (a value missing before it?)',
    ]);
  });

  test('a condition written as a template is a warning', () => {
    const path = playbookFile(`- hosts: all
  vars: {ready: true}
  tasks:
    - debug: {msg: a}
      when: "{{ ready }}"
`);
    expect(loadPlaybook(path, { inventory }).warnings.map(brief)).toEqual([
      '5:13 RB_CONDITION_TEMPLATE when is a bare expression; it should not contain {{ }}',
    ]);
  });

  test('variables may come from anywhere a run defines them', () => {
    const path = playbookFile(
      `- hosts: all
  vars: {play_var: 1}
  vars_files: [extra.yml]
  tasks:
    - set_fact: {fact_var: 2}
    - command: echo {{ play_var }} {{ file_var }} {{ fact_var }} {{ level }} {{ cli_var }}
      register: out
      changed_when: result.rc != 0
    - debug: {msg: "{{ out.stdout }} {{ item }} {{ inventory_hostname }} {{ ansible_os_family }} {{ task_var }}"}
      loop: [1]
      vars: {task_var: 3}
    - debug: {msg: "{{ each }} {{ maybe | default('') }} {{ groups['web'] }}"}
      loop: [1]
      loop_control: {loop_var: each}
      when: perhaps is defined
    - debug: {msg: "{{ perhaps }}"}
`,
      { 'extra.yml': 'file_var: 1\n' },
    );
    expect(loadPlaybook(path, { inventory, extraVars: { cli_var: 1 } }).warnings).toEqual([]);
  });

  test('undefined variables are only warnings without an inventory file, which may define them, with the close match', () => {
    const path = playbookFile(`- hosts: localhost
  vars: {lab_network: 10.0.0.0/24}
  tasks:
    - debug: {msg: "{{ lab_subnet }}"}
`);
    const { warnings } = loadPlaybook(path, { inventory: localInventory() });
    expect(warnings.map(brief)).toEqual(['4:24 RB_UNDEFINED_VARIABLE undefined variable "lab_subnet" (unless the inventory defines it)']);
    expect(warnings[0]!.hint).toBe('did you mean "lab_network"?');
  });

  test('a missing or templated vars file is reported at its entry', () => {
    const path = playbookFile(`- hosts: all
  vars_files:
    - missing.yml
    - "{{ env }}.yml"
  tasks: []
`);
    expect(issuesOf(path).map(brief)).toEqual([
      `3:7 RB_VARS_FILE vars file not found: ${join(path, '..', 'missing.yml')}`,
      '4:7 RB_VARS_FILE vars_files paths cannot contain templates',
    ]);
  });

  test('problems in a vars file are reported in that file', () => {
    const path = playbookFile(`- hosts: all\n  vars_files: [bad.yml]\n`, { 'bad.yml': 'a: 1\na: 2\n' });
    const issues = issuesOf(path);
    expect(issues.map((issue) => `${issue.file}:${brief(issue)}`)).toEqual([`${join(path, '..', 'bad.yml')}:2:1 RB_YAML_DUPLICATE_KEY duplicate key "a"`]);
  });

  test('a YAML syntax error stops before the schema, since the data cannot be trusted', () => {
    const path = playbookFile(`- hosts: all
  tasks:
    - debug: {msg: [1}
`);
    const issues = issuesOf(path);
    expect(issues.every((issue) => issue.code === 'RB_YAML_SYNTAX')).toBe(true);
    expect(issues[0]).toMatchObject({ line: 3, severity: 'error' });
  });

  test('schema problems of the playbook itself are positioned at the key or value', () => {
    const path = playbookFile(`- hosts: all
  gather_fact: false
  become: maybe
  tasks:
    - debug: {msg: a}
      retries: -1
`);
    expect(issuesOf(path).map(brief)).toEqual([
      '2:3 RB_SCHEMA unknown key "gather_fact"',
      // A string is a template or one of Ansible's boolean words.
      '3:11 RB_SCHEMA invalid value "maybe": must match \\{\\{|\\{%|^(yes|no|true|false|on|off|y|n|t|f|1|0|Yes|No|True|False|YES|NO|On|Off|ON|OFF)$',
      '6:16 RB_SCHEMA expected a number >= 0, got integer -1',
    ]);
  });

  test('an unreadable playbook is a usage error', () => {
    expect(() => loadPlaybook(join(dirname(playbookFile('')), 'absent.yml'))).toThrow(/cannot read .*absent\.yml: ENOENT/);
  });
});

test('an undefined variable gets a did-you-mean from the names that are defined', () => {
  const path = playbookFile(`- hosts: all
  vars: {export_dir: /srv}
  tasks:
    - debug: {msg: "dir={{ exprot_dir }}"}
    - debug: {msg: "{{ item }}"}
      when: exprot_dir != ''
`);
  const issues = issuesOf(path);
  expect(issues.map(brief)).toEqual(['4:28 RB_UNDEFINED_VARIABLE undefined variable "exprot_dir"', '6:13 RB_UNDEFINED_VARIABLE undefined variable "exprot_dir"']);
  expect(issues.map((issue) => issue.hint)).toEqual(['did you mean "export_dir"?', 'did you mean "export_dir"?']);
});
