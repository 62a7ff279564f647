import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandModule } from '../../../src/modules/command.js';
import { copyModule } from '../../../src/modules/copy.js';
import { expandUser, expandVars } from '../../../src/modules/lib/python-expand.js';
import { splitCommandLine } from '../../../src/modules/lib/shlex.js';
import { lineModule } from '../../../src/modules/line.js';
import { quote } from '../../../src/shell/quote.js';
import { applyLocally, SHELLS } from '../../helpers/local-shell.js';
import { fakeContext } from '../../helpers/module-fixtures.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';

// The hostile corpus through copy, line and command, planned and applied with the machine's real
// /bin/sh in a temp dir: the right file gets exactly the right bytes, and nothing else happens.

const root = mkdtempSync(join(tmpdir(), 'runbook-hostile-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const context = fakeContext();
// Each value under dash and bash: bash re-parses some constructs (e.g. "((") and once corrupted \x01 here.
const cases = SHELLS.flatMap((shell) =>
  HOSTILE_VALUES.map((value, index) => ({ shell, value, index, label: JSON.stringify(value).slice(0, 40) })),
);

/** The value itself when it can be a file name (one path component), else a plain name. */
function fileName(value: string, index: number): string {
  const usable = value !== '' && value !== '.' && value !== '..' && !value.includes('/') && Buffer.byteLength(value) <= 200;
  return usable ? value : `value-${index}`;
}

/** A fresh directory per case, so its listing proves no stray file (e.g. from `$(touch …)`) appeared. */
function caseDirectory(kind: string, shell: string, index: number): string {
  const directory = join(root, `${kind}-${shell.replaceAll('/', '_')}-${index}`, 'dir with space');
  mkdirSync(directory, { recursive: true });
  return directory;
}

/**
 * What Ansible's command module makes of a word: $VARS and a leading ~ expanded on the host (here,
 * this process's environment and passwd), as Python's expandvars and expanduser do.
 */
function asAnsibleExpands(word: string): string {
  const environment = new Map(Object.entries(process.env).flatMap(([name, value]) => (value === undefined ? [] : [[name, value] as const])));
  const home = (user: string) => {
    try {
      return execFileSync('getent', ['passwd', '--', user], { encoding: 'utf8' }).split(':')[5];
    } catch {
      return undefined;
    }
  };
  return expandUser(expandVars(word, environment), environment, home);
}

// A creates path is a glob, expanded like a word: values with glob or expansion characters mean a
// pattern there (tested in python-expand.test.ts and the command integration test), not this file.
const plainPath = (value: string) => !/[*?[\]$~]/.test(value);

// A line holds no newline, and a trailing \r is part of a CRLF ending: such values are not one line.
const lineCases = cases.filter(({ value }) => !value.includes('\n') && !value.endsWith('\r'));

describe.each(cases)('$shell: hostile value $index $label', ({ shell, value, index }) => {
  it('copy writes it byte-exact to a file named after it, then reports ok', () => {
    const directory = caseDirectory('copy', shell, index);
    const dest = join(directory, fileName(value, index));
    const first = applyLocally(copyModule, { dest, content: value }, context, shell);
    expect(first.plan.kind).toBe('change');
    expect(readFileSync(dest).equals(Buffer.from(value, 'utf8'))).toBe(true);
    expect(readdirSync(directory)).toEqual([fileName(value, index)]);
    expect(applyLocally(copyModule, { dest, content: value }, context, shell).plan.kind).toBe('noop');
  });

  it('command passes it as one argument, expanded only as Ansible expands words, from argv and from a quoted cmd line', () => {
    const directory = caseDirectory('command', shell, index);
    const fromArgv = applyLocally(commandModule, { argv: ['printf', '%s', value], chdir: directory }, context, shell);
    expect(fromArgv.steps[0]?.stdout).toBe(asAnsibleExpands(value));
    expect(splitCommandLine(`printf %s ${quote(value)}`)).toEqual(['printf', '%s', value]);
    const fromCmd = applyLocally(commandModule, { cmd: `printf %s ${quote(value)}`, chdir: directory }, context, shell);
    expect(fromCmd.steps[0]?.stdout).toBe(asAnsibleExpands(value));
    expect(readdirSync(directory)).toEqual([]);
  });

});

describe.each(cases.filter(({ value }) => plainPath(value)))('$shell: hostile path $index $label', ({ shell, value, index }) => {
  it('command takes it as a creates path: ok when that exact file exists', () => {
    const directory = caseDirectory('creates', shell, index);
    const name = fileName(value, index);
    writeFileSync(join(directory, name), '');
    const plan = applyLocally(commandModule, { argv: ['false'], chdir: directory, creates: name }, context, shell).plan;
    expect(plan).toMatchObject({ kind: 'noop', reason: `creates ${join(directory, name)} exists` });
  });
});

describe.each(lineCases)('$shell: hostile line $index $label', ({ shell, value, index }) => {
  it('line adds it as one line, finds it again, and removes it', () => {
    const directory = caseDirectory('line', shell, index);
    const path = join(directory, fileName(value, index));
    writeFileSync(path, 'first line\n');
    expect(applyLocally(lineModule, { path, line: value }, context, shell).plan.kind).toBe('change');
    expect(readFileSync(path, 'utf8')).toBe(`first line\n${value}\n`);
    const again = applyLocally(lineModule, { path, line: value }, context, shell).plan;
    expect(again).toMatchObject({ kind: 'noop', reason: `line ${JSON.stringify(value)} already in ${path}` });
    applyLocally(lineModule, { path, line: value, state: 'absent' }, context, shell);
    expect(readFileSync(path, 'utf8')).toBe('first line\n');
    expect(readdirSync(directory)).toEqual([fileName(value, index)]);
  });
});
