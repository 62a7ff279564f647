import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../helpers/cli.js';

// A target whose filesystem is full (a small tmpfs this test mounts, written through the local
// connection): copy, template and lineinfile fail with the reason, the original file stays intact
// and no temp file is left.

let work: string;
let full: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-disk-full-'));
  full = join(work, 'full');
  mkdirSync(full);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
  writeFileSync(join(full, 'app.conf'), 'original\n');
  // Fill every block that is left: dd stops at ENOSPC, which is the point.
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${join(full, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
  } catch {
    // No space left on device.
  }
  writeFileSync(join(work, 'inventory.yml'), 'all:\n  hosts:\n    target: { ansible_connection: local }\n');
  writeFileSync(join(work, 'app.conf.j2'), 'rendered {{ inventory_hostname }}\n');
});

afterAll(() => {
  execFileSync('umount', [full]);
  rmSync(work, { recursive: true, force: true });
});

describe('a full filesystem on the target', () => {
  it('fails copy, template and lineinfile with the reason, keeps the original and leaves no temp file', async () => {
    const destination = join(full, 'app.conf');
    writeFileSync(
      join(work, 'playbook.yml'),
      `- hosts: all
  gather_facts: false
  tasks:
    - name: copy onto a full disk
      copy: { dest: "${destination}", content: "${'new content '.repeat(2000)}\\n" }
      ignore_errors: true
    - name: template onto a full disk
      template: { src: app.conf.j2, dest: "${destination}" }
      ignore_errors: true
    - name: lineinfile onto a full disk
      lineinfile: { path: "${destination}", line: "added = true" }
`,
    );
    const run = await runCli(['apply', join(work, 'playbook.yml'), '-i', join(work, 'inventory.yml')]);
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.taskFailed);
    // Each failure names the file and shows the reason the host gave.
    const failure = /failed(?: \(ignored\))?: \[target\] could not write (\S+): exit 1\n +cat: write error: No space left on device\n/g;
    expect([...run.stdout.matchAll(failure)].map((match) => match[1]), run.stdout).toEqual([destination, destination, destination]);
    expect(readFileSync(destination, 'utf8')).toBe('original\n');
    expect(readdirSync(full).sort()).toEqual(['app.conf', 'filler']);
  });
});
