import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findModule } from '../../../../src/modules/find.js';
import { applyLocally } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

// find's probes run by the real /bin/sh on a real tree; the expectations are what Ansible's find
// returns for the same tree (os.walk, fnmatch, re.match).
const root = mkdtempSync(join(tmpdir(), 'runbook-find-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(() => {
  mkdirSync(join(root, 'conf.d', 'deep', 'deeper'), { recursive: true });
  mkdirSync(join(root, '.hidden-dir'));
  writeFileSync(join(root, 'a.conf'), 'port = 80\nname = a\n');
  writeFileSync(join(root, "it's b.conf"), 'x'.repeat(2048));
  writeFileSync(join(root, '.dot.conf'), 'hidden\n');
  writeFileSync(join(root, 'notes.txt'), 'Listen 8080\r\n');
  writeFileSync(join(root, 'conf.d', 'c.conf'), 'c\n');
  writeFileSync(join(root, 'conf.d', 'deep', 'd.conf'), 'd\n');
  writeFileSync(join(root, 'conf.d', 'deep', 'deeper', 'e.conf'), 'e\n');
  writeFileSync(join(root, '.hidden-dir', 'f.conf'), 'f\n');
  symlinkSync('a.conf', join(root, 'link.conf'));
  utimesSync(join(root, 'notes.txt'), 0, 0);
});

const find = (args: Record<string, unknown>) => {
  const { plan } = applyLocally(findModule, args, fakeContext());
  if (plan.kind !== 'noop') throw new Error(`find planned ${plan.kind}`);
  return plan.result as { files: Array<Record<string, unknown>>; matched: number; examined: number; skipped_paths: Record<string, string>; msg: string };
};
const names = (result: { files: Array<Record<string, unknown>> }) => result.files.map((file) => String(file.path).slice(root.length + 1)).sort();

describe('find on a real tree', () => {
  it('lists the regular files of the directory itself by default, hidden ones left out', () => {
    const result = find({ paths: root });
    expect(names(result)).toEqual(["a.conf", "it's b.conf", 'notes.txt']);
    expect(result.examined).toBe(7);
    expect(result.msg).toBe('All paths examined');
    expect(result.files.find((file) => String(file.path).endsWith('a.conf'))).toMatchObject({ isreg: true, islnk: false, size: 19, mode: expect.stringMatching(/^0[0-7]{3}$/), pw_name: expect.any(String) });
  });

  it('globs with excludes, recursion (hidden directories are searched, as os.walk does), depth and hidden', () => {
    expect(names(find({ paths: root, patterns: '*.conf', excludes: 'a*', recurse: true }))).toEqual(['.hidden-dir/f.conf', 'conf.d/c.conf', 'conf.d/deep/d.conf', 'conf.d/deep/deeper/e.conf', "it's b.conf"]);
    expect(names(find({ paths: root, patterns: ['*.conf'], recurse: true, depth: 2, hidden: true }))).toEqual(['.dot.conf', '.hidden-dir/f.conf', 'a.conf', 'conf.d/c.conf', "it's b.conf"]);
  });

  it('regular expressions match from the start of the name (re.match)', () => {
    expect(names(find({ paths: root, patterns: ['[ab]\\.', 'it'], use_regex: true }))).toEqual(['a.conf', "it's b.conf"]);
    expect(names(find({ paths: root, patterns: 'conf$', use_regex: true }))).toEqual([]);
  });

  it('file types, size, age and contents', () => {
    expect(names(find({ paths: root, file_type: 'link' }))).toEqual(['link.conf']);
    expect(names(find({ paths: root, file_type: 'directory' }))).toEqual(['conf.d']);
    expect(names(find({ paths: root, size: '2k' }))).toEqual(["it's b.conf"]);
    expect(names(find({ paths: root, size: '-100' }))).toEqual(['a.conf', 'notes.txt']);
    expect(names(find({ paths: root, age: '1w' }))).toEqual(['notes.txt']);
    expect(names(find({ paths: root, contains: 'name' }))).toEqual(['a.conf']);
    expect(names(find({ paths: root, contains: 'Listen \\d+$' }))).toEqual(['notes.txt']);
    expect(names(find({ paths: root, contains: 'name', read_whole_file: true, patterns: '*.conf' }))).toEqual(['a.conf']);
  });

  it('a path that is not a directory is skipped with Ansible\'s message', () => {
    const missing = join(root, 'missing');
    const result = find({ paths: [missing, join(root, 'conf.d')] });
    expect(names(result)).toEqual(['conf.d/c.conf']);
    expect(result.skipped_paths).toEqual({ [missing]: `'${missing}' is not a directory` });
    expect(result.msg).toBe('Not all paths examined, check warnings for details');
  });
});
