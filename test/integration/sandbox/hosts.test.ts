import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandboxPaths } from '../../../src/sandbox/paths.js';
import { sh } from '../../../src/shell/command.js';
import { sandboxHost, sandboxHosts, sshToHost } from '../../helpers/sandbox.js';

const LAB = ['nfs', 'kvm1', 'kvm2'];
const scratch = mkdtempSync(join(tmpdir(), 'runbook-sandbox-test-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the lab sandbox inventory', () => {
  it('lists nfs in nfs_server and kvm1, kvm2 in kvm_hosts, each with its own loopback and lab address', () => {
    const hosts = sandboxHosts();
    expect(hosts.map(({ name, groups, address, port, user, labAddress }) => ({ name, groups, address, port, user, labAddress }))).toEqual([
      { name: 'nfs', groups: ['nfs_server'], address: '127.0.2.15', port: 22, user: 'root', labAddress: '10.77.0.15' },
      { name: 'kvm1', groups: ['kvm_hosts'], address: '127.0.2.13', port: 22, user: 'root', labAddress: '10.77.0.13' },
      { name: 'kvm2', groups: ['kvm_hosts'], address: '127.0.2.14', port: 22, user: 'root', labAddress: '10.77.0.14' },
    ]);
  });
});

describe('ssh from the runner', () => {
  it.each(LAB)('reaches %s as itself, its host key checked strictly', async (name) => {
    expect(await sshToHost(name, sh`hostname`)).toMatchObject({ code: 0, stdout: `${name}\n` });
  });

  it('trusts exactly the keys each host generated at its own boot', async () => {
    const knownHosts = readFileSync(sandboxHost('nfs').knownHostsFile, 'utf8');
    const keys = new Set<string>();
    for (const name of LAB) {
      const result = await sshToHost(name, sh`cat /etc/ssh/ssh_host_ed25519_key.pub`);
      const [type, blob] = result.stdout.split(' ');
      expect(knownHosts).toContain(`${sandboxHost(name).address} ${type} ${blob}\n`);
      keys.add(`${blob}`);
    }
    expect(keys.size).toBe(LAB.length);
  });

  it("refuses a host whose key is not the one known_hosts holds for it", async () => {
    // kvm1's address paired with nfs's keys: what a man in the middle would look like.
    const lines = readFileSync(sandboxHost('nfs').knownHostsFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith(`${sandboxHost('nfs').address} `))
      .map((line) => line.replace(sandboxHost('nfs').address, sandboxHost('kvm1').address));
    const wrong = join(scratch, 'known_hosts.wrong');
    writeFileSync(wrong, `${lines.join('\n')}\n`);
    const result = await sshToHost('kvm1', sh`hostname`, { knownHostsFile: wrong });
    expect(result.code).toBe(255);
    expect(result.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });
});

describe('the hosts', () => {
  it.each(LAB)('%s boots systemd as PID 1 with no failed unit', async (name) => {
    // On failure the diff shows the failed units after the state.
    const result = await sshToHost(name, sh`systemctl is-system-running --wait; systemctl --failed --no-legend --plain; ps -o comm= -p 1`);
    expect(result.stdout).toBe('running\nsystemd\n');
  });

  it('keep their files private', async () => {
    const path = `/root/private-${randomBytes(4).toString('hex')}`;
    expect((await sshToHost('kvm1', sh`echo kvm1 only > ${path} && cat ${path}`)).stdout).toBe('kvm1 only\n');
    for (const other of ['kvm2', 'nfs']) {
      expect(await sshToHost(other, sh`test -e ${path}`)).toMatchObject({ code: 1 });
    }
  });

  it('reach each other by name, over ssh with host keys checked', async () => {
    for (const from of sandboxHosts()) {
      for (const to of sandboxHosts().filter((host) => host.name !== from.name)) {
        const result = await sshToHost(from.name, sh`getent hosts ${to.name} && ssh -o BatchMode=yes -o StrictHostKeyChecking=yes ${to.name} hostname`);
        expect(result.stdout, `${from.name} -> ${to.name}: ${result.stderr}`).toMatch(new RegExp(`^${to.labAddress.replaceAll('.', '\\.')}\\s+${to.name}\n${to.name}\n$`));
      }
    }
  });

  it('install packages with apt, through the runner-side cache', async () => {
    const result = await sshToHost('kvm2', sh`apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q hello && hello`);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Hello, world!');
    const cached = readdirSync(sandboxPaths().aptCacheDir, { recursive: true, encoding: 'utf8' });
    expect(cached.some((path) => /(^|\/)hello_[^/]+\.deb$/.test(path))).toBe(true);
  });

  it('run their services apart: stopping one on a host leaves the same service on the others running', async () => {
    const unit = sh`printf '%s\n' '[Service]' 'ExecStart=/bin/sleep infinity' > /etc/systemd/system/runbook-twin.service`;
    const pids = new Map<string, string>();
    for (const name of LAB) {
      const result = await sshToHost(name, sh`${unit} && systemctl daemon-reload && systemctl start runbook-twin && systemctl show -P MainPID runbook-twin`);
      expect(result.code, result.stderr).toBe(0);
      pids.set(name, result.stdout);
    }
    expect(await sshToHost('kvm1', sh`systemctl stop runbook-twin && systemctl is-active runbook-twin`)).toMatchObject({ stdout: 'inactive\n' });
    for (const name of ['nfs', 'kvm2']) {
      expect((await sshToHost(name, sh`systemctl is-active runbook-twin && systemctl show -P MainPID runbook-twin`)).stdout).toBe(`active\n${pids.get(name)}`);
    }
  });

  it('keep a service started with systemctl running after the session that started it ends', async () => {
    const unit = sh`printf '%s\n' '[Service]' 'ExecStart=/bin/sleep infinity' > /etc/systemd/system/runbook-probe.service`;
    const started = await sshToHost('kvm1', sh`${unit} && systemctl daemon-reload && systemctl start runbook-probe && systemctl show -P MainPID runbook-probe`);
    expect(started.code, started.stderr).toBe(0);
    const later = await sshToHost('kvm1', sh`systemctl is-active runbook-probe && systemctl show -P MainPID runbook-probe`);
    expect(later.stdout).toBe(`active\n${started.stdout}`);
  });
});
