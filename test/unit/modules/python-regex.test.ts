import { describe, expect, it } from 'vitest';
import { expandPythonTemplate, parsePythonTemplate, PythonRegexError, translatePythonRegex, type RegexFlavor } from '../../../src/modules/lib/python-regex.js';

const bytes = (pattern: string) => translatePythonRegex(pattern, { flavor: 'bytes' });
const str = (pattern: string) => translatePythonRegex(pattern, { flavor: 'str' });
const search = (pattern: string, text: string, flavor: RegexFlavor = 'bytes') => translatePythonRegex(pattern, { flavor }).regexp.exec(text)?.[0];

function refused(pattern: string, flavor: RegexFlavor = 'bytes'): { detail: string; offset: number } {
  try {
    translatePythonRegex(pattern, { flavor });
  } catch (error) {
    if (error instanceof PythonRegexError) return { detail: error.detail, offset: error.offset };
    throw error;
  }
  throw new Error(`${pattern} was accepted`);
}

describe('Python regular expressions translated to JavaScript', () => {
  it('named groups and named backreferences', () => {
    const regex = bytes('(?P<word>a+)-(?P=word)');
    expect(regex.names.get('word')).toBe(1);
    expect(regex.groups).toBe(1);
    expect(regex.regexp.exec('x aa-aa')?.groups?.word).toBe('aa');
    expect(search('(?P<word>a+)-(?P=word)', 'aa-b')).toBeUndefined();
  });

  it('numbered backreferences in the pattern', () => {
    expect(search('(a)(b)\\2\\1', 'abba')).toBe('abba');
    // \1 followed by a digit: Python reads two digits as one group number.
    expect(refused('(a)\\12').detail).toMatch(/group 12/);
  });

  it('\\A and \\Z are the start and the very end of the text', () => {
    expect(search('\\Aa', 'ba')).toBeUndefined();
    expect(search('\\Aa', 'ab')).toBe('a');
    expect(search('a\\Z', 'a\n')).toBeUndefined();
    expect(search('a\\Z', 'ba')).toBe('a');
  });

  it('$ matches at the end or before a final \\n, not before \\r\\n; ^ only at the start', () => {
    expect(search('a$', 'a\n')).toBe('a');
    expect(search('a$', 'a\r\n')).toBeUndefined();
    expect(search('a$', 'a\nb')).toBeUndefined();
    expect(search('^b', 'a\nb')).toBeUndefined();
  });

  it('inline flags at the start: (?i), (?m), (?s), combined', () => {
    expect(search('(?i)abc', 'xABC')).toBe('ABC');
    expect(search('(?m)^b$', 'a\nb\nc')).toBe('b');
    expect(search('(?m)^b$', 'a\r\nb\r\n')).toBeUndefined();
    expect(search('a.b', 'a\nb')).toBeUndefined();
    expect(search('(?s)a.b', 'a\nb')).toBe('a\nb');
    expect(search('(?ims)^A.B$', 'x\na\nb\n')).toBe('a\nb');
    expect(search('(?i)(?m)^b', 'a\nB')).toBe('B');
  });

  it('. matches \\r (only \\n is a line end for Python)', () => {
    expect(search('a.b', 'a\rb')).toBe('a\rb');
  });

  it('character classes: ranges, negation, a leading ], escapes and shorthands inside', () => {
    expect(search('[a-c]+', 'xabcd')).toBe('abc');
    expect(search('[^a-c]+', 'abcxyz')).toBe('xyz');
    expect(search('[]a]+', 'x]a]')).toBe(']a]');
    expect(search('[\\d.]+', 'v1.25x')).toBe('1.25');
    expect(search('[\\s=]+', 'a = b')).toBe(' = ');
    expect(search('[\\]\\\\]+', 'a]\\b')).toBe(']\\');
    expect(search('[a-]+', 'x-a-')).toBe('-a-');
    expect(search('[$^.*]+', 'x$^.*')).toBe('$^.*');
  });

  it('bytes patterns (lineinfile): \\w, \\d, \\s and \\b are ASCII', () => {
    expect(search('\\w+', 'été')).toBe('t');
    expect(search('\\d', '٣')).toBeUndefined();
    expect(search('\\s', '\u00a0')).toBeUndefined();
    expect(search('\\bfoo\\b', 'a foo b')).toBe('foo');
    expect(search('\\bfoo\\b', 'afoo')).toBeUndefined();
    expect(search('\\Bfoo', 'afoo')).toBe('foo');
  });

  it('str patterns (replace): \\w, \\d, \\s and \\b are Unicode, (?a) makes them ASCII', () => {
    expect(search('\\w+', 'été', 'str')).toBe('été');
    expect(search('\\d', '٣', 'str')).toBe('٣');
    expect(search('\\s', '\u00a0', 'str')).toBe('\u00a0');
    expect(search('(?a)\\w+', 'été', 'str')).toBe('t');
    expect(search('\\bé', 'aé é', 'str')).toBe('é');
  });

  it('quantifiers: greedy, lazy, {m,n}, and Python\'s {,n}', () => {
    expect(search('a{2}', 'aaa')).toBe('aa');
    expect(search('a{2,}', 'aaaa')).toBe('aaaa');
    expect(search('a{,2}b', 'aaab')).toBe('aab');
    expect(search('a+?', 'aaa')).toBe('a');
    expect(search('a{1,3}?', 'aaa')).toBe('a');
    // Not a quantifier: Python reads the braces literally.
    expect(search('a{x}', 'a{x}')).toBe('a{x}');
    expect(search('{', '{')).toBe('{');
  });

  it('lookarounds, non-capturing groups, alternation, comments, escapes', () => {
    expect(search('(?<=a)b(?=c)', 'abc')).toBe('b');
    expect(search('(?<!a)b(?!c)', 'abcbd')).toBe('b');
    expect(search('(?:ab)+', 'ababx')).toBe('abab');
    expect(search('cat|dog', 'hotdog')).toBe('dog');
    expect(search('a(?#comment)b', 'ab')).toBe('ab');
    expect(search('\\x41\\t\\.', 'A\t.')).toBe('A\t.');
    expect(search('\\u00e9', 'é', 'str')).toBe('é');
    expect(search('a/b', 'a/b')).toBe('a/b');
    expect(search('\\-\\#\\ ', '-# ')).toBe('-# ');
    expect(search(']', 'a]')).toBe(']');
  });

  it.each([
    ['(a)?(?(1)b|c)', 4, /conditional groups/],
    ['(?>ab)', 0, /atomic groups/],
    ['a*+', 2, /possessive/],
    ['a{2}+', 4, /possessive/],
    ['(?i:ab)', 0, /scoped inline flags/],
    ['a(?i)b', 1, /only supported at the start/],
    ['(?x)a b', 0, /verbose/],
    ['(?L)a', 0, /inline flag L/],
    ['(?u)a', 0, /inline flag u/],
    ['(?<name>a)', 0, /not Python syntax/],
    ['\\p{L}', 0, /bad escape/],
    ['\\e', 0, /bad escape/],
    ['\\N{DASH}', 0, /named characters/],
    ['\\0', 0, /octal/],
    ['[\\W]', 1, /inside a character set/],
    ['[[:alpha:]]', 1, /POSIX classes/],
    ['\\u00e9', 0, /bytes pattern/],
    ['(?P=x)', 0, /not defined/],
    ['(?P<é>a)', 0, /ASCII identifiers/],
    ['[a-', 0, /unterminated/],
    ['*a', 0, /nothing to repeat/],
    ['a\\', 1, /end with a backslash/],
    ['(a', 0, /not a valid regular expression/],
    ['(?=a)*', 5, /repeated lookaround/],
  ])('refuses %s (at character %i + 1)', (pattern, offset, detail) => {
    const problem = refused(pattern);
    expect(problem.detail).toMatch(detail);
    expect(problem.offset).toBe(offset);
  });
});

