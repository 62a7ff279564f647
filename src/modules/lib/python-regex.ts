/**
 * Python `re` patterns (as Ansible's lineinfile, replace and blockinfile use them) translated to
 * JavaScript RegExps with the same meaning, for a common subset. Anything outside that subset, or whose
 * meaning would differ, is refused with its position: a pattern is never run with another meaning.
 *
 * The output never relies on JavaScript's own `^ $ . \b \w \d \s` or its m/s flags (their meanings
 * differ from Python's): each is spelled out explicitly, and the RegExp uses the `u` flag (code points),
 * plus `i` for `(?i)`.
 */

/**
 * `bytes`: lineinfile's patterns (Python compiles them as bytes: \w, \d, \s and \b are ASCII).
 * `str`: replace's patterns (Python str patterns: \w, \d, \s and \b are Unicode).
 */
export type RegexFlavor = 'bytes' | 'str';

export interface PythonRegexOptions {
  flavor: RegexFlavor;
  /** The pattern is compiled with re.MULTILINE (replace does), as if it began with (?m). */
  multiline?: boolean;
  /** Compiled with re.DOTALL (replace's after/before section), as if it began with (?s). */
  dotAll?: boolean;
  /** Also compute group indices (the RegExp gets the d flag). */
  indices?: boolean;
}

export interface PythonRegex {
  /** The pattern as written. */
  python: string;
  /** The translated RegExp (not global; callers that scan make their own copy with the g flag). */
  regexp: RegExp;
  /** Number of capturing groups, named ones included (Python and JavaScript number them the same way). */
  groups: number;
  /** Named groups → their number. */
  names: ReadonlyMap<string, number>;
  /** Compiled with re.MULTILINE (by the option or an inline (?m)): blockinfile then searches the whole text. */
  multiline: boolean;
}

/** A construct the translator refuses, or an invalid pattern; `offset` is the index in the pattern. */
export class PythonRegexError extends Error {
  constructor(
    readonly detail: string,
    readonly offset: number,
  ) {
    super(`at character ${offset + 1}: ${detail}`);
  }
}

const ASCII_WORD = 'A-Za-z0-9_';
const UNICODE_WORD = '\\p{L}\\p{N}_';
const ASCII_SPACE = ' \\t\\n\\r\\f\\v';
// Python's str.isspace() characters, which a str pattern's \s matches.
const UNICODE_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const ASCII_DIGIT = '0-9';
const UNICODE_DIGIT = '\\p{Nd}';

/** Characters that must be escaped (with a plain backslash, valid in u mode) to stand for themselves. */
const SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

