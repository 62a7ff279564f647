/**
 * Ansible's `key=value` form of module arguments (`service: name=nginx state=started`), read as
 * Ansible's parse_kv and split_args read it (lib/ansible/parsing/splitter.py), and keeping where each
 * word was written so that problems point inside the string.
 */

/** One word of an argument string: its text as Ansible reassembles it, and its offsets in the string. */
export interface Word {
  text: string;
  start: number;
  end: number;
}

/** Where a piece of the argument string is: an offset into it and a length. */
export interface Span {
  offset: number;
  length: number;
}

export interface KeyValue {
  key: string;
  /** Always a string, as in Ansible: module argument types convert it later. */
  value: string;
  /** The key's and the value's place in the string; the whole word's when escapes moved them. */
  keySpan: Span;
  valueSpan: Span;
}

export interface KeyValueArgs {
  pairs: KeyValue[];
  /** Words that are not key=value (or, for free-form modules, not one of their options), in order. */
  free: Word[];
  /** The free words joined back into one command line, as Ansible does (`_raw_params`). */
  freeText: string;
}

export class KeyValueError extends Error {
  constructor(
    message: string,
    readonly span: Span,
  ) {
    super(message);
  }
}

const BLOCKS = [
  ['print', '{{', '}}'],
  ['block', '{%', '%}'],
  ['comment', '{#', '#}'],
] as const;

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/** The quote still open after `token`, given the one open before it; a quote after a backslash is literal. */
function openQuoteAfter(token: string, open: string | undefined): string | undefined {
  let quote = open;
  for (let index = 0; index < token.length; index++) {
    const char = token[index] as string;
    if ((char !== '"' && char !== "'") || token[index - 1] === '\\') continue;
    if (quote === undefined) quote = char;
    else if (char === quote) quote = undefined;
  }
  return quote;
}

/**
 * Split on spaces and newlines, but keep together what quotes or a Jinja `{{ }}`, `{% %}` or `{# #}`
 * hold (`msg="a b"`, `dest={{ base }}/x`). A lone `\` at the end of a line continues it. Unbalanced
 * quotes or blocks are an error, as in Ansible.
 */
export function splitArgs(text: string): Word[] {
  const words: Word[] = [];
  const last = (at: number): Word => {
    if (words.length === 0) words.push({ text: '', start: at, end: at });
    return words.at(-1) as Word;
  };
  const depths = { print: 0, block: 0, comment: 0 };
  const inBlock = () => depths.print + depths.block + depths.comment > 0;
  let quote: string | undefined;
  const lines = text.split('\n');
  let lineStart = 0;
  lines.forEach((line, lineIndex) => {
    let continued = false;
    let start = lineStart;
    line.split(' ').forEach((token, index) => {
      const tokenStart = start;
      start += token.length + 1;
      // A run of spaces: each extra one stays with the word before it.
      if (token === '' && index > 0) {
        last(tokenStart).text += ' ';
        return;
      }
      if (token === '\\' && quote === undefined) {
        continued = true;
        return;
      }
      const wasQuoted = quote !== undefined;
      quote = openQuoteAfter(token, quote);
      const word = { text: token, start: tokenStart, end: tokenStart + token.length };
      let placed = false;
      if (quote !== undefined && !wasQuoted && !inBlock()) {
        words.push(word);
        placed = true;
      } else if (inBlock() || quote !== undefined || wasQuoted) {
        const previous = last(tokenStart);
        previous.text += (index > 0 ? ' ' : '') + token;
        previous.end = word.end;
        placed = true;
      }
      for (const [depth, open, close] of BLOCKS) {
        const before = depths[depth];
        depths[depth] = Math.max(0, before + occurrences(token, open) - occurrences(token, close));
        if (depths[depth] !== before && !placed) {
          words.push(word);
          placed = true;
        }
      }
      if (!placed && !inBlock() && quote === undefined && token !== '') words.push(word);
    });
    if (lines.length > 1 && lineIndex < lines.length - 1 && !continued) last(lineStart).text += '\n';
    lineStart += line.length + 1;
  });
  if (quote !== undefined || inBlock()) {
    // Everything after the opening quote or block was joined to its word, the last one.
    const start = (words.at(-1) as Word).start;
    const what = quote === undefined ? 'a Jinja block ({{ }}, {% %} or {# #}) is not closed' : `a ${quote} quote is not closed`;
    throw new KeyValueError(`${what}: the arguments cannot be split into key=value words`, { offset: start, length: text.length - start });
  }
  return words;
}

