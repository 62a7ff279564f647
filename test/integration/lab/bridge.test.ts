import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../src/engine/events.js';
import type { JsonReport } from '../../../src/report/json.js';
import { runLocal } from '../../../src/sandbox/exec.js';
import { hostNamespace } from '../../../src/sandbox/network.js';
import { sandboxUp } from '../../../src/sandbox/sandbox.js';
import { sh } from '../../../src/shell/command.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { sandboxInventoryPath, sandboxLeaseToken, sshToHost } from '../../helpers/sandbox.js';

/**
 * Issue 15's bridge module on fresh sandbox hosts: each host's real eth0, over the SSH connection
 * runbook talks through. Check mode changes nothing; apply, then re-apply changes nothing; a bridge
 * that takes the host's address away is put back by the host itself, and the task says why.
 */

const workdir = mkdtempSync(join(tmpdir(), 'runbook-bridge-'));
let written = 0;

async function apply(hosts: string, bridge: string, ...options: string[]): Promise<{ cli: CliResult; result: TaskResult }> {
  const playbook = join(workdir, `bridge-${(written += 1)}.yml`);
  writeFileSync(playbook, `- hosts: ${hosts}\n  gather_facts: false\n  tasks:\n    - name: bridge\n      bridge: ${bridge}\n`);
  const json = join(workdir, `report-${written}.json`);
  const cli = await runCli(['apply', playbook, '-i', sandboxInventoryPath(), '--json', json, ...options]);
  const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  const results = report.plays[0]?.tasks[0]?.results ?? {};
  const host = hosts.split(':')[0]!;
  const result = results[host];
  if (!result) throw new Error(`no result on ${host}:\n${cli.stdout}\n${cli.stderr}`);
  return { cli, result };
}

/** The switch script's logs on the host, read from the runner through a process of the host (no ssh needed). */
async function switchLogs(host: string): Promise<string> {
  const { stdout } = await runLocal('ip', ['netns', 'pids', hostNamespace(host)]);
  const pid = stdout.split('\n')[0]?.trim();
  const { stdout: logs } = await runLocal('sh', ['-c', `tail -n +1 /proc/${pid}/root/run/runbook-bridge-* 2>&1 || true`]);
  return logs;
}

/** The host's links and addresses, read from the runner through its network namespace (no ssh needed). */
async function links(host: string): Promise<string> {
  const { stdout } = await runLocal('ip', ['-n', hostNamespace(host), '-br', 'address']);
  return stdout;
}

beforeAll(async () => {
  await sandboxUp({ kind: 'lab' }, { leaseToken: sandboxLeaseToken() });
}, 600_000);

afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('bridge on the sandbox hosts', () => {
  it('--check reports the switch and changes nothing', async () => {
    const checked = await apply('kvm1', '{ name: br0, interface: eth0 }', '--check', '--diff');
    expect(checked.result.status).toBe('changed');
    expect(checked.result.message).toBe('would move eth0 and 10.77.0.13/24 into bridge br0; write 3 systemd-networkd files');
    expect(await links('kvm1')).not.toContain('br0');
  });

  it('moves eth0 and its address into br0 on both KVM hosts, reachable throughout; a re-apply changes nothing', async () => {
    const applied = await apply('kvm1:kvm2', '{ name: br0, interface: eth0 }');
    expect(applied.cli.code, `${applied.cli.stdout}\n${applied.cli.stderr}`).toBe(0);
    expect(applied.result.status).toBe('changed');
    for (const [host, address] of [['kvm1', '10.77.0.13'], ['kvm2', '10.77.0.14']] as const) {
      expect((await sshToHost(host, sh`ip -o link show dev eth0`)).stdout).toContain('master br0');
      expect((await sshToHost(host, sh`ip -o -4 address show dev br0`)).stdout).toContain(`inet ${address}/24`);
      expect((await sshToHost(host, sh`cat /etc/systemd/network/10-runbook-br0.network`)).stdout).toContain(`Address=${address}/24`);
      expect((await sshToHost(host, sh`ls /run`)).stdout).not.toContain('runbook-bridge');
    }
    // The hosts still reach each other over the lab network.
    expect((await sshToHost('kvm1', sh`getent ahosts kvm2 >/dev/null && timeout 5 bash -c 'exec 3<>/dev/tcp/kvm2/22'`)).code).toBe(0);
    const again = await apply('kvm1:kvm2', '{ name: br0, interface: eth0 }');
    expect(again.result).toMatchObject({ status: 'ok', message: 'eth0 is in br0, which holds 10.77.0.13/24; its systemd-networkd files are in place' });
  }, 120_000);

  it('a bridge that would cut the host off is rolled back by the host, and the task fails with the reason', async () => {
    const started = Date.now();
    const attempt = await apply('nfs', '{ name: br0, interface: eth0, address: 10.77.0.99/24, confirm_timeout: 5 }');
    console.log(`bridge rollback: ${Date.now() - started} ms, ${attempt.result.status}: ${attempt.result.message}\n${await links('nfs')}\n${await switchLogs('nfs')}`);
    expect(attempt.cli.code).not.toBe(0);
    expect(['failed', 'unreachable']).toContain(attempt.result.status);
    // The host put eth0 back as it was by itself, and answers over ssh again.
    expect(await links('nfs')).toMatch(/^eth0@\S+\s+UP\s+10\.77\.0\.15\/24/m);
    expect(await links('nfs')).not.toContain('br0');
    let reached = await sshToHost('nfs', sh`ip -o -4 address show dev eth0`);
    for (let attempt = 0; attempt < 30 && reached.code !== 0; attempt += 1) {
      await new Promise((done) => setTimeout(done, 1000));
      reached = await sshToHost('nfs', sh`ip -o -4 address show dev eth0`);
    }
    expect(reached.code, reached.stderr).toBe(0);
    expect(reached.stdout).toContain('inet 10.77.0.15/24');
    expect(attempt.result.message).toContain('rolled back: no confirmation over the SSH connection within 5 s');
  }, 180_000);
});
