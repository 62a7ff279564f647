import { readdirSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandboxPaths } from '../../../src/sandbox/paths.js';
import { containerLeader, isAlive, sandboxProcesses } from '../../../src/sandbox/processes.js';
import { sandboxDown } from '../../../src/sandbox/sandbox.js';
import { sh } from '../../../src/shell/command.js';
import { expectNothingLeft, sandboxHosts, sandboxLeaseToken, sshPortOpen, sshToHost } from '../../helpers/sandbox.js';

/** `down` of the run's shared sandbox; the harness brings a fresh one up for the next file. */

const paths = sandboxPaths();

/** Every process in the PID namespace of a container, as pids on the runner. */
function containerProcesses(leader: number): number[] {
  const namespace = readlinkSync(`/proc/${leader}/ns/pid`);
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`) === namespace;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('runbook sandbox down', () => {
  it('stops hosts whose services ran until then, even a hung one, and leaves nothing behind', async () => {
    const hosts = sandboxHosts();
    const unit = sh`printf '%s\n' '[Service]' 'ExecStart=/bin/sleep infinity' > /etc/systemd/system/runbook-until-down.service`;
    for (const host of hosts) {
      const result = await sshToHost(host.name, sh`${unit} && systemctl daemon-reload && systemctl start runbook-until-down && systemctl is-active runbook-until-down`);
      expect(result.stdout, result.stderr).toBe('active\n');
    }
    const started = sandboxProcesses(paths.stateDir);
    expect(started.filter((info) => info.kind === 'host')).toHaveLength(hosts.length);
    const insideHosts = started
      .filter((info) => info.kind === 'host')
      .flatMap((info) => {
        const leader = containerLeader(info.pid);
        return leader === undefined ? [] : containerProcesses(leader);
      });
    // systemd, the services, sshd... of every host
    expect(insideHosts.length).toBeGreaterThan(hosts.length * 3);
    for (const host of hosts) expect(await sshPortOpen(host.address)).toBe(true);
    // A hung host: its systemd cannot act on the poweroff request, so down must kill its PID 1.
    const hung = started.find((info) => info.kind === 'host' && info.argv.includes('--machine=kvm2'));
    const hungLeader = hung === undefined ? undefined : containerLeader(hung.pid);
    if (hungLeader === undefined) throw new Error('kvm2 has no running PID 1');
    process.kill(hungLeader, 'SIGSTOP');

    const down = await sandboxDown({ leaseToken: sandboxLeaseToken() });
    process.stderr.write(`[sandbox] down in ${(down.durationMs / 1000).toFixed(1)} s\n`);

    expect(down.removed).toBe(true);
    expect([...started.map((info) => info.pid), ...insideHosts].filter(isAlive)).toEqual([]);
    await expectNothingLeft(hosts);
  });
});