describe('Python replacement templates', () => {
  const expand = (pattern: string, template: string, text: string) => {
    const regex = str(pattern);
    const match = regex.regexp.exec(text);
    if (!match) throw new Error('no match');
    return expandPythonTemplate(parsePythonTemplate(template, regex), match);
  };

  it('\\1, \\g<1>, \\g<name>, \\g<0>, unmatched groups and escapes', () => {
    expect(expand('(a)(?P<b>b)', '\\2\\1', 'ab')).toBe('ba');
    expect(expand('(a)(?P<b>b)', '\\g<1>0\\g<b>', 'ab')).toBe('a0b');
    expect(expand('(a)(b)?', '[\\2]', 'a')).toBe('[]');
    expect(expand('ab', '<\\g<0>>', 'ab')).toBe('<ab>');
    expect(expand('a', '\\n\\t\\\\\\.', 'a')).toBe('\n\t\\\\.');
  });

  it.each([
    ['(a)', '\\2', /invalid group reference 2/],
    ['(a)', '\\g<x>', /unknown group name/],
    ['(a)', '\\g', /needs <name>/],
    ['(a)', '\\0', /octal/],
    ['(a)', '\\q', /bad escape/],
    ['(a)', 'x\\', /end with a backslash/],
  ])('refuses %s with the template %s', (pattern, template, detail) => {
    expect(() => parsePythonTemplate(template, str(pattern))).toThrow(detail);
  });
});
