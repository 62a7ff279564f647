import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitModule, parseLsRemote } from '../../../../src/modules/git.js';
import { applyLocally } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

// The module's probes and steps run by this machine's git against a local bare repository (a path,
// read as file:// as Ansible does): clone, again ok, a new commit moves HEAD, local changes need force.
const root = mkdtempSync(join(tmpdir(), 'runbook-git-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function git(...args: string[]): string {
  const result = spawnSync('git', ['-c', 'user.email=lab@example.org', '-c', 'user.name=lab', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

const work = join(root, 'work');
const bare = join(root, 'repo.git');
git('init', '-q', '-b', 'main', work);
git('-C', work, 'commit', '-q', '--allow-empty', '-m', 'one');
git('-C', work, 'tag', '-a', 'v1', '-m', 'release one');
const first = git('-C', work, 'rev-parse', 'HEAD');
git('clone', '-q', '--bare', work, bare);
const dest = join(root, 'check out');

describe('git against a local repository', () => {
  it('reads the default branch and an annotated tag as its commit', () => {
    const refs = parseLsRemote(`ref: refs/heads/main\tHEAD\n${first}\tHEAD\n${'a'.repeat(40)}\trefs/tags/v1\n${first}\trefs/tags/v1^{}\n`);
    expect(refs.headBranch).toBe('main');
    expect(refs.refs.get('refs/tags/v1^{}')).toBe(first);
  });

  it('clones, is ok again, follows a new commit, and needs force over local changes', () => {
    const cloned = applyLocally(gitModule, { repo: bare, dest }, fakeContext());
    expect(cloned.plan).toMatchObject({ kind: 'change', summary: `clone file://${bare} at HEAD into ${dest}`, result: { before: null, after: first } });
    expect(git('-C', dest, 'rev-parse', 'HEAD')).toBe(first);
    expect(applyLocally(gitModule, { repo: bare, dest }, fakeContext()).plan).toMatchObject({ kind: 'noop', result: { before: first, after: first } });

    git('-C', work, 'commit', '-q', '--allow-empty', '-m', 'two');
    git('-C', work, 'push', '-q', bare, 'main');
    const second = git('-C', work, 'rev-parse', 'HEAD');
    const moved = applyLocally(gitModule, { repo: bare, dest }, fakeContext());
    expect(moved.plan).toMatchObject({ kind: 'change', summary: `move ${dest} to HEAD`, result: { before: first, after: second, remote_url_changed: false } });
    expect(git('-C', dest, 'rev-parse', 'HEAD')).toBe(second);

    const tagged = applyLocally(gitModule, { repo: bare, dest, version: 'v1' }, fakeContext());
    expect(tagged.plan).toMatchObject({ kind: 'change', result: { before: second, after: first } });
    expect(git('-C', dest, 'rev-parse', 'HEAD')).toBe(first);

    writeFileSync(join(dest, 'tracked'), 'x');
    git('-C', dest, 'add', 'tracked');
    expect(applyLocally(gitModule, { repo: bare, dest, version: 'main' }, fakeContext()).plan).toEqual({
      kind: 'fail',
      message: `Local modifications exist in the destination: ${dest} (force=no).`,
      result: { before: first },
    });
    const forced = applyLocally(gitModule, { repo: bare, dest, version: 'main', force: true }, fakeContext());
    expect(forced.plan).toMatchObject({ kind: 'change', summary: `reset local modifications; move ${dest} to main` });
    expect(git('-C', dest, 'rev-parse', 'HEAD')).toBe(second);
    expect(git('-C', dest, 'status', '--porcelain')).toBe('');
  });

  it('fails on a version the remote does not have', () => {
    expect(applyLocally(gitModule, { repo: bare, dest: join(root, 'other'), version: 'no-such-branch' }, fakeContext()).plan).toEqual({
      kind: 'fail',
      message: `Cannot find version no-such-branch in file://${bare}`,
    });
  });
});
