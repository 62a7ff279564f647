import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mountsBelow } from '../../../src/sandbox/mounts.js';
import { LAB_NAMESPACE } from '../../../src/sandbox/network.js';
import { sandboxPaths } from '../../../src/sandbox/paths.js';
import { sandboxProcesses } from '../../../src/sandbox/processes.js';
import { sandboxDown, sandboxUp } from '../../../src/sandbox/sandbox.js';
import { sh, type Command } from '../../../src/shell/command.js';
import { expectNothingLeft, resetHost, resetPod, sandboxHosts, sandboxLeaseToken, sshToHost } from '../../helpers/sandbox.js';

/**
 * A classroom of two pods, brought up by this file on the run's sandbox (the harness gives the next
 * file the plain lab again). Each pod is the lab's three hosts on a network and a shared storage of
 * its own, out of reach of the other pod.
 */

const POD_HOSTS = ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2', 'pod02-nfs', 'pod02-kvm1', 'pod02-kvm2'];
const SHARED = '/var/lib/runbook-sandbox/shared';
const EXPORT = '/var/lib/libvirt/images';
const paths = sandboxPaths();

async function ok(host: string, command: Command): Promise<string> {
  const result = await sshToHost(host, command);
  expect(result.code, `${host}: ${command.render()}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

/** Prints the exit status of a TCP connect from the host to address:port: 0 connected, 1 refused or unreachable, 124 no answer in 3 s. */
function tcpConnect(address: string, port: number): Command {
  return sh`timeout 3 bash -c ${`exec 3<>/dev/tcp/${address}/${port}`} 2>/dev/null; echo $?`;
}

/** What the runner sees of a pod's hosts that a reset of another pod must not change. */
async function podSnapshot(pod: string): Promise<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = {};
  for (const name of POD_HOSTS.filter((host) => host.startsWith(`${pod}-`))) {
    snapshot[name] = {
      nspawn: sandboxProcesses(paths.stateDir).filter((info) => info.kind === 'host' && info.argv.includes(`--machine=${name}`)).map((info) => info.pid),
      inside: await ok(name, sh`systemctl show -P MainPID ssh; cat /etc/ssh/ssh_host_ed25519_key.pub; stat -c '%Y %s' /root/.ssh/known_hosts; md5sum /root/.ssh/known_hosts`),
      overlay: mountsBelow(join(paths.hostsDir, name)),
    };
  }
  return snapshot;
}

beforeAll(async () => {
  const up = await sandboxUp({ kind: 'lab', pods: 2 }, { leaseToken: sandboxLeaseToken() });
  process.stderr.write(`[sandbox] 2 pods up in ${(up.durationMs / 1000).toFixed(1)} s\n`);
});

describe('runbook sandbox up --pods 2', () => {
  it('lists each host under its pod and its role, with addresses of its pod', () => {
    expect(sandboxHosts().map(({ name, groups, address, labAddress }) => ({ name, groups, address, labAddress }))).toEqual([
      { name: 'pod01-nfs', groups: ['pod01', 'nfs_server'], address: '127.2.1.15', labAddress: '10.77.1.15' },
      { name: 'pod01-kvm1', groups: ['pod01', 'kvm_hosts'], address: '127.2.1.13', labAddress: '10.77.1.13' },
      { name: 'pod01-kvm2', groups: ['pod01', 'kvm_hosts'], address: '127.2.1.14', labAddress: '10.77.1.14' },
      { name: 'pod02-nfs', groups: ['pod02', 'nfs_server'], address: '127.2.2.15', labAddress: '10.77.2.15' },
      { name: 'pod02-kvm1', groups: ['pod02', 'kvm_hosts'], address: '127.2.2.13', labAddress: '10.77.2.13' },
      { name: 'pod02-kvm2', groups: ['pod02', 'kvm_hosts'], address: '127.2.2.14', labAddress: '10.77.2.14' },
    ]);
  });

  it.each(POD_HOSTS)('%s answers over ssh as itself', async (name) => {
    expect(await ok(name, sh`hostname`)).toBe(`${name}\n`);
  });

  it("a pod's hosts reach each other by their names and by their names inside the pod, host keys checked", async () => {
    for (const target of ['pod01-nfs', 'nfs']) {
      const answer = await ok('pod01-kvm1', sh`getent hosts ${target} && ssh -o BatchMode=yes -o StrictHostKeyChecking=yes ${target} hostname`);
      expect(answer).toMatch(/^10\.77\.1\.15\s+pod01-nfs nfs\npod01-nfs\n$/);
    }
    // What the lab's qemu+ssh://kvm2/system does, inside pod02.
    expect(await ok('pod02-kvm1', sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes kvm2 hostname`)).toBe('pod02-kvm2\n');
    expect(await ok('pod02-kvm1', sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes pod02-kvm2 hostname`)).toBe('pod02-kvm2\n');
  });

  it('a pod cannot reach another pod, even as root adding a route through the gateway or an address on its network', async () => {
    const unreachable = /^(1|124)\n$/;
    expect(await sshToHost('pod01-kvm1', sh`getent hosts pod02-nfs`)).toMatchObject({ code: 2 });
    expect(await ok('pod01-kvm1', tcpConnect('10.77.1.15', 22))).toBe('0\n');
    expect(await ok('pod01-kvm1', tcpConnect('10.77.2.15', 22))).toMatch(unreachable);
    // The lab namespace holds every pod's gateway but does not route between them.
    expect(execFileSync('ip', ['netns', 'exec', LAB_NAMESPACE, 'sysctl', '-n', 'net.ipv4.ip_forward'], { encoding: 'utf8' })).toBe('0\n');
    await ok('pod01-kvm1', sh`ip route add 10.77.2.0/24 via 10.77.1.1`);
    expect(await ok('pod01-kvm1', tcpConnect('10.77.2.15', 22))).toMatch(unreachable);
    await ok('pod01-kvm1', sh`ip route del 10.77.2.0/24`);
    // Each pod has a bridge of its own: an address on the other pod's network reaches nothing.
    await ok('pod01-kvm1', sh`ip address add 10.77.2.99/24 dev eth0`);
    expect(await ok('pod01-kvm1', tcpConnect('10.77.2.15', 22))).toMatch(unreachable);
    await ok('pod01-kvm1', sh`ip address del 10.77.2.99/24 dev eth0`);
  });

  it('each pod has its own shared storage, exported by its own NFS server', async () => {
    const name = `pod01-only-${randomBytes(4).toString('hex')}`;
    await ok('pod01-kvm1', sh`echo pod01 > ${`${SHARED}/${name}`}`);
    expect(await ok('pod01-kvm2', sh`cat ${`${SHARED}/${name}`}`)).toBe('pod01\n');
    expect(await ok('pod01-nfs', sh`cat ${`${EXPORT}/${name}`}`)).toBe('pod01\n');
    for (const host of ['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2']) {
      expect(await sshToHost(host, sh`test -e ${`${SHARED}/${name}`} || test -e ${`${EXPORT}/${name}`}`), host).toMatchObject({ code: 1 });
    }
    const backing = execFileSync('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE'], { encoding: 'utf8' });
    expect(backing.split('\n').filter((file) => file.startsWith(paths.stateDir)).sort()).toEqual([
      join(paths.sharedDir, 'pod01.ext4'),
      join(paths.sharedDir, 'pod02.ext4'),
    ]);
  });

  it("apt on a pod's host goes through the proxy on its pod's gateway", async () => {
    expect(await ok('pod02-kvm1', sh`apt-config dump Acquire::http::Proxy`)).toBe('Acquire::http::Proxy "http://10.77.2.1:3142";\n');
    // The proxy itself answers (no request leaves for the Internet).
    const request = 'exec 3<>/dev/tcp/10.77.2.1/3142 && printf "GET / HTTP/1.0\\r\\n\\r\\n" >&3 && cat <&3';
    const answer = await ok('pod02-kvm1', sh`timeout 10 bash -c ${request}`);
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('runbook sandbox apt proxy');
  });

  it('reset --pod pod02 gives pod02 fresh hosts and an empty shared storage, and leaves pod01 untouched', async () => {
    const marker = `/root/before-reset-${randomBytes(4).toString('hex')}`;
    const shared = `${SHARED}/kept-${randomBytes(4).toString('hex')}`;
    for (const host of ['pod01-kvm1', 'pod02-kvm1']) await ok(host, sh`touch ${marker} ${shared}`);
    const pod01 = await podSnapshot('pod01');
    const pod02Key = await ok('pod02-kvm1', sh`cat /etc/ssh/ssh_host_ed25519_key.pub`);

    await resetPod('pod02');

    expect(await podSnapshot('pod01')).toEqual(pod01);
    await ok('pod01-kvm1', sh`test -e ${marker} && test -e ${shared}`);
    expect(await ok('pod01-nfs', sh`test -e ${shared} && echo kept`)).toBe('kept\n');
    expect(await sshToHost('pod02-kvm1', sh`test -e ${marker}`)).toMatchObject({ code: 1 });
    expect(await ok('pod02-kvm1', sh`cat /etc/ssh/ssh_host_ed25519_key.pub`)).not.toBe(pod02Key);
    // A new filesystem: only mkfs's lost+found, on the KVM hosts and behind the NFS export alike.
    for (const [host, path] of [['pod02-kvm1', SHARED], ['pod02-nfs', SHARED], ['pod02-nfs', EXPORT]] as const) {
      expect(await ok(host, sh`ls -A ${path}`), `${host}:${path}`).toBe('lost+found\n');
    }
    // The fresh hosts trust each other's new keys.
    for (const [from, to] of [['pod02-kvm1', 'nfs'], ['pod02-nfs', 'kvm2'], ['pod02-kvm2', 'pod02-kvm1']] as const) {
      expect(await ok(from, sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes ${to} hostname`)).toMatch(/^pod02-/);
    }
    for (const name of POD_HOSTS) expect(await ok(name, sh`hostname`)).toBe(`${name}\n`);
  });

  it("reset of one pod host keeps its pod's storage and renews the known_hosts of its pod only", async () => {
    const shared = `${SHARED}/kept-${randomBytes(4).toString('hex')}`;
    await ok('pod02-kvm1', sh`touch ${shared}`);
    const pod01 = await podSnapshot('pod01');
    const before = await ok('pod02-kvm2', sh`cat /etc/ssh/ssh_host_ed25519_key.pub`);

    await resetHost('pod02-kvm2');

    expect(await ok('pod02-kvm2', sh`test -e ${shared} && cat /etc/ssh/ssh_host_ed25519_key.pub`)).not.toBe(before);
    expect(await ok('pod02-kvm1', sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes kvm2 hostname`)).toBe('pod02-kvm2\n');
    expect(await ok('pod02-kvm2', sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes kvm1 hostname`)).toBe('pod02-kvm1\n');
    expect(await podSnapshot('pod01')).toEqual(pod01);
  });

  it("down removes every pod's hosts, storage, namespaces and forwarders", async () => {
    const hosts = sandboxHosts();
    await sandboxDown({ leaseToken: sandboxLeaseToken() });

    await expectNothingLeft(hosts);
  });
});
