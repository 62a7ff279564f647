import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

const openings = (hosts: string, extra = '') => `
- name: firewall module on the sandbox
  hosts: ${hosts}
  tasks:
    - name: NFS and the migration range
      firewall: { service: [nfs, rpc-bind, mountd], port: 49152-49215/tcp${extra} }
`;

const FIREWALLD = `
- name: firewalld on kvm2
  hosts: kvm2
  tasks:
    - name: firewalld installed
      package: { name: firewalld, update_cache: true, cache_valid_time: 3600 }
    - name: firewalld running
      service: { name: firewalld, state: started, enabled: true }
`;

/** What firewalld itself says is open on kvm2, running and permanent. */
async function openOnKvm2(): Promise<string> {
  const result = await sshToHost(
    'kvm2',
    sh`for c in --list-services --list-ports; do firewall-cmd $c; firewall-cmd --permanent $c; done`,
  );
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe('firewall on hosts without firewalld', () => {
  it.each([false, true])('is skipped with the reason (check mode %s)', async (check) => {
    const applied = await apply(openings('all'), { check });
    expect(changedCount(applied)).toBe(0);
    const results = resultsOf(applied, 'NFS and the migration range');
    for (const host of ['nfs', 'kvm1', 'kvm2']) {
      expect(results[host]).toMatchObject({ status: 'skipped', message: `firewalld is not installed on ${host}: nothing to open or close` });
    }
  });

  it('fails instead when told firewalld is required', async () => {
    const applied = await apply(openings('kvm1', ', required: true'));
    expect(applied.code).not.toBe(0);
    expect(resultsOf(applied, 'NFS and the migration range').kvm1).toMatchObject({
      status: 'failed',
      message: 'firewalld is not installed on kvm1 (required: true)',
    });
  });
});

// firewalld runs in an nspawn host with its own network namespace: nf_tables is built into this
// kernel and the host keeps CAP_NET_ADMIN in its namespace.
describe('firewall with firewalld running in a sandbox host', () => {
  it('--check reports the openings and changes nothing', async () => {
    expect(changedCount(await apply(FIREWALLD))).toBeGreaterThan(0);
    const before = await openOnKvm2();
    expect(before).not.toMatch(/nfs|49152/);
    const checked = await apply(openings('kvm2'), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(resultsOf(checked, 'NFS and the migration range').kvm2!.message).toBe(
      'would allow nfs, rpc-bind, mountd, 49152-49215/tcp (permanent and runtime) in zone public',
    );
    expect(await openOnKvm2()).toBe(before);
  });

  it('opens services and ports permanently and immediately, with a diff of both', async () => {
    const applied = await apply(openings('kvm2'), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(applied.stdout).toMatch(/\+permanent services: .*nfs rpc-bind mountd/);
    expect(applied.stdout).toContain('+runtime ports: 49152-49215/tcp');
    const open = (await openOnKvm2()).split('\n');
    for (const services of open.slice(0, 2)) expect(services.split(' ')).toEqual(expect.arrayContaining(['nfs', 'rpc-bind', 'mountd']));
    expect(open.slice(2, 4)).toEqual(['49152-49215/tcp', '49152-49215/tcp']);
    const rules = await sshToHost('kvm2', sh`nft list ruleset`);
    expect(rules.stdout).toMatch(/tcp dport 49152-49215/);
  });

  it('re-applies with 0 changed, also after firewalld reloaded its permanent configuration', async () => {
    for (const reload of [false, true]) {
      if (reload) expect((await sshToHost('kvm2', sh`firewall-cmd --reload`)).code).toBe(0);
      const again = await apply(openings('kvm2'));
      expect(changedCount(again)).toBe(0);
      expect(resultsOf(again, 'NFS and the migration range').kvm2!.message).toBe(
        'nfs, rpc-bind, mountd, 49152-49215/tcp already allowed in zone public (permanent and runtime)',
      );
    }
  });

  it('closes them again', async () => {
    const closed = await apply(openings('kvm2', ', state: disabled'));
    expect(changedCount(closed)).toBe(1);
    expect(await openOnKvm2()).not.toMatch(/nfs|mountd|rpc-bind|49152/);
    expect(changedCount(await apply(openings('kvm2', ', state: disabled')))).toBe(0);
  });

  it('is skipped once firewalld is stopped', async () => {
    expect((await sshToHost('kvm2', sh`systemctl stop firewalld`)).code).toBe(0);
    const applied = await apply(openings('kvm2'));
    expect(resultsOf(applied, 'NFS and the migration range').kvm2).toMatchObject({
      status: 'skipped',
      message: 'firewalld is not running on kvm2: nothing to open or close',
    });
  });
});
