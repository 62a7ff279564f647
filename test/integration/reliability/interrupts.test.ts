import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { projectRoot } from '../../helpers/cli.js';
import { startSshd, type TestSshd } from '../../helpers/sshd.js';

// Ctrl-C (SIGINT) and SIGTERM while a command runs on a real sshd: the command's whole process
// group ends on the host, also under become (sudo runs it as root, out of reach of the connecting
// user's signals), the run exits 130 or 143 with its recap, and an interrupted copy leaves the
// destination old or new, never partial, with no temp file.

let sshd: TestSshd;
let work: string;

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'runbook-interrupts-'));
  // The connecting user writes here without become.
  chmodSync(work, 0o777);
  writeFileSync(
    join(work, 'inventory.yml'),
    JSON.stringify({
      all: {
        hosts: {
          target: {
            ansible_host: sshd.host,
            ansible_port: sshd.port,
            ansible_user: sshd.user,
            ansible_ssh_private_key_file: sshd.privateKeyFile,
            runbook_known_hosts_file: sshd.knownHostsFile,
          },
        },
      },
    }),
  );
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

interface Interrupted {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Applies `playbook`, sending `signal` `delayMs` after the plain view announces task `taskName`. */
function applyAndInterrupt(playbook: string, taskName: string, signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL', delayMs: number): Promise<Interrupted> {
  const file = join(work, `playbook-${randomBytes(4).toString('hex')}.yml`);
  writeFileSync(file, playbook);
  const child = spawn(process.execPath, [`${projectRoot}/bin/runbook.js`, 'apply', file, '-i', join(work, 'inventory.yml')], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && stdout.includes(`TASK [${taskName}]`)) {
      sent = true;
      setTimeout(() => child.kill(signal), delayMs);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(watchdog);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Processes on this machine (the sshd's host) running exactly `sleep SECONDS`. */
function sleepers(seconds: number): string[] {
  const table = execFileSync('ps', ['-eo', 'pid=,user=,args='], { encoding: 'utf8' });
  return table.split('\n').filter((line) => new RegExp(`\\ssleep ${seconds}$`).test(line));
}

/** A sleep length no other test uses, so that its processes can be found by their arguments. */
const uniqueSeconds = (): number => 100_000 + Math.floor(Math.random() * 800_000);

const PLAY_HEAD = (become: boolean) => `- hosts: all
  gather_facts: false
  become: ${become}
  tasks:
    - name: something done before
      copy: { dest: "${work}/before-${become}", content: "done\\n" }
`;

describe('interrupting a run', () => {
  it('SIGINT ends the remote command and its background child, exits 130 and shows what was done', async () => {
    const seconds = uniqueSeconds();
    const run = await applyAndInterrupt(
      `${PLAY_HEAD(false)}    - name: long command
      command: sh -c "sleep ${seconds} & sleep ${seconds}"
    - name: never reached
      command: "true"
`,
      'long command',
      'SIGINT',
      1000,
    );
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.interrupted);
    expect(run.stderr).toContain('Interrupted');
    expect(run.stdout).toMatch(/^target +\d+ +1 /m);
    expect(run.stdout).toContain('Interrupted: the run stopped before the end of the playbook.');
    expect(run.stdout).not.toContain('TASK [never reached]');
    expect(sleepers(seconds)).toEqual([]);
  });

  it('SIGTERM under become (sudo, root command) ends the root processes too and exits 143', async () => {
    const seconds = uniqueSeconds();
    const run = await applyAndInterrupt(
      `${PLAY_HEAD(true)}    - name: long command as root
      command: sh -c "sleep ${seconds} & sleep ${seconds}"
`,
      'long command as root',
      'SIGTERM',
      1000,
    );
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.terminated);
    expect(run.stdout).toMatch(/^target +\d+ +1 /m);
    // Before the fix, sudo died and its root command lived on, reparented to init.
    expect(sleepers(seconds)).toEqual([]);
  });

  it('under become, a command that ignores TERM is killed after the grace period', async () => {
    const seconds = uniqueSeconds();
    const started = Date.now();
    const run = await applyAndInterrupt(
      `${PLAY_HEAD(true)}    - name: stubborn command
      command: sh -c "trap '' TERM; sleep ${seconds}"
`,
      'stubborn command',
      'SIGINT',
      1000,
    );
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.interrupted);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(sleepers(seconds)).toEqual([]);
  });

  it('an interrupted copy leaves the destination old or new, never partial, and no temp file', async () => {
    const directory = join(work, 'copy-target');
    mkdirSync(directory, { recursive: true });
    const source = join(work, 'big.bin');
    const destination = join(directory, 'big.bin');
    const newContent = randomBytes(96 * 1024 * 1024);
    writeFileSync(source, newContent);
    const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
    const digests = { old: sha256(Buffer.from('old content\n')), new: sha256(newContent) };
    const codes: Array<number | null> = [];
    for (const delayMs of [300, 900]) {
      writeFileSync(destination, 'old content\n');
      const run = await applyAndInterrupt(
        `- hosts: all
  gather_facts: false
  become: true
  tasks:
    - name: copy a big file
      copy: { src: "${source}", dest: "${destination}" }
`,
        'copy a big file',
        'SIGINT',
        delayMs,
      );
      expect([EXIT.interrupted, EXIT.ok], run.stdout + run.stderr).toContain(run.code);
      codes.push(run.code);
      const after = sha256(readFileSync(destination));
      expect([digests.old, digests.new], run.stdout + run.stderr).toContain(after);
      expect(readdirSync(directory).filter((name) => name !== 'big.bin')).toEqual([]);
    }
    // At least one interruption came while the copy was under way.
    expect(codes).toContain(EXIT.interrupted);
  });

  it('a run killed outright (SIGKILL) during a copy leaves the destination as it was, never partial', async () => {
    // The host sees its connection close: the write's stdin ends early, as if every byte had been sent.
    const directory = join(work, 'copy-killed');
    mkdirSync(directory, { recursive: true });
    const source = join(work, 'big-killed.bin');
    const destination = join(directory, 'big.bin');
    writeFileSync(source, randomBytes(160 * 1024 * 1024));
    writeFileSync(destination, 'old content\n');
    const playbook = join(work, 'copy-killed.yml');
    writeFileSync(
      playbook,
      `- hosts: all
  gather_facts: false
  become: true
  tasks:
    - name: copy a big file
      copy: { src: "${source}", dest: "${destination}" }
`,
    );
    const child = spawn(process.execPath, [`${projectRoot}/bin/runbook.js`, 'apply', playbook, '-i', join(work, 'inventory.yml')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Killed once the temp file holds some of the bytes, not all.
    const tempFile = (): string | undefined => readdirSync(directory).find((name) => name.startsWith('.runbook.'));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const name = tempFile();
      if (name !== undefined && statSync(join(directory, name), { throwIfNoEntry: false })?.size) break;
      expect(Date.now(), 'the copy never started').toBeLessThan(deadline);
      await sleep(5);
    }
    child.kill('SIGKILL');
    await exited;
    // The write goes on alone on the host until its stdin ends.
    for (let waited = 0; tempFile() !== undefined && waited < 5_000; waited += 50) await sleep(50);
    expect(readFileSync(destination, 'utf8')).toBe('old content\n');
    expect(tempFile()).toBeUndefined();
  });
});
