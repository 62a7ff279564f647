import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { projectRoot } from '../../helpers/cli.js';

// Ctrl-C lets running commands finish, then stops: an until loop must not go on retrying.

let work: string;
let running: ChildProcess | undefined;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-interrupt-'));
  writeFileSync(join(work, 'inventory.yml'), 'all:\n  vars:\n    ansible_connection: local\n  hosts:\n    first: {}\n');
  writeFileSync(
    join(work, 'playbook.yml'),
    `- hosts: all
  tasks:
    - name: wait for a file that never comes
      file: { path: "${work}/never", state: file }
      register: waited
      until: waited is succeeded
      retries: 5
      delay: 30
`,
  );
});

// A run that failed to stop must not outlive its test.
afterEach(() => {
  if (running?.exitCode === null && running.signalCode === null) running.kill('SIGKILL');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('Ctrl-C', () => {
  it('ends an until loop at once instead of sleeping through its remaining retries', async () => {
    const child = spawn(process.execPath, [`${projectRoot}/bin/runbook.js`, 'apply', join(work, 'playbook.yml'), '-i', join(work, 'inventory.yml')], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      // Once the task has started, its first attempt has a moment to fail and the 30 s delay begins.
      if (!sent && stdout.includes('TASK [wait for a file that never comes]')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 1000);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toContain('Interrupted');
    expect(stdout, stdout + stderr).toContain('interrupted after 1 of 5 attempts');
    expect(code).toBe(EXIT.interrupted);
  }, 20_000);
});
