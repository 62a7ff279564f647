import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unarchiveModule } from '../../../../src/modules/unarchive.js';
import { applyLocally } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

// unarchive's probes and steps on the real /bin/sh: a controller's archive (found in files/) is sent
// only while a member differs from dest; a host's archive (remote_src) is compared by tar --diff.
const root = mkdtempSync(join(tmpdir(), 'runbook-unarchive-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const playbookDir = join(root, 'playbook');
const tree = join(root, 'tree');
mkdirSync(join(playbookDir, 'files'), { recursive: true });
mkdirSync(join(tree, "it's dir"), { recursive: true });
writeFileSync(join(tree, "it's dir", 'a.txt'), 'alpha\n');
writeFileSync(join(tree, 'b.txt'), 'beta\n');
execFileSync('tar', ['-czf', join(playbookDir, 'files', 'site.tar.gz'), '-C', tree, '.']);
execFileSync('tar', ['-cf', join(root, 'remote.tar'), '-C', tree, 'b.txt']);
const context = fakeContext({ playbookDir, readLocalFile: (path) => readFileSync(resolve(playbookDir, path)) });
const unarchive = (args: Record<string, unknown>) => applyLocally(unarchiveModule, args, context).plan;

describe('unarchive on a real sh', () => {
  it('unpacks a controller archive found in files/, then is ok; a changed member unpacks it again', () => {
    const dest = join(root, 'dest');
    mkdirSync(dest);
    const first = unarchive({ src: 'site.tar.gz', dest, list_files: true });
    expect(first.kind).toBe('change');
    expect([...((first.result?.files as string[]) ?? [])].sort()).toEqual(['b.txt', "it's dir", "it's dir/a.txt"]);
    expect(readFileSync(join(dest, "it's dir", 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(unarchive({ src: 'site.tar.gz', dest })).toMatchObject({ kind: 'noop' });
    utimesSync(join(dest, 'b.txt'), 0, 0);
    expect(unarchive({ src: 'site.tar.gz', dest })).toMatchObject({ kind: 'change', summary: `unpack site.tar.gz into ${dest} (1 member differ)` });
  });

  it("a host's archive is compared by tar --diff; creates skips; dest must be a directory", () => {
    const dest = join(root, 'remote-dest');
    mkdirSync(dest);
    const src = join(root, 'remote.tar');
    expect(unarchive({ src, dest, remote_src: true }).kind).toBe('change');
    expect(unarchive({ src, dest, remote_src: true })).toMatchObject({ kind: 'noop' });
    expect(unarchive({ src, dest: join(root, 'nowhere'), remote_src: true })).toMatchObject({ kind: 'fail', message: `dest '${join(root, 'nowhere')}' must be an existing dir` });
    expect(unarchive({ src, dest: join(root, 'nowhere'), creates: src })).toMatchObject({ kind: 'noop', reason: `skipped, since ${src} exists` });
  });
});
