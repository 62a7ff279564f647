import { describe, expect, test } from 'vitest';
import type { Issue } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { brief, errorsOf, issuesOf, playbookFile } from '../../helpers/playbook-files.js';

/** The tasks of a playbook's first play, as [module, args]. */
function loaded(tasks: string, files: Record<string, string> = {}): Array<[string, unknown]> {
  const { playbook } = loadPlaybook(playbookFile(`- hosts: all\n  tasks:\n${tasks}`, files));
  return (playbook.plays[0]?.tasks ?? []).map((task) => [task.module, task.args]);
}

/** Its problems, as `line:col-endCol CODE message` (lines count from the playbook's first line). */
function problems(tasks: string, files: Record<string, string> = {}): string[] {
  return errorsOf(playbookFile(`- hosts: all\n  tasks:\n${tasks}`, files)).map(located);
}

const located = (issue: Issue) => brief(issue).replace(/^(\d+:\d+)/, `$1${issue.endCol === undefined ? '' : `-${issue.endCol}`}`);

function hints(tasks: string): Array<string | undefined> {
  return errorsOf(playbookFile(`- hosts: all\n  tasks:\n${tasks}`)).map((issue) => issue.hint);
}

describe("Ansible's module names", () => {
  test('aliases load as the runbook module, so the engine only ever sees runbook names', () => {
    expect(
      loaded(`    - ansible.builtin.copy: {dest: /etc/motd, content: hi}
    - ansible.legacy.debug: {msg: hi}
    - ansible.builtin.set_fact: {ready: true}
    - ansible.builtin.template: {src: motd.j2, dest: /etc/motd}
    - ansible.builtin.assert: {that: ready}
`),
    ).toEqual([
      ['copy', { dest: '/etc/motd', content: 'hi' }],
      ['debug', { msg: 'hi' }],
      ['set_fact', { ready: true }],
      ['template', { src: 'motd.j2', dest: '/etc/motd' }],
      ['assert', { that: 'ready' }],
    ]);
  });

  test('an alias counts as the module for "one module per task"', () => {
    expect(problems('    - copy: {dest: /x, content: a}\n      ansible.builtin.debug: {msg: a}\n')).toEqual([
      '4:7-28 RB_MULTIPLE_MODULES task has more than one module: copy, ansible.builtin.debug',
    ]);
  });

  test("Ansible's modules that runbook lacks are refused with what to use instead", () => {
    const tasks = `    - dnf5: {name: nginx}
    - ansible.builtin.raw: uptime
    - ansible.posix.synchronize: {src: a, dest: /b}
    - script: setup.sh
`;
    expect(problems(tasks)).toEqual([
      `3:7-11 RB_UNKNOWN_MODULE runbook does not implement Ansible's module "dnf5"`,
      `4:7-26 RB_UNKNOWN_MODULE runbook does not implement Ansible's module "ansible.builtin.raw"`,
      `5:7-32 RB_UNKNOWN_MODULE runbook does not implement Ansible's module "ansible.posix.synchronize"`,
      `6:7-13 RB_UNKNOWN_MODULE runbook does not implement Ansible's module "script"`,
    ]);
    const [dnf5, raw, synchronize, script] = hints(tasks);
    expect(dnf5).toMatch(/^runbook has "dnf": it runs dnf \(not dnf5\)/);
    expect(raw).toMatch(/^runbook has "shell": runbook needs no Python on the hosts/);
    expect(synchronize).toMatch(/^runbook has "copy": /);
    expect(script).toMatch(/^copy the script to the host/);
  });

  test('did-you-mean spans both naming schemes, and a task keyword is never called a module', () => {
    const tasks = `    - pakage: {name: nginx}
    - lineinfle: {path: /x, line: a}
    - ansible.builtin.copyy: {dest: /x, content: a}
    - debug: {msg: a}
      regster: out
`;
    expect(problems(tasks)).toEqual([
      '3:7-13 RB_UNKNOWN_MODULE unknown module "pakage"',
      '4:7-16 RB_UNKNOWN_MODULE unknown module "lineinfle"',
      '5:7-28 RB_UNKNOWN_MODULE unknown module "ansible.builtin.copyy"',
      '7:7-14 RB_UNKNOWN_MODULE unknown task keyword "regster"',
    ]);
    expect(hints(tasks)).toEqual([
      'did you mean "package"?',
      'did you mean "lineinfile"?',
      'did you mean "ansible.builtin.copy"?',
      'did you mean "register"?',
    ]);
  });

  test("Ansible's task keywords that runbook lacks are named as keywords; an include is an include, not a module", () => {
    const tasks = `    - debug: {msg: a}
      throttle: 2
    - debug: {msg: "{{ item }}"}
      with_inventory_hostnames: all
    - include_tasks: more.yml
`;
    expect(problems(tasks)).toEqual([
      `4:7-15 RB_UNSUPPORTED_KEYWORD runbook does not support Ansible's task keyword "throttle"`,
      `6:7-31 RB_UNSUPPORTED_KEYWORD runbook does not support Ansible's task keyword "with_inventory_hostnames"`,
      `7:22-30 RB_INCLUDE include_tasks: file not found: more.yml`,
    ]);
    expect(hints(tasks)).toEqual([
      expect.stringMatching(/^runbook's task keywords: name, when, loop, /),
      expect.stringMatching(/^runbook's task keywords: /),
      expect.stringMatching(/^searched .*\/more\.yml$/),
    ]);
  });
});

describe('key=value arguments', () => {
  test('values are converted as Ansible converts them: by the type the argument takes', () => {
    expect(
      loaded(`    - service: name=nginx state=started enabled=yes
    - package: name=nginx update_cache=True cache_valid_time=3600
    - copy: dest=/etc/motd content="hello world" mode=0644 force=no
    - debug: msg="{{ greeting }} world"
    - set_fact: ready=yes cacheable=on
`),
    ).toEqual([
      ['service', { name: 'nginx', state: 'started', enabled: true }],
      ['package', { name: 'nginx', update_cache: true, cache_valid_time: 3600 }],
      ['copy', { dest: '/etc/motd', content: 'hello world', mode: '0644', force: false }],
      ['debug', { msg: '{{ greeting }} world' }],
      // set_fact turns yes/no/true/false into booleans when it runs, for mappings too (see its fixtures).
      ['set_fact', { ready: 'yes', cacheable: true }],
    ]);
  });

  test('templates keep their spaces, and are left for the run to render and check', () => {
    expect(loaded(`    - copy: dest={{ base }}/x content="{{ 'a b' | upper }}" force={{ overwrite }}\n`)).toEqual([
      ['copy', { dest: '{{ base }}/x', content: "{{ 'a b' | upper }}", force: '{{ overwrite }}' }],
    ]);
  });

  test('problems point at the word inside the string', () => {
    expect(
      problems(`    - service: name=nginx state=strted enabled=maybe
    - debug: hello msg=hi
    - debug: "{{ debug_args }}"
    - copy: dest=/x content="unclosed
    - service: name=a name=b state=started
    - package: "name=nginx cache_valid_time=soon"
    - file: path=/x staet=directory
`),
    ).toEqual([
      '3:33-39 RB_SCHEMA expected one of "started", "stopped", "restarted", "reloaded", got string "strted"',
      '3:48-53 RB_SCHEMA expected boolean, got string "maybe"',
      '4:14-19 RB_ARGUMENTS "hello" is not a key=value argument',
      '5:15-31 RB_ARGUMENTS "{{ debug_args }}" is not a key=value argument',
      '6:21-38 RB_ARGUMENTS a " quote is not closed: the arguments cannot be split into key=value words',
      '7:23-27 RB_ARGUMENTS argument "name" is given twice',
      '8:45-49 RB_SCHEMA expected integer, got string "soon"',
      '9:21-26 RB_SCHEMA unknown argument "staet"',
    ]);
  });

  test('a bare word outside command and shell says where free text belongs', () => {
    expect(hints('    - debug: hello msg=hi\n    - debug: "{{ debug_args }}"\n')).toEqual([
      'debug takes key=value words or a mapping; only command and shell take a free-form command line',
      'Ansible would read the arguments from that template; runbook checks arguments before the run, so write them out as key=value words or a mapping',
    ]);
  });

  test("command and shell take their options out of the command line, as Ansible does", () => {
    expect(
      loaded(`    - command: make install chdir=/src creates=/usr/local/bin/tool
    - shell: echo "creates=x" > out stdin="some input"
    - command: ls -l
`),
    ).toEqual([
      ['command', { chdir: '/src', creates: '/usr/local/bin/tool', cmd: 'make install' }],
      ['shell', { stdin: 'some input', cmd: 'echo "creates=x" > out' }],
      ['command', { cmd: 'ls -l' }],
    ]);
  });

  test('an option command lacks is refused, not run as part of the command', () => {
    expect(problems('    - command: ls executable=/bin/bash\n')).toEqual(['3:19-29 RB_SCHEMA unknown argument "executable"']);
  });
});

describe('the args keyword', () => {
  test("merges under the module's own arguments, which win", () => {
    expect(
      loaded(`    - shell: make
      args: {chdir: /src, executable: /bin/bash}
    - command: ls chdir=/a
      args: {chdir: /b}
    - copy: {dest: /x, content: a}
      args: {content: b, mode: "0600"}
`),
    ).toEqual([
      ['shell', { chdir: '/src', executable: '/bin/bash', cmd: 'make' }],
      ['command', { chdir: '/a', cmd: 'ls' }],
      ['copy', { content: 'a', mode: '0600', dest: '/x' }],
    ]);
  });

  test('problems in args are positioned in args', () => {
    expect(problems('    - command: ls\n      args: {chdr: /x}\n')).toEqual(['4:14-18 RB_SCHEMA unknown argument "chdr"']);
  });

  test('must be a mapping', () => {
    expect(problems('    - command: ls\n      args: "{{ command_args }}"\n')).toEqual(['4:13-33 RB_SCHEMA expected mapping, got string "{{ command_args }}"']);
  });
});

describe('file modes written without quotes', () => {
  test('0644 is octal, as Ansible (YAML 1.1) reads it; key=value modes are strings already', () => {
    expect(
      loaded(`    - file: {path: /x, mode: 0644}
    - file: {path: /x, state: directory, mode: 01777}
    - nfs_export: {path: /srv, clients: "*", mode: 0711}
    - file: path=/x mode=644
    - file: {path: /y, mode: &private 0600}
    - file: {path: /z, mode: *private}
`),
    ).toEqual([
      ['file', { path: '/x', mode: '0644' }],
      ['file', { path: '/x', state: 'directory', mode: '1777' }],
      ['nfs_export', { path: '/srv', clients: '*', mode: '0711' }],
      // A string is octal to Ansible too ('644' is 0644).
      ['file', { path: '/x', mode: '644' }],
      ['file', { path: '/y', mode: '0600' }],
      ['file', { path: '/z', mode: '0600' }],
    ]);
  });

  test('644 is refused with the exact fix: Ansible would read it as decimal', () => {
    const tasks = `    - file: {path: /x, mode: 644}
    - copy: {dest: /x, content: a}
      args: {mode: 493}
`;
    expect(problems(tasks)).toEqual([
      '3:30-33 RB_ARGUMENTS mode: 644 is the decimal number 644, which Ansible would apply as mode 01204',
      '5:20-23 RB_ARGUMENTS mode: 493 is the decimal number 493, which Ansible would apply as mode 0755',
    ]);
    expect(hints(tasks)).toEqual(['write the octal mode as a string: mode: "0644"', 'write the octal mode as a string: mode: "0755"']);
  });
});

describe('local files of copy and template', () => {
  test('a relative src is searched at run time as Ansible does (files/, templates/ first), so none is refused', () => {
    const files = { 'files/app.conf': 'a', 'app.conf': 'b', 'templates/site.j2': 'c' };
    expect(
      loaded(
        `    - copy: {src: app.conf, dest: /x}
    - template: src=site.j2 dest=/y
    - copy: {src: ~/app.conf, dest: /x}
`,
        files,
      ),
    ).toEqual([
      ['copy', { src: 'app.conf', dest: '/x' }],
      ['template', { src: 'site.j2', dest: '/y' }],
      ['copy', { src: '~/app.conf', dest: '/x' }],
    ]);
  });

});
