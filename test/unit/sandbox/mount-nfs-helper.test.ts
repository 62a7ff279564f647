import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MOUNT_NFS_HELPER } from '../../../src/sandbox/mount-nfs-helper.js';

/**
 * The helper's decisions through the real /bin/sh, with nfs-ls, mount and umount replaced by
 * recorders on PATH. Binding the shared storage itself is exercised on real hosts in
 * test/integration/sandbox/nfs.test.ts.
 */

const dir = mkdtempSync(join(tmpdir(), 'runbook-mount-nfs-'));
const bin = join(dir, 'bin');
const mountPoint = join(dir, 'mnt');
const calls = join(dir, 'calls');
mkdirSync(bin);
mkdirSync(mountPoint);
const helper = join(bin, 'mount.nfs');
writeFileSync(helper, MOUNT_NFS_HELPER, { mode: 0o755 });
symlinkSync('mount.nfs', join(bin, 'umount.nfs'));
for (const program of ['mount', 'umount']) {
  writeFileSync(join(bin, program), `#!/bin/sh\necho "${program} $*" >> '${calls}'\n`, { mode: 0o755 });
}
writeFileSync(join(bin, 'nfs-ls'), `#!/bin/sh\necho "nfs-ls $*" >> '${calls}'\nprintf '%s\\n' "$NFS_LS_OUTPUT"\nexit "$NFS_LS_CODE"\n`);
chmodSync(join(bin, 'nfs-ls'), 0o755);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function run(program: string, args: string[], nfsLs: { output: string; code: number } = { output: '', code: 0 }) {
  rmSync(calls, { force: true });
  const result = spawnSync(join(bin, program), args, {
    encoding: 'utf8',
    env: { PATH: `${bin}:/usr/bin:/bin`, NFS_LS_OUTPUT: nfsLs.output, NFS_LS_CODE: String(nfsLs.code) },
  });
  return { code: result.status, stderr: result.stderr, calls: existsSync(calls) ? readFileSync(calls, 'utf8') : '' };
}

describe('the sandbox mount.nfs helper', () => {
  it.each([
    ['Failed to mount nfs share : nfs_service failed', 'mount.nfs: Connection refused'],
    ['Failed to mount nfs share : mount_cb: RPC error. Program is not available on nfs', 'mount.nfs: Connection refused'],
    [
      'Failed to mount nfs share : mount_cb: RPC error: Mount failed with error MNT3ERR_ACCES(13) Permission denied(13)',
      'mount.nfs: access denied by server while mounting nfs:/var/lib/libvirt/images',
    ],
    [
      'Failed to mount nfs share : mount_cb: RPC error: Mount failed with error MNT3ERR_NOENT(2)',
      'mount.nfs: mounting nfs:/var/lib/libvirt/images failed, reason given by server: No such file or directory',
    ],
    ['Failed to start connection. Invalid address:nfs. Can not resolv into IPv4/v6 structure.', 'mount.nfs: Failed to resolve server nfs: Name or service not known'],
  ])('refuses like mount.nfs, exit 32, when nfs-ls says %s', (output, message) => {
    const result = run('mount.nfs', ['nfs:/var/lib/libvirt/images', mountPoint, '-o', 'rw,vers=4'], { output, code: 1 });
    expect(result.code).toBe(32);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stderr).toContain(`nfs-ls nfs://nfs/var/lib/libvirt/images failed: ${output}`);
    expect(result.calls).toBe('nfs-ls nfs://nfs/var/lib/libvirt/images\n');
  });

  it('refuses paths outside the shared storage without asking the server', () => {
    const result = run('mount.nfs', ['nfs:/srv/other', mountPoint]);
    expect(result).toMatchObject({ code: 32, calls: '' });
    expect(result.stderr).toMatch(/^mount\.nfs: access denied by server while mounting nfs:\/srv\/other\n/);
  });

  it('checks its arguments like mount.nfs', () => {
    expect(run('mount.nfs', ['nfs:/var/lib/libvirt/images'])).toMatchObject({ code: 2, calls: '' });
    expect(run('mount.nfs', ['no-colon', mountPoint])).toMatchObject({ code: 32, stderr: "mount.nfs: remote share not in 'host:dir' format\n" });
    expect(run('mount.nfs', ['nfs:/var/lib/libvirt/images', join(dir, 'missing')])).toMatchObject({
      code: 32,
      stderr: `mount.nfs: mount point ${join(dir, 'missing')} does not exist\n`,
    });
  });

  it('remounts the existing bind mount with the new mode and asks nothing of the server', () => {
    expect(run('mount.nfs', ['nfs:/var/lib/libvirt/images', mountPoint, '-o', 'remount,ro'])).toMatchObject({
      code: 0,
      calls: `mount -o remount,bind,ro ${mountPoint}\n`,
    });
  });

  it('unmounts directly when called as umount.nfs', () => {
    expect(run('umount.nfs', [mountPoint, '-f'])).toMatchObject({ code: 0, calls: `umount -i ${mountPoint} -f\n` });
  });
});
