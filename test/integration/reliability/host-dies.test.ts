import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import { runCli } from '../../helpers/cli.js';
import { startSshd, type TestSshd } from '../../helpers/sshd.js';

// Ten hosts, each a real sshd. One of them dies during a task (its sshd and its sessions killed) or
// hangs (its processes stopped: the connection stays open and nothing answers). That host is
// reported unreachable with the reason, the other nine finish every task, the run exits 3, and a
// re-run once the host is back converges.

const HOSTS = 10;
const VICTIM = 'host5';
const names = Array.from({ length: HOSTS }, (_, index) => `host${index + 1}`);
const servers = new Map<string, TestSshd>();
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'runbook-host-dies-'));
  // The connecting user writes here.
  chmodSync(work, 0o777);
  await Promise.all(names.map(async (name) => servers.set(name, await startSshd())));
});

afterAll(async () => {
  await Promise.all([...servers.values()].map((server) => server.stop()));
  rmSync(work, { recursive: true, force: true });
});

function writeInventory(): string {
  const hosts = Object.fromEntries(
    names.map((name) => {
      const server = servers.get(name)!;
      return [
        name,
        {
          ansible_host: server.host,
          ansible_port: server.port,
          ansible_user: server.user,
          ansible_ssh_private_key_file: server.privateKeyFile,
          runbook_known_hosts_file: server.knownHostsFile,
        },
      ];
    }),
  );
  const file = join(work, 'inventory.yml');
  writeFileSync(file, JSON.stringify({ all: { hosts } }));
  return file;
}

/** Each host leaves its own files in `work`: the slow step's marker, then a copied file. */
function writePlaybook(seconds: number): string {
  const file = join(work, 'playbook.yml');
  writeFileSync(
    file,
    `- hosts: all
  gather_facts: false
  tasks:
    - name: slow step
      command:
        argv: [sh, -c, "touch ${work}/{{ inventory_hostname }}.started; sleep ${seconds}; touch ${work}/{{ inventory_hostname }}.slow"]
        creates: "${work}/{{ inventory_hostname }}.slow"
    - name: configuration
      copy: { dest: "${work}/{{ inventory_hostname }}.conf", content: "configured {{ inventory_hostname }}\\n" }
`,
  );
  return file;
}

/** The recap row of `host`: ok, changed, unreachable and failed counts. */
function recapRow(stdout: string, host: string): { ok: number; changed: number; unreachable: number; failed: number } {
  const match = new RegExp(`^${host} +(\\d+) +(\\d+) +(\\d+) +(\\d+) `, 'm').exec(stdout);
  expect(match, stdout).not.toBeNull();
  const [ok, changed, unreachable, failed] = match!.slice(1).map(Number) as [number, number, number, number];
  return { ok, changed, unreachable, failed };
}

/** Runs apply while `during` acts on the victim once the slow step has started; returns the run. */
async function applyWhile(during: (victim: TestSshd) => Promise<void> | void, seconds: number) {
  const playbook = writePlaybook(seconds);
  const inventory = writeInventory();
  for (const name of names) rmSync(join(work, `${name}.slow`), { force: true });
  for (const name of names) rmSync(join(work, `${name}.conf`), { force: true });
  for (const name of names) rmSync(join(work, `${name}.started`), { force: true });
  const running = runCli(['apply', playbook, '-i', inventory, '--forks', String(HOSTS)]);
  // Act once every host runs the slow step: connected and past its handshake (a fault during the
  // handshake would test the connect timeout instead).
  await waitFor(() => names.every((name) => existsSync(join(work, `${name}.started`))), 30_000);
  await during(servers.get(VICTIM)!);
  return running;
}

/** Sends `signal` to the server's sshd and every process under it; returns their pids. */
function signalTree(server: TestSshd, signal: NodeJS.Signals): number[] {
  const pids = tree(Number(readFileSync(join(server.dir, 'sshd.pid'), 'utf8')));
  for (const pid of pids) process.kill(pid, signal);
  return pids;
}

