import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../helpers/cli.js';
import { HOSTILE_VALUES } from '../../unit/shell/hostile-values.js';

// A hostile host: the output it registers holds shell metacharacters, quotes, newlines, escapes and
// long values. Read on another host through hostvars, into a command's environment and into a file's
// content, nothing of it is executed and the bytes arrive exact (as Ansible's command module gives
// stdout: without its trailing newlines).

const VALUES = [...HOSTILE_VALUES.filter((value) => !value.includes('\0')), `long ${'$(touch pwned); '.repeat(3_000)}end`];
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-hostile-hostvars-'));
  mkdirSync(join(work, 'values'));
  mkdirSync(join(work, 'argv'));
  mkdirSync(join(work, 'content'));
  VALUES.forEach((value, index) => writeFileSync(join(work, 'values', String(index)), value));
  writeFileSync(join(work, 'inventory.yml'), 'all:\n  vars:\n    ansible_connection: local\n  hosts:\n    hostile: {}\n    victim: {}\n');
  writeFileSync(
    join(work, 'playbook.yml'),
    `- hosts: hostile
  gather_facts: false
  tasks:
    - name: registered output
      command: cat ${work}/values/{{ item }}
      loop: "{{ range(${VALUES.length}) | list }}"
      register: said
- hosts: victim
  gather_facts: false
  tasks:
    # command's arguments go through Python's expandvars and expanduser, as in Ansible: the
    # environment carries the value unchanged.
    - name: into a command's environment
      shell: printf %s "$HOSTILE" > ${work}/argv/{{ item }}
      environment: { HOSTILE: "{{ hostvars['hostile'].said.results[item].stdout }}" }
      loop: "{{ range(${VALUES.length}) | list }}"
    - name: into a file
      copy: { dest: "${work}/content/{{ item }}", content: "{{ hostvars['hostile'].said.results[item].stdout }}" }
      loop: "{{ range(${VALUES.length}) | list }}"
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('hostile registered output read through hostvars', () => {
  it('reaches another host\'s command and file byte for byte, and runs nothing', async () => {
    const run = await runCli(['apply', join(work, 'playbook.yml'), '-i', join(work, 'inventory.yml')], { cwd: work });
    expect(run.code, run.stdout.slice(-3000) + run.stderr).toBe(EXIT.ok);
    VALUES.forEach((value, index) => {
      const expected = value.replace(/[\r\n]+$/, '');
      const label = JSON.stringify(value).slice(0, 60);
      expect(readFileSync(join(work, 'argv', String(index)), 'utf8'), label).toBe(expected);
      expect(readFileSync(join(work, 'content', String(index)), 'utf8'), label).toBe(expected);
    });
    // `$(touch pwned)` would have made this file in the working directory.
    expect(() => readFileSync(join(work, 'pwned'))).toThrow();
  });
});
