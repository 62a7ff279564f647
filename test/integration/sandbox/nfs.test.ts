import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';

/**
 * The kernel here has no NFS client or server. The sandbox's answer: nfs-ganesha serves the shared
 * storage from the nfs host over real NFS, and the KVM hosts' mount.nfs helper proves (with libnfs)
 * that the export is served before binding the same storage. These tests claim no more than that:
 * the mount is ext4, not nfs.
 */

const EXPORT = '/var/lib/libvirt/images';
const MOUNT = sh`mount -t nfs ${`nfs:${EXPORT}`} ${EXPORT}`;
const GANESHA_CONF = [
  'NFS_CORE_PARAM { Protocols = 3, 4; Enable_NLM = false; Enable_RQUOTA = false; }',
  'NFSV4 { Graceless = true; }',
  `EXPORT { Export_Id = 1; Path = ${EXPORT}; Pseudo = ${EXPORT}; Access_Type = RW; Squash = No_Root_Squash;`,
  '  Protocols = 3, 4; Transports = TCP; FSAL { Name = VFS; } }',
];

async function ok(host: string, command: ReturnType<typeof sh>): Promise<string> {
  const result = await sshToHost(host, command);
  expect(result.code, `${host}: ${command.render()}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  for (const host of ['kvm1', 'kvm2']) await ok(host, sh`mkdir -p ${EXPORT}`);
});

describe('mount -t nfs on a KVM host', () => {
  it('refuses like mount.nfs while nothing serves the export', async () => {
    const result = await sshToHost('kvm1', MOUNT);
    expect(result.code).toBe(32);
    expect(result.stderr).toMatch(/^mount\.nfs: Connection refused$/m);
    expect(result.stderr).toContain(`nfs-ls nfs://nfs${EXPORT} failed`);
    expect(await sshToHost('kvm1', sh`mountpoint -q ${EXPORT}`)).toMatchObject({ code: 32 });
  });

  it('refuses a path outside the shared storage', async () => {
    const result = await sshToHost('kvm1', sh`mkdir -p /mnt/other && mount -t nfs nfs:/srv/other /mnt/other`);
    expect(result.code).toBe(32);
    expect(result.stderr).toMatch(/^mount\.nfs: access denied by server while mounting nfs:\/srv\/other$/m);
  });

  it('mounts the shared storage once nfs-ganesha serves it, and both KVM hosts see the same files', async () => {
    await ok('nfs', sh`apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nfs-ganesha nfs-ganesha-vfs`);
    await ok('nfs', sh`printf '%s\n' ${GANESHA_CONF} > /etc/ganesha/ganesha.conf && systemctl restart nfs-ganesha`);
    // Served over the real protocol, as seen from a KVM host (waits for ganesha to register).
    await ok('kvm1', sh`for try in $(seq 30); do nfs-ls ${`nfs://nfs${EXPORT}`} >/dev/null && exit 0; sleep 1; done; exit 1`);

    for (const host of ['kvm1', 'kvm2']) await ok(host, MOUNT);
    expect(await ok('kvm1', sh`findmnt -n -o FSTYPE ${EXPORT}`)).toBe('ext4\n');

    const name = `shared-${randomBytes(4).toString('hex')}`;
    await ok('kvm1', sh`echo written on kvm1 > ${`${EXPORT}/${name}`}`);
    expect(await ok('kvm2', sh`cat ${`${EXPORT}/${name}`}`)).toBe('written on kvm1\n');
    expect(await ok('nfs', sh`cat ${`${EXPORT}/${name}`}`)).toBe('written on kvm1\n');
    // The same file read over NFS from the server.
    expect(await ok('kvm2', sh`nfs-cat ${`nfs://nfs${EXPORT}/${name}`}`)).toBe('written on kvm1\n');
  });

  it('remounts read-only and back with -o remount, on that host only', async () => {
    await ok('kvm1', sh`mount -t nfs -o remount,ro ${`nfs:${EXPORT}`} ${EXPORT}`);
    const readOnly = await sshToHost('kvm1', sh`touch ${`${EXPORT}/readonly-probe`}`);
    expect(readOnly.code).not.toBe(0);
    expect(readOnly.stderr).toContain('Read-only file system');
    await ok('kvm2', sh`touch ${`${EXPORT}/writable-probe`} && rm ${`${EXPORT}/writable-probe`}`);
    await ok('kvm1', sh`mount -t nfs -o remount,rw ${`nfs:${EXPORT}`} ${EXPORT}`);
    await ok('kvm1', sh`touch ${`${EXPORT}/readonly-probe`} && rm ${`${EXPORT}/readonly-probe`}`);
  });

  it('unmounts with a plain umount', async () => {
    await ok('kvm1', sh`umount ${EXPORT}`);
    expect(await sshToHost('kvm1', sh`mountpoint -q ${EXPORT}`)).toMatchObject({ code: 32 });
  });
});
