import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

const PLAYBOOK = `
- name: selinux_boolean module on the sandbox
  hosts: kvm_hosts
  tasks:
    - name: qemu may use NFS
      selinux_boolean: { name: virt_use_nfs, state: "on" }
`;

describe('selinux_boolean on Debian sandbox hosts', () => {
  it('the hosts have no SELinux', async () => {
    for (const host of ['kvm1', 'kvm2']) {
      const result = await sshToHost(host, sh`test -e /sys/fs/selinux/enforce || command -v getsebool || echo none`);
      expect(result.stdout).toBe('none\n');
    }
  });

  it.each([false, true])('is skipped with the reason, check mode %s, changing nothing', async (check) => {
    const applied = await apply(PLAYBOOK, { check, diff: true });
    expect(changedCount(applied)).toBe(0);
    expect(resultsOf(applied, 'qemu may use NFS')).toEqual({
      kvm1: expect.objectContaining({ status: 'skipped', message: 'SELinux is not present on kvm1: no boolean to set' }),
      kvm2: expect.objectContaining({ status: 'skipped', message: 'SELinux is not present on kvm2: no boolean to set' }),
    });
    expect(applied.report.recap).toMatchObject({ kvm1: { skipped: 1, failed: 0 }, kvm2: { skipped: 1, failed: 0 } });
  });
});