function literal(char: string, inClass: boolean): string {
  if (SYNTAX.has(char) || (inClass && char === '-')) return `\\${char}`;
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return char;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\\n', t: '\\t', r: '\\r', f: '\\f', v: '\\v', a: '\\x07' };

/** Translates a Python pattern; throws PythonRegexError for what is refused or invalid. */
export function translatePythonRegex(pattern: string, options: PythonRegexOptions): PythonRegex {
  let i = 0;
  let out = '';
  let groups = 0;
  const names = new Map<string, number>();
  let ignoreCase = false;
  let multiline = options.multiline ?? false;
  let dotAll = options.dotAll ?? false;
  let ascii = options.flavor === 'bytes';
  const refuse = (detail: string, at: number = i): never => {
    throw new PythonRegexError(detail, at);
  };

  // Global inline flags: Python accepts them only at the start of the pattern.
  while (pattern.startsWith('(?', i)) {
    const flags = /^\(\?([a-zA-Z]+)\)/.exec(pattern.slice(i));
    if (!flags) break;
    for (const flag of flags[1] ?? '') {
      if (flag === 'i') ignoreCase = true;
      else if (flag === 'm') multiline = true;
      else if (flag === 's') dotAll = true;
      else if (flag === 'a') ascii = true;
      else if (flag === 'u' && options.flavor === 'str') ascii = false;
      else if (flag === 'x') refuse('the verbose flag (?x) is not supported');
      else refuse(`the inline flag ${flag} is not supported (supported: i, m, s${options.flavor === 'str' ? ', a, u' : ', a'})`);
    }
    i += flags[0].length;
  }

  const word = ascii ? ASCII_WORD : UNICODE_WORD;
  const space = ascii ? ASCII_SPACE : UNICODE_SPACE;
  const digit = ascii ? ASCII_DIGIT : UNICODE_DIGIT;
  const shorthand: Readonly<Record<string, string>> = {
    d: `[${digit}]`,
    D: `[^${digit}]`,
    w: `[${word}]`,
    W: `[^${word}]`,
    s: `[${space}]`,
    S: `[^${space}]`,
  };
  const inClassShorthand: Readonly<Record<string, string>> = { d: digit, w: word, s: space };

  /** \x, \u, \U escapes (i at the letter); returns the JS escape and advances i. */
  const hexEscape = (letter: string): string => {
    const length = letter === 'x' ? 2 : letter === 'u' ? 4 : 8;
    if ((letter === 'u' || letter === 'U') && options.flavor === 'bytes') refuse(`\\${letter} is not valid in a bytes pattern`, i - 1);
    const hex = pattern.slice(i + 1, i + 1 + length);
    if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) refuse(`\\${letter} needs ${length} hexadecimal digits`, i - 1);
    i += 1 + length;
    return `\\u{${hex}}`;
  };

  /** One escape outside a class; i is at the character after the backslash. */
  const escape = (): string => {
    const start = i - 1;
    const char = pattern[i];
    if (char === undefined) return refuse('a pattern cannot end with a backslash', start);
    if (/[1-9]/.test(char)) {
      let digits = char;
      if (/[0-9]/.test(pattern[i + 1] ?? '')) digits += pattern[i + 1];
      if (/[0-9]/.test(pattern[i + 2] ?? '') && digits.length === 2) refuse('octal escapes are not supported', start);
      const number = Number(digits);
      if (number > groups) refuse(`\\${digits} refers to group ${number}, which is not defined before it`, start);
      i += digits.length;
      return `(?:\\${number})`;
    }
    i += 1;
    if (char === '0') return refuse('octal escapes are not supported', start);
    if (char === 'A') return '(?<![\\s\\S])';
    if (char === 'Z') return '(?![\\s\\S])';
    if (char === 'b') return `(?:(?<=[${word}])(?![${word}])|(?<![${word}])(?=[${word}]))`;
    if (char === 'B') return `(?:(?<=[${word}])(?=[${word}])|(?<![${word}])(?![${word}]))`;
    const short = shorthand[char];
    if (short !== undefined) return short;
    const simple = SIMPLE_ESCAPES[char];
    if (simple !== undefined) return simple;
    if (char === 'x' || char === 'u' || char === 'U') {
      i -= 1;
      return hexEscape(char);
    }
    if (char === 'N') return refuse('named characters \\N{...} are not supported', start);
    if (/[A-Za-z]/.test(char)) return refuse(`\\${char} is not a Python escape (Python refuses it: bad escape)`, start);
    return literal(char, false);
  };

  /** A character class; i is at the character after `[`. */
  const characterClass = (): string => {
    const start = i - 1;
    let body = '';
    if (pattern[i] === '^') {
      body += '^';
      i += 1;
    }
    let first = true;
    for (;;) {
      const char = pattern[i];
      if (char === undefined) return refuse('unterminated character set', start);
      if (char === ']' && !first) {
        i += 1;
        return `[${body}]`;
      }
      first = false;
      if (char === '\\') {
        const at = i;
        const next = pattern[i + 1];
        if (next === undefined) return refuse('a pattern cannot end with a backslash', at);
        i += 1;
        const inner = inClassShorthand[next];
        if (inner !== undefined) {
          body += inner;
          i += 1;
        } else if (next === 'D' || next === 'W' || next === 'S') {
          refuse(`\\${next} inside a character set is not supported`, at);
        } else if (next === 'b') {
          body += '\\x08';
          i += 1;
        } else if (SIMPLE_ESCAPES[next] !== undefined) {
          body += SIMPLE_ESCAPES[next];
          i += 1;
        } else if (next === 'x' || next === 'u' || next === 'U') {
          body += hexEscape(next);
        } else if (/[0-9]/.test(next)) {
          refuse('octal escapes are not supported', at);
        } else if (next === 'N') {
          refuse('named characters \\N{...} are not supported', at);
        } else if (/[A-Za-z]/.test(next)) {
          refuse(`\\${next} is not a Python escape (Python refuses it: bad escape)`, at);
        } else {
          body += literal(next, true);
          i += 1;
        }
        continue;
      }
      if (char === '[' && pattern[i + 1] === ':') refuse('POSIX classes such as [:alpha:] are not supported (Python reads them literally)', i);
      body += char === '-' ? '-' : literal(char, true);
      i += 1;
    }
  };

  /** After a quantifier: lazy `?` passes, possessive `+` is refused. */
  const quantifierSuffix = (): string => {
    if (pattern[i] === '+') refuse('possessive quantifiers are not supported');
    if (pattern[i] === '?') {
      i += 1;
      return '?';
    }
    return '';
  };

  let canQuantify = false;
  /** Kinds of the open groups, to tell a closed lookaround (which JavaScript cannot repeat). */
  const open: Array<'group' | 'lookaround'> = [];
  let afterLookaround = false;
  while (i < pattern.length) {
    const char = pattern[i] as string;
    const start = i;
    if (char === '\\') {
      i += 1;
      const translated = escape();
      out += translated;
      canQuantify = !['A', 'Z', 'b', 'B'].includes(pattern[start + 1] ?? '');
      continue;
    }
    if (char === '[') {
      i += 1;
      out += characterClass();
      canQuantify = true;
      continue;
    }
    if (char === '(') {
      if (pattern[i + 1] !== '?') {
        groups += 1;
        open.push('group');
        out += '(';
        i += 1;
        canQuantify = false;
        continue;
      }
      const rest = pattern.slice(i + 2);
      const named = /^P<([^>]*)>/.exec(rest);
      if (named) {
        const name = named[1] ?? '';
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) refuse(`group name ${JSON.stringify(name)} is not supported (ASCII identifiers only)`);
        if (names.has(name)) refuse(`group name ${name} is defined twice`);
        groups += 1;
        names.set(name, groups);
        open.push('group');
        out += `(?<${name}>`;
        i += 2 + named[0].length;
        canQuantify = false;
        continue;
      }
      const reference = /^P=([^)]*)\)/.exec(rest);
      if (reference) {
        const name = reference[1] ?? '';
        if (!names.has(name)) refuse(`(?P=${name}) refers to a group that is not defined before it`);
        out += `(?:\\k<${name}>)`;
        i += 2 + reference[0].length;
        canQuantify = true;
        continue;
      }
      if (rest.startsWith('#')) {
        const end = pattern.indexOf(')', i);
        if (end < 0) refuse('unterminated comment');
        i = end + 1;
        continue;
      }
      const lookaround = /^(:|=|!|<=|<!)/.exec(rest);
      if (lookaround) {
        open.push(lookaround[0] === ':' ? 'group' : 'lookaround');
        out += `(?${lookaround[0]}`;
        i += 2 + lookaround[0].length;
        canQuantify = false;
        continue;
      }
      if (rest.startsWith('(')) refuse('conditional groups (?(id)yes|no) are not supported');
      if (rest.startsWith('>')) refuse('atomic groups (?>...) are not supported');
      if (rest.startsWith('<')) refuse('(?<name>...) is not Python syntax: write (?P<name>...)');
      if (/^[a-zA-Z-]+[:)]/.test(rest)) {
        refuse(rest.includes(':') && /^[a-zA-Z-]+:/.test(rest) ? 'scoped inline flags (?flags:...) are not supported' : 'inline flags are only supported at the start of the pattern');
      }
      refuse(`unsupported group syntax (?${rest.slice(0, 1)}`);
    }
    if (afterLookaround && (char === '*' || char === '+' || char === '?' || /^\{\d*,?\d*\}/.test(pattern.slice(i)))) {
      refuse('a repeated lookaround is not supported');
    }
    afterLookaround = false;
    if (char === '*' || char === '+' || char === '?') {
      if (!canQuantify) refuse(`nothing to repeat before ${char}`);
      i += 1;
      out += char + quantifierSuffix();
      canQuantify = false;
      continue;
    }
    if (char === '{') {
      const quantifier = /^\{(\d*)(?:(,)(\d*))?\}/.exec(pattern.slice(i));
      if (quantifier && (quantifier[1] !== '' || quantifier[2] !== undefined)) {
        if (!canQuantify) refuse('nothing to repeat before {');
        const [, min = '', comma, max = ''] = quantifier;
        if (min !== '' && max !== '' && Number(max) < Number(min)) refuse('the minimum repeat count is greater than the maximum');
        i += quantifier[0].length;
        out += `{${min === '' ? '0' : min}${comma ?? ''}${max}}` + quantifierSuffix();
        canQuantify = false;
        continue;
      }
      out += '\\{';
      i += 1;
      canQuantify = true;
      continue;
    }
    i += 1;
    if (char === '.') out += dotAll ? '[\\s\\S]' : '[^\\n]';
    else if (char === '^') out += multiline ? '(?:(?<![\\s\\S])|(?<=\\n))' : '(?<![\\s\\S])';
    else if (char === '$') out += multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))';
    else if (char === '|' || char === ')') out += char;
    else out += literal(char, false);
    canQuantify = char !== '|' && char !== '^' && char !== '$';
    if (char === ')') {
      canQuantify = true;
      afterLookaround = open.pop() === 'lookaround';
    }
  }

  let regexp: RegExp;
  try {
    regexp = new RegExp(out, `${ignoreCase ? 'i' : ''}u${options.indices ? 'd' : ''}`);
  } catch (error) {
    throw new PythonRegexError(`not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '')})`, 0);
  }
  return { python: pattern, regexp, groups, names, multiline };
}

