import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

// Probe results are read ahead of the tasks that use them. These runs prove they are never stale:
// two hosts on a local connection share one filesystem, as hosts sharing storage do.

let work: string;
let inventory: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-probe-reads-'));
  inventory = join(work, 'inventory.yml');
  writeFileSync(
    inventory,
    `all:
  vars:
    ansible_connection: local
    shared: ${work}
  hosts:
    first: {}
    second: {}
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function playbook(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}

describe('probe results read ahead', () => {
  it('a change one host makes is seen by the next task on another host', async () => {
    const path = playbook(
      'shared.yml',
      `- hosts: all
  tasks:
    - name: the first host writes to the shared directory
      command: touch {{ shared }}/marker
      when: inventory_hostname == 'first'
    - name: the second host finds it there
      command: { cmd: "touch {{ shared }}/second-ran", creates: "{{ shared }}/marker" }
      when: inventory_hostname == 'second'
`,
    );
    const run = await runCli(['apply', path, '-i', inventory]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/creates \S*marker exists/);
    expect(existsSync(join(work, 'second-ran'))).toBe(false);
  });

  it('each until attempt reads the host again', async () => {
    const path = playbook(
      'until.yml',
      `- hosts: first
  tasks:
    - name: a file appears a moment later
      shell: (sleep 1; touch {{ shared }}/later) >/dev/null 2>&1 &
    - name: wait for it
      file: { path: "{{ shared }}/later", state: file }
      register: waited
      until: waited is succeeded
      retries: 10
      delay: 1
`,
    );
    const run = await runCli(['apply', path, '-i', inventory]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(existsSync(join(work, 'later'))).toBe(true);
  });

  it('tasks that read the same file read it once', async () => {
    // A stat on PATH that logs its arguments: the local connection's shell finds it first.
    const bin = join(work, 'bin');
    const log = join(work, 'stat.log');
    mkdirSync(bin);
    writeFileSync(join(bin, 'stat'), `#!/bin/sh\nprintf '%s\\n' "$*" >> ${log}\nexec /usr/bin/stat "$@"\n`);
    chmodSync(join(bin, 'stat'), 0o755);
    const path = playbook(
      'same-file.yml',
      `- hosts: first
  tasks:
    - name: port
      line: { path: "{{ shared }}/settings.conf", regexp: "^port=", line: port=8080, create: true }
    - name: name
      line: { path: "{{ shared }}/settings.conf", regexp: "^name=", line: name=first }
`,
    );
    const converge = await runCli(['apply', path, '-i', inventory]);
    expect(converge.code, converge.stdout + converge.stderr).toBe(0);
    rmSync(log, { force: true });
    const noop = await runCli(['apply', path, '-i', inventory], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(noop.code, noop.stdout + noop.stderr).toBe(0);
    expect(noop.stdout).toContain('No changes');
    const reads = readFileSync(log, 'utf8').split('\n').filter((line) => line.endsWith('settings.conf'));
    expect(reads).toHaveLength(1);
  });

  it('a probe read ahead that outlasts --timeout costs the host neither its facts nor its other tasks', async () => {
    // A realpath on PATH that hangs on one file (the file module's probe resolves its path): the read
    // ahead at connection time holds the facts and that probe in one batch; when the batch times out,
    // the facts are read again alone.
    const bin = join(work, 'slow-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'realpath'), `#!/bin/sh\ncase "$*" in *slow-file*) sleep 4 ;; esac\nexec /usr/bin/realpath "$@"\n`);
    chmodSync(join(bin, 'realpath'), 0o755);
    const path = playbook(
      'slow-read.yml',
      `- hosts: first
  tasks:
    - name: uses the facts
      debug: { msg: "family {{ ansible_os_family }}" }
    - name: reads the slow file
      file: { path: "{{ shared }}/slow-file", state: file }
`,
    );
    const run = await runCli(['apply', path, '-i', inventory, '--timeout', '1'], { env: { PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(run.code, run.stdout + run.stderr).not.toBe(0);
    expect(run.stdout).toMatch(/ok: \[first\] family Debian/);
    expect(run.stdout).toMatch(/failed: \[first\] timed out after 1000 ms on first: .*slow-file/);
    // ok 1, changed 0, unreachable 0, failed 1, skipped, rescued and ignored 0.
    expect(run.stdout).toMatch(/^first\s+1\s+0\s+0\s+1\s+0\s+0\s+0$/m);
  });
});
