import { beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// nfs-ganesha really serving an export of the test's own (a directory below the lab's shared
// storage, which the nfs host has on ext4 as ganesha needs), listed over NFS from the KVM hosts
// and mounted on both; the lab's own export path and mount point are left alone.
const EXPORT = '/var/lib/libvirt/images/rb-module-test';
const MOUNT_POINT = '/srv/rb-nfs-test';
const MARKER = `# BEGIN runbook nfs_export ${EXPORT}`;

const exportPlaybook = (args: string) => `
- name: nfs_export module on the sandbox
  hosts: nfs_server
  tasks:
    - name: the export
      nfs_export: { path: ${EXPORT}, backend: ganesha, ${args} }
`;
const LAB_CLIENTS = `clients: "{{ lab_network }}(rw,no_root_squash)", mode: "0755"`;

// ganesha as the sandbox runs it: NFSv3/v4 without NLM and rquota, which need kernel parts these
// hosts lack. The settings go into a file of their own that ganesha.conf includes, so the export
// block the module manages and the copy task never touch the same lines.
const SERVER_SETUP = `
- name: nfs-ganesha on the server
  hosts: nfs_server
  tasks:
    - name: ganesha packages
      package: { name: [nfs-ganesha, nfs-ganesha-vfs], update_cache: true, cache_valid_time: 3600 }
    - name: ganesha core settings
      copy:
        dest: /etc/ganesha/sandbox-core.conf
        content: |
          NFS_CORE_PARAM { Protocols = 3, 4; Enable_NLM = false; Enable_RQUOTA = false; }
          NFSV4 { Graceless = true; }
    - name: ganesha.conf includes them
      line: { path: /etc/ganesha/ganesha.conf, line: '%include "/etc/ganesha/sandbox-core.conf"' }
    - name: ganesha restarted with them
      service: { name: nfs-ganesha, state: restarted, enabled: true }
`;

const mountPlaybook = (state: string) => `
- name: the export mounted on the KVM hosts
  hosts: kvm_hosts
  tasks:
    - name: the mount
      mount: { path: ${MOUNT_POINT}, src: "nfs:${EXPORT}", fstype: nfs, opts: "defaults,_netdev", state: ${state} }
`;

async function nfsList(from: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return sshToHost(from, sh`nfs-ls ${`nfs://nfs${EXPORT}`}`);
}

async function exportState(): Promise<string> {
  return (await sshToHost('nfs', sh`stat -c %a ${EXPORT} 2>/dev/null || echo no-directory; grep -cxF ${MARKER} /etc/ganesha/ganesha.conf 2>/dev/null || true`)).stdout;
}

beforeAll(async () => {
  expect(await exportState()).toBe('no-directory\n');
});

describe('nfs_export with nfs-ganesha on the sandbox', () => {
  it('--check on a fresh host reports the export and changes nothing', async () => {
    const checked = await apply(exportPlaybook(LAB_CLIENTS), { check: true, diff: true });
    expect(changedCount(checked)).toBe(1);
    expect(resultsOf(checked, 'the export').nfs!.message).toBe(`would create ${EXPORT}; export ${EXPORT} (ganesha)`);
    expect(checked.stdout).toContain(`+${MARKER}`);
    expect(await exportState()).toBe('no-directory\n');
  });

  it('exports the directory; ganesha serves it over NFS to the lab network', async () => {
    expect(changedCount(await apply(SERVER_SETUP))).toBeGreaterThan(0);
    const applied = await apply(exportPlaybook(LAB_CLIENTS), { diff: true });
    expect(changedCount(applied)).toBe(1);
    const diff = resultsOf(applied, 'the export').nfs!.diff!;
    expect(diff.find((entry) => entry.label === '/etc/ganesha/ganesha.conf')?.after).toContain(
      `${MARKER}\nEXPORT {\n\tExport_Id = 1;\n\tPath = "${EXPORT}";\n\tPseudo = "${EXPORT}";\n\tFSAL { Name = VFS; }\n\tAccess_Type = None;\n\tCLIENT {\n\t\tClients = 10.77.0.0/24;\n\t\tAccess_Type = RW;\n\t\tSquash = No_Root_Squash;\n\t}\n}\n`,
    );
    expect(await exportState()).toBe('755\n1\n');

    expect((await sshToHost('nfs', sh`echo served > ${`${EXPORT}/served.txt`}`)).code).toBe(0);
    for (const client of ['kvm1', 'kvm2']) {
      const listing = await nfsList(client);
      expect(listing.stdout, listing.stderr).toMatch(/served\.txt/);
    }
  });

  it('re-applies with 0 changed and says why', async () => {
    const again = await apply(exportPlaybook(LAB_CLIENTS));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the export').nfs!.message).toBe(`${EXPORT} is exported as wanted in /etc/ganesha/ganesha.conf`);
  });

  it('the mount leaves an fstab entry and a mounted path on both KVM hosts', async () => {
    const checked = await apply(mountPlaybook('mounted'), { check: true });
    expect(changedCount(checked)).toBe(2);
    expect((await sshToHost('kvm1', sh`grep -c -- ${MOUNT_POINT} /etc/fstab; test -d ${MOUNT_POINT} || echo no-mount-point`)).stdout).toBe('0\nno-mount-point\n');

    const mounted = await apply(mountPlaybook('mounted'), { diff: true });
    expect(changedCount(mounted)).toBe(2);
    for (const host of ['kvm1', 'kvm2']) {
      const state = await sshToHost(host, sh`grep -F -- ${` ${MOUNT_POINT} `} /etc/fstab; findmnt -n -o TARGET -- ${MOUNT_POINT}; cat ${`${MOUNT_POINT}/served.txt`}`);
      expect(state.stdout, state.stderr).toBe(`nfs:${EXPORT} ${MOUNT_POINT} nfs defaults,_netdev 0 0\n${MOUNT_POINT}\nserved\n`);
    }
    expect(changedCount(await apply(mountPlaybook('mounted')))).toBe(0);
  });

  it('new client options replace the block in place and ganesha applies them on reload', async () => {
    // Only kvm2 may mount now: kvm1 is refused over the real protocol.
    const applied = await apply(exportPlaybook(`clients: "10.77.0.14(ro)", mode: "0755"`), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(applied.stdout).toContain('+\t\tClients = 10.77.0.14;');
    expect(applied.stdout).toContain('+\t\tAccess_Type = RO;');
    expect((await nfsList('kvm2')).stdout).toMatch(/served\.txt/);
    const refused = await nfsList('kvm1');
    expect(refused.code).not.toBe(0);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(/ACCES|PERM|denied/i);
  });

  it('absent removes the block (the directory stays) and the export is no longer served', async () => {
    expect(changedCount(await apply(mountPlaybook('absent')))).toBe(2);
    const removed = await apply(exportPlaybook('state: absent'), { diff: true });
    expect(changedCount(removed)).toBe(1);
    expect(removed.stdout).toContain(`-${MARKER}`);
    expect(await exportState()).toBe('755\n0\n');
    expect((await nfsList('kvm2')).code).not.toBe(0);
    const again = await apply(exportPlaybook('state: absent'));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the export').nfs!.message).toBe(`${EXPORT} is not exported in /etc/ganesha/ganesha.conf`);
  });
});