function tree(pid: number): number[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  return [pid, ...children.flatMap(tree)];
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectOthersFinished(): void {
  for (const name of names.filter((each) => each !== VICTIM)) {
    expect(existsSync(join(work, `${name}.slow`)), name).toBe(true);
    expect(readFileSync(join(work, `${name}.conf`), 'utf8'), name).toBe(`configured ${name}\n`);
  }
  expect(existsSync(join(work, `${VICTIM}.conf`))).toBe(false);
}

async function rerunConverges(): Promise<void> {
  const playbook = join(work, 'playbook.yml');
  const again = await runCli(['apply', playbook, '-i', writeInventory(), '--forks', String(HOSTS)]);
  expect(again.code, again.stdout + again.stderr).toBe(EXIT.ok);
  // Only the host that missed tasks changes anything (the configuration; the slow step too unless it
  // finished on the host after all, as a frozen one does once thawed); a third run changes nothing.
  expect([1, 2]).toContain(recapRow(again.stdout, VICTIM).changed);
  for (const name of names.filter((each) => each !== VICTIM)) expect(recapRow(again.stdout, name).changed, name).toBe(0);
  const third = await runCli(['apply', playbook, '-i', writeInventory(), '--forks', String(HOSTS)]);
  expect(third.code, third.stdout + third.stderr).toBe(EXIT.ok);
  for (const name of names) expect(recapRow(third.stdout, name).changed, name).toBe(0);
}

describe('a host dies mid-run', () => {
  it('its sshd and sessions killed during a task: unreachable with the reason, the nine others finish, exit 3; a re-run converges', async () => {
    const run = await applyWhile((victim) => victim.stop(), 3);
    expect(run.code, run.stdout + run.stderr).toBe(EXIT.unreachable);
    expect(run.stdout).toMatch(new RegExp(`unreachable: \\[${VICTIM}\\].*connection to 127\\.0\\.0\\.1:\\d+ was lost while a command ran`));
    expect(recapRow(run.stdout, VICTIM).unreachable).toBe(1);
    for (const name of names.filter((each) => each !== VICTIM)) {
      expect(recapRow(run.stdout, name), name).toEqual({ ok: 0, changed: 2, unreachable: 0, failed: 0 });
    }
    expectOthersFinished();

    servers.set(VICTIM, await startSshd());
    await rerunConverges();
  }, 120_000);

  it('a host that stops answering without closing the connection is given up after the keepalive timeout', async () => {
    const frozen: number[] = [];
    const started = Date.now();
    // Freeze the victim's sshd and every process under it: TCP stays up, nothing answers.
    const run = await applyWhile((victim) => {
      frozen.push(...signalTree(victim, 'SIGSTOP'));
    }, 3);
    const elapsedS = (Date.now() - started) / 1000;
    try {
      expect(run.code, run.stdout + run.stderr).toBe(EXIT.unreachable);
      expect(run.stdout).toMatch(new RegExp(`unreachable: \\[${VICTIM}\\].*was lost`));
      expect(recapRow(run.stdout, VICTIM).unreachable).toBe(1);
      // ssh2 keepalives: 3 unanswered, 15 s apart.
      expect(elapsedS).toBeLessThan(90);
      expectOthersFinished();
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    await servers.get(VICTIM)!.stop();
    servers.set(VICTIM, await startSshd());
    await rerunConverges();
  }, 180_000);

  it('a host dying during a copy leaves the destination as it was, never partial', async () => {
    const directory = join(work, 'copy-target');
    mkdirSync(directory, { recursive: true });
    chmodSync(directory, 0o777);
    const source = join(work, 'big.bin');
    const destination = join(directory, 'big.bin');
    writeFileSync(source, randomBytes(160 * 1024 * 1024));
    const playbook = join(work, 'copy.yml');
    writeFileSync(
      playbook,
      `- hosts: ${VICTIM}
  gather_facts: false
  tasks:
    - name: copy a big file
      copy: { src: "${source}", dest: "${destination}" }
`,
    );
    writeFileSync(destination, 'old content\n', { mode: 0o666 });
    chmodSync(destination, 0o666);
    const tempFiles = (): string[] => readdirSync(directory).filter((name) => name !== 'big.bin');
    const run = runCli(['apply', playbook, '-i', writeInventory()]);
    // The host dies once the temp file holds some of the bytes, not all.
    const deadline = Date.now() + 30_000;
    while (!tempFiles().some((name) => (statSync(join(directory, name), { throwIfNoEntry: false })?.size ?? 0) > 0)) {
      expect(Date.now(), 'the copy never started').toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await servers.get(VICTIM)!.stop();
    const { code, stdout } = await run;
    expect(code, stdout).toBe(EXIT.unreachable);
    // The destination is untouched. The half-written temp file may stay behind: the dying sshd takes
    // the write's processes with it before their cleanup runs, as a host losing power would.
    expect(readFileSync(destination, 'utf8')).toBe('old content\n');
    servers.set(VICTIM, await startSshd());
  }, 120_000);
});
