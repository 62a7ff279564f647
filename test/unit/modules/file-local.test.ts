import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
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

  it('makes, keeps and retargets a symbolic link', () => {
    const path = join(root, 'link $(x)');
    expect(apply({ path, state: 'link', src: 'target one' }).kind).toBe('change');
    expect(readlinkSync(path)).toBe('target one');
    expect(apply({ path, state: 'link', src: 'target one' })).toMatchObject({ kind: 'noop' });
    apply({ path, state: 'link', src: '/elsewhere' });
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
});