const ESCAPE = /\\(?:U[0-9a-fA-F]{8}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|N\{[^}]+\}|[\\'"abfnrtv])/g;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/**
 * Python's string escapes, which Ansible decodes in every key=value word (`msg=a\nb` holds a newline).
 * An escape by Unicode character name is left as written and reported: runbook has no table of names.
 */
function decodeEscapes(word: Word): { text: string; named: string | undefined } {
  let named: string | undefined;
  const text = word.text.replace(ESCAPE, (escape) => {
    const kind = escape[1] as string;
    if (kind in SIMPLE_ESCAPES) return SIMPLE_ESCAPES[kind] as string;
    if (kind === 'N') {
      named ??= escape;
      return escape;
    }
    const codePoint = Number.parseInt(escape.slice(2), 16);
    if (codePoint > 0x10ffff) throw new KeyValueError(`${escape} is not a Unicode character`, { offset: word.start, length: word.end - word.start });
    return String.fromCodePoint(codePoint);
  });
  return { text, named };
}

/** The first `=` after the word's first character that no backslash escapes, or -1. */
function separatorIn(text: string): number {
  for (let index = 1; index < text.length; index++) if (text[index] === '=' && text[index - 1] !== '\\') return index;
  return -1;
}

function isQuoted(text: string): boolean {
  return text.length > 1 && text[0] === text.at(-1) && (text[0] === '"' || text[0] === "'") && text.at(-2) !== '\\';
}

/** Ansible's join_args: words joined by one space, none after a line's end. */
function joinWords(words: readonly string[]): string {
  return words.reduce((joined, word) => (joined === '' || joined.endsWith('\n') ? joined + word : `${joined} ${word}`), '');
}

/**
 * Parse `key=value` words. With `isOption`, the module is free-form (command, shell): only words whose
 * key it names are arguments, and every other word belongs to the command line, written as it was.
 */
export function parseKeyValue(text: string, isOption?: (key: string) => boolean): KeyValueArgs {
  const pairs: KeyValue[] = [];
  const free: Word[] = [];
  const freeTexts: string[] = [];
  for (const word of splitArgs(text)) {
    const { text: decoded, named } = decodeEscapes(word);
    const separator = separatorIn(decoded);
    const rawKey = decoded.slice(0, separator);
    const freeWord = separator === -1 || (isOption !== undefined && !isOption(rawKey));
    // Only escaped `=`: the word is free text, unescaped (Ansible replaces `\=` there alone).
    const unescaped = separator === -1 && decoded.includes('=');
    if (named !== undefined && (!freeWord || unescaped)) {
      throw new KeyValueError(`${named}: escapes by Unicode character name are not supported`, { offset: word.start, length: word.end - word.start });
    }
    if (freeWord) {
      free.push(word);
      freeTexts.push(unescaped ? decoded.replaceAll('\\=', '=') : word.text);
      continue;
    }
    const after = decoded.slice(separator + 1);
    const written = after.trim();
    const quoted = isQuoted(written);
    const value = quoted ? written.slice(1, -1) : written;
    const key = rawKey.trim();
    // Offsets inside the word hold only when it reads as written (no escapes decoded).
    const exact = decoded.trimEnd() === text.slice(word.start, word.end);
    const whole = { offset: word.start, length: word.end - word.start };
    const valueStart = word.start + separator + 1 + (after.length - after.trimStart().length) + (quoted ? 1 : 0);
    pairs.push({
      key,
      value,
      keySpan: exact ? { offset: word.start, length: key.length } : whole,
      valueSpan: exact ? { offset: valueStart, length: value.length } : whole,
    });
  }
  return { pairs, free, freeText: joinWords(freeTexts) };
}
