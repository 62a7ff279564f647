import { describe, expect, it } from 'vitest';
import { decodeField, editFstab, encodeField, liveMount, mountModule, parseMountLine } from '../../../../src/modules/mount.js';
import type { Command } from '../../../../src/shell/command.js';
import { runShell } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

describe('fstab fields', () => {
  it.each(['/srv/lab share', 'tab\there', 'back\\slash', 'new\nline', "it's $(x)"])('%j survives encode and decode', (value) => {
    const encoded = encodeField(value);
    expect(encoded).not.toMatch(/[\s]/);
    expect(decodeField(encoded)).toBe(value);
  });

  it('reads a line with missing dump and passno as zeros', () => {
    expect(parseMountLine('server:/x /mnt/x nfs rw')).toEqual({ src: 'server:/x', path: '/mnt/x', fstype: 'nfs', opts: 'rw', dump: '0', passno: '0' });
    expect(parseMountLine('  # comment')).toBeUndefined();
  });

  it('keeps an fstab that already holds the entry byte for byte, spacing and all', () => {
    const text = '# comment\nnfs:/x\t/mnt/x  nfs defaults\t0 0';
    const wanted = { src: 'nfs:/x', path: '/mnt/x', fstype: 'nfs', opts: 'defaults', dump: '0', passno: '0' };
    expect(editFstab(text, '/mnt/x', wanted).text).toBe(text);
    expect(editFstab(text, '/mnt/x', undefined).text).toBe('# comment\n');
  });
});

describe('live state', () => {
  it('finds the root mount in the real /proc/self/mounts read by the probe', () => {
    const probe = mountModule.probe!({ path: '/', state: 'unmounted' }, fakeContext())['mounts'] as Command;
    const result = runShell(probe);
    expect(result.code).toBe(0);
    expect(liveMount(result.stdout, '/')).toMatchObject({ path: '/' });
  });

  it('takes the mount on top when a path is mounted twice', () => {
    const mounts = 'tmpfs /mnt tmpfs rw 0 0\n/dev/sdb1 /mnt ext4 rw 0 0\n';
    expect(liveMount(mounts, '/mnt')?.src).toBe('/dev/sdb1');
  });
});
