/**
 * A template syntax error in words a playbook author can act on ("a `)` is missing to close the `(`
 * at column 5"), rather than the parser's internal names ("parseAggregate: expected comma after
 * expression"). The brackets, quotes and delimiters are checked first, since an unbalanced one is the
 * usual cause and the parser reports it only where it gave up.
 */

/**
 * An unbalanced bracket, quote or delimiter, in words, or undefined. Checked before parsing too:
 * nunjucks accepts some that Jinja2 refuses, such as `(x]`.
 */
export function unbalancedProblem(text: string, shift = 0): string | undefined {
  return unbalanced(text)?.replace(/column (\d+)/g, (_match, column: string) => `column ${Number(column) - shift}`);
}

const CLOSING: Readonly<Record<string, string>> = { '(': ')', '[': ']', '{': '}' };
const OPENING: Readonly<Record<string, string>> = { ')': '(', ']': '[', '}': '{' };
const DELIMITERS: readonly [open: string, close: string][] = [
  ['{{', '}}'],
  ['{%', '%}'],
  ['{#', '#}'],
];

/** The first unclosed or unexpected bracket, quote or delimiter, with its column (1-based, in the text). */
function unbalanced(text: string): string | undefined {
  let at = 0;
  while (at < text.length) {
    const delimiter = DELIMITERS.find(([open]) => text.startsWith(open, at));
    if (delimiter === undefined) {
      at += 1;
      continue;
    }
    const [open, close] = delimiter;
    const bodyStart = at + open.length;
    if (open === '{#') {
      const end = text.indexOf(close, bodyStart);
      if (end < 0) return `the comment \`{#\` at column ${at + 1} is never closed with \`#}\``;
      at = end + close.length;
      continue;
    }
    const scanned = scanExpression(text, bodyStart, close);
    if (scanned.problem !== undefined) return scanned.problem;
    if (scanned.end === undefined) return `\`${open}\` at column ${at + 1} is never closed with \`${close}\``;
    at = scanned.end + close.length;
  }
  return unclosedBlock(text);
}

/** Statements that need an end tag. `set` does only in its block form (no `=`). */
const BLOCK_STATEMENTS = new Set(['if', 'for', 'macro', 'call', 'filter', 'block', 'raw', 'with']);

/** The first `{% if %}`, `{% for %}`, … left without its `{% end… %}`. */
function unclosedBlock(text: string): string | undefined {
  const open: { name: string; at: number }[] = [];
  for (const tag of text.matchAll(/\{%[-+]?\s*(\w+)([^%]*)%\}/g)) {
    const name = tag[1]!;
    if (BLOCK_STATEMENTS.has(name) || (name === 'set' && !tag[2]!.includes('='))) open.push({ name, at: tag.index });
    else if (name.startsWith('end') && open[open.length - 1]?.name === name.slice(3)) open.pop();
  }
  const last = open[open.length - 1];
  return last === undefined ? undefined : `the \`{% ${last.name} %}\` at column ${last.at + 1} is never closed: \`{% end${last.name} %}\` is missing`;
}

/** Scans one `{{ … }}` or `{% … %}` body for quotes and brackets, up to its closing delimiter. */
function scanExpression(text: string, start: number, close: string): { end?: number; problem?: string } {
  const open: { char: string; at: number }[] = [];
  let at = start;
  while (at < text.length) {
    const char = text[at]!;
    if (char === "'" || char === '"') {
      const end = closingQuote(text, at);
      if (end === undefined) return { problem: `the string opened with ${char} at column ${at + 1} is never closed (a \`${char}\` is missing)` };
      at = end + 1;
      continue;
    }
    if (open.length === 0 && text.startsWith(close, at)) return { end: at };
    const last = open[open.length - 1];
    if (CLOSING[char] !== undefined) open.push({ char, at });
    else if (OPENING[char] !== undefined && last !== undefined && CLOSING[last.char] === char) open.pop();
    else if (last !== undefined && text.startsWith(close, at)) {
      return { problem: `a \`${CLOSING[last.char]}\` is missing to close the \`${last.char}\` at column ${last.at + 1}` };
    } else if (OPENING[char] !== undefined) {
      // A lone `}` where `}}` belongs: the delimiter is what is unclosed.
      if (last === undefined && close.startsWith(char)) return {};
      if (last === undefined) return { problem: `\`${char}\` at column ${at + 1} closes nothing: no \`${OPENING[char]}\` is open there` };
      return { problem: `a \`${CLOSING[last.char]}\` is missing to close the \`${last.char}\` at column ${last.at + 1} (found \`${char}\` at column ${at + 1})` };
    }
    at += 1;
  }
  const last = open[open.length - 1];
  if (last !== undefined) return { problem: `a \`${CLOSING[last.char]}\` is missing to close the \`${last.char}\` at column ${last.at + 1}` };
  return {};
}

function closingQuote(text: string, start: number): number | undefined {
  const quote = text[start];
  for (let at = start + 1; at < text.length; at += 1) {
    if (text[at] === '\\') at += 1;
    else if (text[at] === quote) return at;
  }
  return undefined;
}

/**
 * The parser's message without its internal function names, with its tokens named as a reader would.
 * A bare expression (`when:`) was parsed inside `{{ }}`, which its author never wrote.
 */
export function parserWords(message: string, mode: 'template' | 'expression'): string {
  const words = message.replace(/^parse\w+:\s*/, '');
  const end = mode === 'expression' ? 'the end of the expression' : '`}}`';
  if (words === 'expected variable end') return `something follows the expression where ${end} should be (an operator or a \`|\` missing?)`;
  if (words === 'expected block end') return 'something follows the statement where `%}` should be';
  const unexpected = /^unexpected token: (.+)$/.exec(words);
  if (unexpected) {
    const token = unexpected[1] === '}}' ? end : `\`${unexpected[1]}\``;
    return `${token} comes where a value is expected (a value missing before it?)`;
  }
  return words;
}