/**
 * Python's template expansion (match.expand, and re.sub's replacement): \1 to \99, \g<number>,
 * \g<name>, the escapes \n \t \r \f \v \a \b and \\; another escaped non-letter keeps its backslash.
 * An unmatched group expands to ''. Throws PythonRegexError for what Python refuses or runbook does not
 * translate (octal escapes, unknown letter escapes, groups the pattern lacks).
 */
export function parsePythonTemplate(template: string, regex: Pick<PythonRegex, 'groups' | 'names'>): Array<string | number> {
  const parts: Array<string | number> = [];
  let text = '';
  const group = (number: number, at: number) => {
    if (number > regex.groups) throw new PythonRegexError(`invalid group reference ${number} (the pattern has ${regex.groups} group${regex.groups === 1 ? '' : 's'})`, at);
    parts.push(text, number);
    text = '';
  };
  for (let i = 0; i < template.length; i += 1) {
    const char = template[i] as string;
    if (char !== '\\') {
      text += char;
      continue;
    }
    const at = i;
    const next = template[i + 1];
    if (next === undefined) throw new PythonRegexError('a replacement cannot end with a backslash', at);
    if (next === 'g') {
      const reference = /^<([^>]*)>/.exec(template.slice(i + 2));
      if (!reference) throw new PythonRegexError('\\g needs <name> or <number>', at);
      const key = reference[1] ?? '';
      if (/^\d+$/.test(key)) group(Number(key), at);
      else {
        const number = regex.names.get(key);
        if (number === undefined) throw new PythonRegexError(`unknown group name ${JSON.stringify(key)} in \\g<${key}>`, at);
        group(number, at);
      }
      i += 1 + reference[0].length;
      continue;
    }
    if (/[1-9]/.test(next)) {
      let digits = next;
      if (/[0-9]/.test(template[i + 2] ?? '')) digits += template[i + 2];
      if (digits.length === 2 && /[0-7]/.test(template[i + 3] ?? '') && /^[0-7]+$/.test(digits)) throw new PythonRegexError('octal escapes are not supported', at);
      group(Number(digits), at);
      i += digits.length;
      continue;
    }
    if (next === '0') throw new PythonRegexError('octal escapes are not supported', at);
    i += 1;
    if (next === '\\') text += '\\';
    else if (next === 'b') text += '\b';
    else if (SIMPLE_ESCAPES[next] !== undefined) text += { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' }[next as 'n'];
    else if (/[A-Za-z]/.test(next)) throw new PythonRegexError(`\\${next} is not a Python escape (Python refuses it: bad escape)`, at);
    else text += `\\${next}`;
  }
  parts.push(text);
  return parts;
}

/** Expands a parsed template with a match of the translated RegExp. */
export function expandPythonTemplate(parts: ReadonlyArray<string | number>, match: RegExpExecArray): string {
  return parts.map((part) => (typeof part === 'number' ? (match[part] ?? '') : part)).join('');
}
