import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  attributeChanges,
  attributeSteps,
  contentDiff,
  fileContentProbe,
  fileStateProbe,
  parseFileContent,
  parseFileState,
  sha256Hex,
  writeFileSteps,
} from '../../../src/modules/lib/remote-file.js';
import { runShell } from '../../helpers/local-shell.js';

const root = mkdtempSync(join(tmpdir(), 'runbook-remote-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hostileNames = ["with space", "it's", '$(touch pwned)', '`id`', 'new\nline', '-leading-dash', 'glob*?[a]', 'ünïcødé ✓', '; rm -rf x'];

describe('fileStateProbe on a real sh', () => {
  it('reports a regular file with mode, owner and size', () => {
    const path = join(root, 'plain');
    writeFileSync(path, 'hello\n');
    chmodSync(path, 0o640);
    const state = parseFileState(runShell(fileStateProbe(path)));
    expect(state).toMatchObject({ type: 'file', mode: '0640', size: 6, uid: process.getuid!() });
  });

  it('tells absent apart from a missing parent and reports both as null', () => {
    expect(parseFileState(runShell(fileStateProbe(join(root, 'nope'))))).toBeNull();
    expect(parseFileState(runShell(fileStateProbe(join(root, 'nope', 'deeper'))))).toBeNull();
  });

  it('reports a directory, setuid bits and a link target exactly', () => {
    const directory = join(root, 'dir');
    mkdirSync(directory);
    chmodSync(directory, 0o2755);
    expect(parseFileState(runShell(fileStateProbe(directory)))).toMatchObject({ type: 'directory', mode: '2755' });
    const link = join(root, 'link');
    symlinkSync('target with\nnewline and -> arrow', link);
    expect(parseFileState(runShell(fileStateProbe(link)))).toMatchObject({ type: 'link', linkTarget: 'target with\nnewline and -> arrow' });
  });

  it('treats a path below a regular file as absent', () => {
    expect(parseFileState(runShell(fileStateProbe(join(root, 'plain', 'child'))))).toBeNull();
  });

  it('fails (does not report absent) when stat itself fails for another reason', () => {
    expect(() => parseFileState({ code: 1, signal: null, stdout: '', stderr: "stat: cannot statx '/x': Permission denied\n" })).toThrow(
      /Permission denied/,
    );
  });

  it.each(hostileNames)('round-trips the hostile name %j', (name) => {
    const path = join(root, name);
    writeFileSync(path, name);
    expect(parseFileState(runShell(fileStateProbe(path)))).toMatchObject({ type: 'file', size: Buffer.byteLength(name) });
  });
});

describe('fileContentProbe on a real sh', () => {
  it('returns the exact bytes of a binary file and its sha256', () => {
    const bytes = Buffer.from([0, 1, 2, 255, 10, 13, 39, 34, 36]);
    const path = join(root, 'binary');
    writeFileSync(path, bytes);
    const read = parseFileContent(runShell(fileContentProbe(path)));
    expect(read.content?.equals(bytes)).toBe(true);
    expect(read.sha256).toBe(sha256Hex(bytes));
  });

  it('gives only the sha256 when the file is larger than maxBytes, the bytes when exactly maxBytes', () => {
    const path = join(root, 'large');
    writeFileSync(path, 'x'.repeat(100));
    const large = parseFileContent(runShell(fileContentProbe(path, 99)), 99);
    expect(large).toMatchObject({ content: undefined, sha256: sha256Hex(Buffer.from('x'.repeat(100))) });
    expect(parseFileContent(runShell(fileContentProbe(path, 100)), 100).content?.toString()).toBe('x'.repeat(100));
  });

  it('reads an empty file as empty content, an absent one as no state', () => {
    const path = join(root, 'empty');
    writeFileSync(path, '');
    expect(parseFileContent(runShell(fileContentProbe(path))).content?.length).toBe(0);
    expect(parseFileContent(runShell(fileContentProbe(join(root, 'absent'))))).toEqual({ state: null, content: undefined, sha256: undefined });
  });

  it('does not read through a symbolic link', () => {
    const read = parseFileContent(runShell(fileContentProbe(join(root, 'link'))));
    expect(read).toMatchObject({ state: { type: 'link' }, content: undefined });
  });
});

describe('writeFileSteps on a real sh', () => {
  const write = (path: string, content: Buffer, attributes: { mode?: string } = {}, options: { createParents?: boolean } = {}) => {
    const existing = parseFileState(runShell(fileStateProbe(path)));
    for (const step of writeFileSteps(path, content, attributes, existing, options)) {
      const result = runShell(step.command, step.stdin);
      if (result.code !== 0) return result;
    }
    return undefined;
  };

  it.each(hostileNames)('writes bytes exactly to the hostile name %j and leaves no temp file', (name) => {
    const directory = mkdtempSync(join(root, 'write-'));
    const path = join(directory, name);
    const content = Buffer.from(`${name}\0\n'"$(x)\``);
    expect(write(path, content)).toBeUndefined();
    expect(readFileSync(path).equals(content)).toBe(true);
    expect(readFileSync(path).length).toBe(content.length);
    expect(readdirSync(directory)).toEqual([name]);
    expect(runShell(fileStateProbe(join(directory, 'pwned'))).code).toBe(3);
  });

  it('keeps the existing mode unless one is given', () => {
    const path = join(root, 'keep-mode');
    writeFileSync(path, 'old');
    chmodSync(path, 0o604);
    write(path, Buffer.from('new'));
    expect(statSync(path).mode & 0o7777).toBe(0o604);
    write(path, Buffer.from('newer'), { mode: '0600' });
    expect(statSync(path).mode & 0o7777).toBe(0o600);
  });

  it('gives a new file the umask-derived mode, not mktemp 0600', () => {
    const path = join(root, 'fresh');
    write(path, Buffer.from('x'));
    const umask = process.umask();
    expect(statSync(path).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('fails without creating a missing parent directory, and creates it when asked', () => {
    const path = join(root, 'missing-parent', 'file');
    expect(write(path, Buffer.from('x'))?.stderr).toMatch(/No such file or directory/);
    expect(write(path, Buffer.from('x'), {}, { createParents: true })).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('x');
  });

  it('refuses to move the file into an existing directory', () => {
    const path = join(root, 'is-a-directory');
    mkdirSync(path);
    expect(write(path, Buffer.from('x'))?.stderr).toMatch(/cannot overwrite directory/);
    expect(statSync(path).isDirectory()).toBe(true);
  });
});

describe('attributes', () => {
  const state = { type: 'file', mode: '0644', owner: 'root', uid: 0, group: 'root', gid: 0, size: 1 } as const;

  it('reports only attributes that differ, matching owners by name or id', () => {
    expect(attributeChanges(state, { mode: '644', owner: '0', group: 'root' })).toEqual([]);
    expect(attributeChanges(state, { mode: '0600', owner: 'www-data' })).toEqual([
      { attribute: 'mode', before: '0644', after: '0600' },
      { attribute: 'owner', before: 'root', after: 'www-data' },
    ]);
  });

  it('applies mode and ownership in two steps, chown not following links', () => {
    const steps = attributeSteps('/a b', [
      { attribute: 'mode', before: '0644', after: '0600' },
      { attribute: 'group', before: 'root', after: 'adm' },
    ]);
    expect(steps.map((step) => step.command.render())).toEqual(["chmod 0600 -- '/a b'", "chown -h :adm -- '/a b'"]);
  });

  it('changes the mode of a real file', () => {
    const path = join(root, 'chmod me');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const changes = attributeChanges(parseFileState(runShell(fileStateProbe(path)))!, { mode: '0711' });
    for (const step of attributeSteps(path, changes)) expect(runShell(step.command).code).toBe(0);
    expect(statSync(path).mode & 0o7777).toBe(0o711);
  });
});

describe('contentDiff', () => {
  it('shows text as text and an absent file as empty', () => {
    expect(contentDiff('/etc/x', undefined, Buffer.from('a\n'))).toEqual({ label: '/etc/x', before: '', after: 'a\n' });
  });

  it('describes binary content by size and sha256', () => {
    const after = Buffer.from([0, 1]);
    expect(contentDiff('/bin/x', Buffer.from('text'), after)).toEqual({
      label: '/bin/x',
      before: `binary content, 4 bytes, sha256 ${sha256Hex(Buffer.from('text'))}\n`,
      after: `binary content, 2 bytes, sha256 ${sha256Hex(after)}\n`,
    });
  });

  it('names the digest of content too large to read', () => {
    expect(contentDiff('/big', { sha256: 'ab' }, Buffer.from('small')).before).toBe('content not read (too large), sha256 ab\n');
  });
});
