import { describe, expect, it } from 'vitest';
import { parseHostFacts } from '../../../src/facts/host.js';
import { parseOsRelease } from '../../../src/facts/os-release.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';

const parse = (text: string) => Object.fromEntries(parseOsRelease(text.split('\n')));

/** A value as os-release(5) asks for it in double quotes: `"`, `\`, `$` and backtick escaped. */
const doubleQuoted = (value: string) => `"${value.replace(/["\\$`]/g, (char) => `\\${char}`)}"`;

/** The facts read from a host whose os-release is `text`, as the facts script prints it (each line under osrel=). */
const factsWith = (text: string) =>
  parseHostFacts(
    {
      code: 0,
      signal: null,
      stdout: ['facts_start=1', ...text.split('\n').map((line) => `osrel=${line}`), 'hostname=h', 'facts_end=1', ''].join('\n'),
      stderr: '',
    },
    'h',
  );

describe('os-release read as text', () => {
  it('reads the three forms of os-release(5)', () => {
    expect(parse('ID=debian\nNAME="Debian GNU/Linux"\nVERSION=\'12 (bookworm)\'\nEMPTY=\nEMPTY_QUOTED=""')).toEqual({
      ID: 'debian',
      NAME: 'Debian GNU/Linux',
      VERSION: '12 (bookworm)',
      EMPTY: '',
      EMPTY_QUOTED: '',
    });
  });

  it('skips comments and blank lines, also indented, and a comment after a value', () => {
    expect(parse('# a comment\n\n   \n  # indented ID=nope\nID=debian # the id\n\tNAME="Debian"\t# tabbed')).toEqual({ ID: 'debian', NAME: 'Debian' });
  });

  it('in double quotes, unescapes ", \\, $ and backtick, and keeps a backslash before anything else', () => {
    expect(parse(String.raw`A="\" \\ \$ \` \n \x \'"`)).toEqual({ A: String.raw`" \ $ ` + '` ' + String.raw`\n \x \'` });
  });

  it('in single quotes, keeps everything; unquoted, a backslash escapes the next character', () => {
    expect(parse(String.raw`A='\" $(id) \`id\` \\'` + '\n' + String.raw`B=a\ b\$c\\d`)).toEqual({ A: String.raw`\" $(id) \`id\` \\`, B: 'a b$c\\d' });
  });

  it('keeps $( ), backticks and ${ } as text, even unescaped: nothing is expanded or run', () => {
    expect(parse('A="$(touch /tmp/pwned)"\nB=`id`\nC="${HOME:-x} $HOME"\nD=$(id)')).toEqual({
      A: '$(touch /tmp/pwned)',
      B: '`id`',
      C: '${HOME:-x} $HOME',
      D: '$(id)',
    });
  });

  it('sets nothing from a line a shell would not read as one assignment, and reads the lines after it', () => {
    const text = [
      'OPEN="no closing quote',
      "SINGLE='no closing quote",
      'TWO=two words',
      'AFTER="closed"then',
      'CLOSED="a" "b"',
      '`touch /tmp/pwned`',
      'exit 0',
      'export EXPORTED=1',
      '1DIGIT=1',
      'DASH-NAME=1',
      ' = 1',
      'ID=debian',
    ].join('\n');
    expect(parse(text)).toEqual({ AFTER: 'closedthen', ID: 'debian' });
  });

  it('reads a value broken over two lines as neither, and the lines after it', () => {
    expect(parse('PRETTY_NAME="first\nsecond"\nID=debian')).toEqual({ ID: 'debian' });
  });

  it('reads CRLF line endings, keeps the later of two assignments, and reads a last line without a newline', () => {
    expect(parse('ID=fedora\r\nNAME="Fedora"\r\nID=debian')).toEqual({ ID: 'debian', NAME: 'Fedora' });
    expect(parseOsRelease(['A="carriage\rreturn and\u2028line separator"']).get('A')).toBe('carriage\rreturn and\u2028line separator');
  });

  it('reads very long values whole', () => {
    const long = `${'$(touch pwned) `id` "q" \\ '.repeat(20_000)}end`;
    expect(parse(`NAME=${doubleQuoted(long)}\nID=debian`)).toEqual({ NAME: long, ID: 'debian' });
  });

  it.each(HOSTILE_VALUES.filter((value) => !/[\n\0]/.test(value)).map((value) => [JSON.stringify(value), value]))(
    'reads %s exactly, double-quoted as the specification asks, and single-quoted',
    (_label, value) => {
      expect(parseOsRelease([`NAME=${doubleQuoted(value)}`]).get('NAME')).toBe(value);
      if (!value.includes("'")) expect(parseOsRelease([`NAME='${value}'`]).get('NAME')).toBe(value);
    },
  );

  it('reaches the facts exactly: a hostile NAME becomes ansible_distribution, VERSION_CODENAME its release', () => {
    const name = `Hostile $(touch /tmp/pwned) \`id\` "q" 'q' back\\slash ${'x'.repeat(10_000)}`;
    const codename = '$(touch /tmp/pwned) `touch /tmp/pwned2`';
    const facts = factsWith(['# hostile', '', 'ID=debian', `NAME=${doubleQuoted(name)}`, `VERSION_CODENAME="${codename}"`, 'exit 0', 'BROKEN="open'].join('\n'));
    expect(facts.osFamily).toBe('debian');
    expect(facts.ansible).toMatchObject({ distribution: name, distribution_release: codename, os_family: name, hostname: 'h' });
  });

  it('keeps the spaces around a value the file quotes', () => {
    expect(factsWith('ID=debian\nVERSION_CODENAME="  spaced  "').ansible).toMatchObject({ distribution_release: '  spaced  ' });
  });
});
