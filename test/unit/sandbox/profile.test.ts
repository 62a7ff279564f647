import { describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { MAX_GENERIC_HOSTS, profileHosts } from '../../../src/sandbox/profile.js';

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
