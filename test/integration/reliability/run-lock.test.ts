import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { sh } from '../../../src/shell/command.js';
import { projectRoot } from '../../helpers/cli.js';
import { sandboxInventoryPath, sshToHost } from '../../helpers/sandbox.js';

// Two runs at once against the same sandbox host: each appends a start line, sleeps, appends an end
// line to the same file. The per-host run lock keeps them apart: one run's start and end, then the
// other's, and the second run says whom it waited for. A holder killed outright frees the lock at
// once; a run that cannot get it within --lock-timeout fails that host, naming the holder, and
// carries on with the others.

let work: string;
let playbook: string;
const controller = `${userInfo().username}@${hostname()}`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-run-lock-'));
  playbook = join(work, 'writes.yml');
  writeFileSync(
    playbook,
    `- hosts: kvm1:kvm2
  gather_facts: false
  tasks:
    - name: start, a pause, end
      shell: "echo start {{ run }} >> {{ log }}; sleep {{ seconds }}; echo end {{ run }} >> {{ log }}"
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Apply {
  pid: number;
  stdout(): string;
  kill(): void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number }>;
}

/** `runbook apply` of the playbook, started now, writing `run` into `log` on the hosts. */
function apply(run: string, log: string, seconds: number, extra: string[] = []): Apply {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [`${projectRoot}/bin/runbook.js`, 'apply', playbook, '-i', sandboxInventoryPath(), '-e', `run=${run}`, '-e', `log=${log}`, '-e', `seconds=${seconds}`, ...extra],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const watchdog = setTimeout(() => child.kill('SIGKILL'), 180_000);
  return {
    pid: child.pid!,
    stdout: () => stdout,
    kill: () => child.kill('SIGKILL'),
    done: new Promise((resolve) =>
      child.on('close', (code, signal) => {
        clearTimeout(watchdog);
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
      }),
    ),
  };
}

async function lines(host: string, log: string): Promise<string[]> {
  const read = await sshToHost(host, sh`cat -- ${log} 2>/dev/null || true`);
  return read.stdout.split('\n').filter(Boolean);
}

/** Until `log` on the host holds `line`. */
async function waitForLine(host: string, log: string, line: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await lines(host, log)).includes(line)) {
    expect(Date.now(), `${log} on ${host} never showed "${line}"`).toBeLessThan(deadline);
    await sleep(200);
  }
}

describe('two runs at once against the same host', () => {
  it("never interleave their writes: one run's start and end, then the other's; the second says whom it waited for", async () => {
    const log = '/root/run-lock-both.log';
    const [a, b] = [apply('A', log, 3, ['--limit', 'kvm1']), apply('B', log, 3, ['--limit', 'kvm1'])];
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stdout + ra.stderr).toBe(EXIT.ok);
    expect(rb.code, rb.stdout + rb.stderr).toBe(EXIT.ok);
    const written = await lines('kvm1', log);
    expect(written).toHaveLength(4);
    const first = written[0]!.split(' ')[1]!;
    const second = first === 'A' ? 'B' : 'A';
    expect(written).toEqual([`start ${first}`, `end ${first}`, `start ${second}`, `end ${second}`]);
    const [holder, waiter] = first === 'A' ? [a, rb] : [b, ra];
    const waited = waiter.stdout;
    expect(waited, `holder's output:\n${(first === 'A' ? ra : rb).stdout}`).toMatch(
      new RegExp(`waiting: \\[kvm1\\] for the run of ${controller.replace(/[.]/g, '\\.')} pid ${holder.pid}, playbook ${playbook.replace(/[.]/g, '\\.')}, since \\d\\d:\\d\\d \\(run lock /\\S+runbook\\.lock`),
    );
    expect(waited).toMatch(/locked: \[kvm1\] after waiting \d/);
    // Shown once.
    expect(waited.split('waiting: [kvm1]').length).toBe(2);
    // The run that held the lock never waited.
    expect((first === 'A' ? ra : rb).stdout).not.toContain('waiting: [kvm1]');
  });

  it('a holder killed with SIGKILL frees the lock at once for the next run', async () => {
    const log = '/root/run-lock-killed.log';
    const holder = apply('K1', log, 120, ['--limit', 'kvm1']);
    await waitForLine('kvm1', log, 'start K1');
    holder.kill();
    await holder.done;
    const next = await apply('K2', log, 0, ['--limit', 'kvm1', '--lock-timeout', '60']).done;
    expect(next.code, next.stdout + next.stderr).toBe(EXIT.ok);
    // Not the 120 s of the killed run's command, nor the 60 s of the lock timeout.
    expect(next.ms).toBeLessThan(20_000);
    expect(await lines('kvm1', log)).toEqual(['start K1', 'start K2', 'end K2']);
  });

  it('--lock-timeout 1 while another run holds the lock: that host fails naming the holder, the other hosts go on, exit 1', async () => {
    const log = '/root/run-lock-timeout.log';
    const holder = apply('H', log, 8, ['--limit', 'kvm1']);
    await waitForLine('kvm1', log, 'start H');
    const late = await apply('T', log, 0, ['--lock-timeout', '1']).done;
    expect(late.code, late.stdout + late.stderr).toBe(EXIT.taskFailed);
    expect(late.stdout).toMatch(
      new RegExp(`failed: \\[kvm1\\] the run lock /\\S+ on kvm1 is held by the run of ${controller.replace(/[.]/g, '\\.')} pid ${holder.pid}, playbook \\S+, since \\d\\d:\\d\\d; gave up after waiting 1 s \\(--lock-timeout\\)`),
    );
    expect(late.stdout).toMatch(/^kvm2 +\d+ +1 +0 +0 /m);
    expect(late.stdout).toMatch(/^kvm1 +0 +0 +0 +1 /m);
    expect(await lines('kvm2', log)).toEqual(['start T', 'end T']);
    const held = await holder.done;
    expect(held.code, held.stdout + held.stderr).toBe(EXIT.ok);
    // The late run wrote nothing on kvm1.
    expect(await lines('kvm1', log)).toEqual(['start H', 'end H']);
  });
});
