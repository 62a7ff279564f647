import { describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { bridgeName, MAX_INTERFACE_NAME_LENGTH, vethName } from '../../../src/sandbox/network.js';
import { describeProfile, hostNetwork, labNames, labNetworks, MAX_GENERIC_HOSTS, MAX_PODS, networkPeers, profileHosts, sandboxPods } from '../../../src/sandbox/profile.js';

describe('profileHosts', () => {
  it('gives the lab profile nfs, kvm1 and kvm2 on the classic lab octets, nfs serving NFS', () => {
    expect(profileHosts({ kind: 'lab' })).toEqual([
      { name: 'nfs', labAddress: '10.77.0.15', loopbackAddress: '127.0.2.15', groups: ['nfs_server'], nfsServer: true },
      { name: 'kvm1', labAddress: '10.77.0.13', loopbackAddress: '127.0.2.13', groups: ['kvm_hosts'], nfsServer: false },
      { name: 'kvm2', labAddress: '10.77.0.14', loopbackAddress: '127.0.2.14', groups: ['kvm_hosts'], nfsServer: false },
    ]);
  });

  it('numbers generic hosts from host1, each on its own addresses', () => {
    const hosts = profileHosts({ kind: 'generic', hosts: MAX_GENERIC_HOSTS });
    expect(hosts[0]).toEqual({ name: 'host1', labAddress: '10.77.0.21', loopbackAddress: '127.0.2.21', groups: ['nodes'], nfsServer: false });
    expect(hosts.at(-1)?.name).toBe(`host${MAX_GENERIC_HOSTS}`);
    expect(new Set(hosts.map((host) => host.labAddress)).size).toBe(MAX_GENERIC_HOSTS);
    expect(new Set(hosts.map((host) => host.loopbackAddress)).size).toBe(MAX_GENERIC_HOSTS);
  });

  it.each([0, MAX_GENERIC_HOSTS + 1, 1.5])('refuses %s generic hosts', (count) => {
    expect(() => profileHosts({ kind: 'generic', hosts: count })).toThrow(RunbookError);
  });
});

describe('a classroom of pods', () => {
  it('gives each pod the lab three, named podNN-*, on its own /24 with the lab octets, and loopbacks 127.2.P.octet', () => {
    const hosts = profileHosts({ kind: 'lab', pods: 3 });
    const pod3 = { name: 'pod03', cidr: '10.77.3.0/24', gateway: '10.77.3.1' };
    expect(hosts.map((host) => host.name)).toEqual([
      'pod01-nfs', 'pod01-kvm1', 'pod01-kvm2',
      'pod02-nfs', 'pod02-kvm1', 'pod02-kvm2',
      'pod03-nfs', 'pod03-kvm1', 'pod03-kvm2',
    ]);
    expect(hosts.slice(6)).toEqual([
      { name: 'pod03-nfs', labAddress: '10.77.3.15', loopbackAddress: '127.2.3.15', groups: ['nfs_server'], nfsServer: true, pod: { network: pod3, nameInPod: 'nfs' } },
      { name: 'pod03-kvm1', labAddress: '10.77.3.13', loopbackAddress: '127.2.3.13', groups: ['kvm_hosts'], nfsServer: false, pod: { network: pod3, nameInPod: 'kvm1' } },
      { name: 'pod03-kvm2', labAddress: '10.77.3.14', loopbackAddress: '127.2.3.14', groups: ['kvm_hosts'], nfsServer: false, pod: { network: pod3, nameInPod: 'kvm2' } },
    ]);
  });

  it('numbers pods with two digits up to the limit, every address distinct and in 127.0.0.0/8 for the runner', () => {
    const hosts = profileHosts({ kind: 'lab', pods: MAX_PODS });
    expect(hosts).toHaveLength(3 * MAX_PODS);
    expect(hosts.at(-1)?.name).toBe(`pod${MAX_PODS}-kvm2`);
    expect(new Set(hosts.map((host) => host.labAddress)).size).toBe(hosts.length);
    expect(new Set(hosts.map((host) => host.loopbackAddress)).size).toBe(hosts.length);
    for (const host of hosts) expect(host.loopbackAddress).toMatch(/^127\.2\.\d{1,3}\.1[345]$/);
  });

  it('puts each pod on a lab network of its own, the hosts of one pod being each other\'s only peers', () => {
    const hosts = profileHosts({ kind: 'lab', pods: 2 });
    expect(labNetworks(hosts).map((network) => network.name)).toEqual(['pod01', 'pod02']);
    expect(sandboxPods(hosts).map(({ network, hosts: members }) => [network.cidr, members.map((host) => host.name)])).toEqual([
      ['10.77.1.0/24', ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2']],
      ['10.77.2.0/24', ['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2']],
    ]);
    const kvm1 = hosts.find((host) => host.name === 'pod02-kvm1');
    if (!kvm1) throw new Error('no pod02-kvm1');
    expect(networkPeers(kvm1, hosts).map((host) => host.name)).toEqual(['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2']);
    expect(labNames(kvm1)).toEqual(['pod02-kvm1', 'kvm1']);
  });

  it('keeps the plain lab on one network, with no pods', () => {
    const hosts = profileHosts({ kind: 'lab' });
    expect(labNetworks(hosts)).toEqual([{ name: 'lab', cidr: '10.77.0.0/24', gateway: '10.77.0.1' }]);
    expect(sandboxPods(hosts)).toEqual([]);
    expect(hosts.map((host) => hostNetwork(host).name)).toEqual(['lab', 'lab', 'lab']);
    expect(hosts.map(labNames)).toEqual([['nfs'], ['kvm1'], ['kvm2']]);
  });

  it.each([0, MAX_PODS + 1, 2.5])('refuses %s pods', (pods) => {
    expect(() => profileHosts({ kind: 'lab', pods })).toThrow(RunbookError);
  });

  it('describes the classroom', () => {
    expect(describeProfile({ kind: 'lab', pods: 1 })).toBe('lab profile, 1 pod');
    expect(describeProfile({ kind: 'lab', pods: 12 })).toBe('lab profile, 12 pods');
    expect(describeProfile({ kind: 'lab' })).toBe('lab profile');
  });

  it('fits every network interface name of the largest classroom in 15 bytes', () => {
    const hosts = profileHosts({ kind: 'lab', pods: MAX_PODS });
    const names = [...hosts.map(vethName), ...labNetworks(hosts).map(bridgeName)];
    expect(names.filter((name) => name.length > MAX_INTERFACE_NAME_LENGTH)).toEqual([]);
    expect(new Set(names).size).toBe(names.length);
  });
});
