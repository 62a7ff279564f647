import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileModule } from '../../../src/modules/file.js';
import { applyLocally } from '../../helpers/local-shell.js';
import { fakeContext } from '../../helpers/module-fixtures.js';

// The file module's probes and steps executed by the real /bin/sh: each change, then the same task
// again reporting ok (the second run of a converged task changes nothing).

const root = mkdtempSync(join(tmpdir(), 'runbook-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const context = fakeContext();
const apply = (args: Record<string, unknown>) => applyLocally(fileModule, args, context).plan;
const modeOf = (path: string) => statSync(path).mode & 0o7777;

describe('file on a real sh', () => {
  it('creates a directory with parents and a mode, then is ok', () => {
    const path = join(root, "new parent/it's dir");
    expect(apply({ path, state: 'directory', mode: '0711' }).kind).toBe('change');
    expect(statSync(path).isDirectory()).toBe(true);
    expect(modeOf(path)).toBe(0o711);
    expect(apply({ path, state: 'directory', mode: '0711' })).toMatchObject({ kind: 'noop' });
  });

  it('applies a mode to a whole tree only while something below differs', () => {
    const path = join(root, '-tree');
    mkdirSync(join(path, 'sub'), { recursive: true });
    writeFileSync(join(path, 'sub', 'file'), '');
    chmodSync(join(path, 'sub', 'file'), 0o600);
    chmodSync(path, 0o750);
    expect(apply({ path, state: 'directory', mode: '0750', recurse: true }).kind).toBe('change');
    expect([path, join(path, 'sub'), join(path, 'sub', 'file')].map(modeOf)).toEqual([0o750, 0o750, 0o750]);
    expect(apply({ path, state: 'directory', mode: '0750', recurse: true })).toMatchObject({ kind: 'noop' });
  });

  it('makes, keeps and retargets a symbolic link (force: its src does not exist)', () => {
    const path = join(root, 'link $(x)');
    expect(apply({ path, state: 'link', src: 'target one', force: true }).kind).toBe('change');
    expect(readlinkSync(path)).toBe('target one');
    expect(apply({ path, state: 'link', src: 'target one', force: true })).toMatchObject({ kind: 'noop' });
    apply({ path, state: 'link', src: '/elsewhere', force: true });
    expect(readlinkSync(path)).toBe('/elsewhere');
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
  });

  it('touches a new file with a mode, and removes it', () => {
    const path = join(root, 'stamp');
    apply({ path, state: 'touch', mode: '0604' });
    expect(modeOf(path)).toBe(0o604);
    expect(apply({ path, state: 'absent' }).kind).toBe('change');
    expect(existsSync(path)).toBe(false);
    expect(apply({ path, state: 'absent' })).toMatchObject({ kind: 'noop', reason: `${path} does not exist` });
  });

  it('changes the mode of an existing file, then is ok', () => {
    const path = join(root, 'conf');
    writeFileSync(path, 'x');
    chmodSync(path, 0o644);
    expect(apply({ path, mode: '0600' }).kind).toBe('change');
    expect(modeOf(path)).toBe(0o600);
    expect(apply({ path, mode: '0600' })).toMatchObject({ kind: 'noop' });
  });

  it('without state: the current type, and a missing path fails as in Ansible', () => {
    const dir = join(root, 'dir-no-state');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(apply({ path: dir, mode: '0700' }).kind).toBe('change');
    expect(modeOf(dir)).toBe(0o700);
    expect(apply({ path: dir, mode: '0700' })).toMatchObject({ kind: 'noop', result: { state: 'directory' } });
    expect(apply({ path: join(root, 'nothing') })).toMatchObject({ kind: 'fail', message: `file (${join(root, 'nothing')}) is absent, cannot continue` });
  });

  it('follows a link for mode and owner (follow: true), and creates every missing parent with the mode', () => {
    const target = join(root, 'target-file');
    writeFileSync(target, 'x');
    chmodSync(target, 0o644);
    const link = join(root, 'followed-link');
    expect(apply({ path: link, src: 'target-file', state: 'link', mode: '0600' }).kind).toBe('change');
    expect(readlinkSync(link)).toBe('target-file');
    expect(modeOf(target)).toBe(0o600);
    expect(apply({ path: link, src: 'target-file', state: 'link', mode: '0600' })).toMatchObject({ kind: 'noop' });
    expect(apply({ path: link, mode: '0640' }).kind).toBe('change');
    expect(modeOf(target)).toBe(0o640);
    const deep = join(root, 'a', 'b', 'c');
    expect(apply({ path: deep, state: 'directory', mode: '0700' }).kind).toBe('change');
    expect([join(root, 'a'), join(root, 'a', 'b'), deep].map(modeOf)).toEqual([0o700, 0o700, 0o700]);
  });

  it('refuses a link to a missing src without force, and a file in the way without force', () => {
    const link = join(root, 'dangling');
    expect(apply({ path: link, src: 'nowhere', state: 'link' })).toMatchObject({ kind: 'fail', message: `src file does not exist, use "force=yes" if you really want to create the link: ${join(root, 'nowhere')}` });
    expect(apply({ path: link, src: 'nowhere', state: 'link', force: true }).kind).toBe('change');
    expect(readlinkSync(link)).toBe('nowhere');
    const file = join(root, 'in-the-way');
    writeFileSync(file, '');
    expect(apply({ path: file, src: 'target-file', state: 'link' })).toMatchObject({ kind: 'fail', message: `refusing to convert from file to symlink for ${file}` });
  });

  it('makes a hard link, then is ok', () => {
    const source = join(root, 'hard-source');
    writeFileSync(source, 'h');
    const path = join(root, 'hard-copy');
    expect(apply({ path, src: source, state: 'hard' }).kind).toBe('change');
    expect(statSync(path).ino).toBe(statSync(source).ino);
    expect(apply({ path, src: source, state: 'hard' })).toMatchObject({ kind: 'noop' });
  });

  it('sets explicit times, then preserves them', () => {
    const path = join(root, 'timed');
    writeFileSync(path, '');
    utimesSync(path, 0, 0);
    const args = { path, state: 'file', modification_time: '202401020304.05', access_time: 'preserve' };
    expect(apply(args).kind).toBe('change');
    expect(statSync(path).mtime.getFullYear()).toBe(2024);
    expect(apply(args)).toMatchObject({ kind: 'noop' });
    expect(apply({ path, state: 'touch', access_time: 'preserve', modification_time: 'preserve' })).toMatchObject({ kind: 'noop' });
    expect(apply({ path, state: 'touch' }).kind).toBe('change');
  });

  it('a link with follow: false gets owner and group on the link itself; a link to a directory', () => {
    const dir = join(root, 'linked-dir');
    mkdirSync(dir);
    const link = join(root, 'dir-link');
    symlinkSync('linked-dir', link);
    expect(apply({ path: link, state: 'directory', mode: '0711' }).kind).toBe('change');
    expect(modeOf(dir)).toBe(0o711);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
});
