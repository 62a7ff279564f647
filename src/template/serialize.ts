import { stringify } from 'yaml';
import { isMapping } from './python.js';

/**
 * JSON and YAML text as Ansible's to_json, to_nice_json, to_yaml and to_nice_yaml write it: Python's
 * json.dumps and PyYAML's yaml.dump, whose spacing, key order and quoting differ from
 * JSON.stringify's and the yaml package's.
 */

export interface JsonOptions {
  indent: number | undefined;
  sortKeys: boolean;
  ensureAscii: boolean;
}

/** json.dumps: `, ` and `: ` between items without indent, `,` and `: ` with it; non-ASCII escaped by default. */
export function pythonJson(value: unknown, options: JsonOptions, level = 0): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') {
    const text = JSON.stringify(value);
    return options.ensureAscii ? text.replace(/[\u007f-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : text;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value !== 'object') return String(value);
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((item) => [undefined, item])
    : Object.entries(value).sort(([a], [b]) => (options.sortKeys ? (a < b ? -1 : a > b ? 1 : 0) : 0));
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  const parts = entries.map(([key, item]) => (key === undefined ? '' : `${pythonJson(key, options)}: `) + pythonJson(item, options, level + 1));
  if (options.indent === undefined) return open + parts.join(', ') + close;
  const inner = `\n${' '.repeat(options.indent * (level + 1))}`;
  return `${open}${inner}${parts.join(`,${inner}`)}\n${' '.repeat(options.indent * level)}${close}`;
}

/** Plain text PyYAML's resolver would read as another type (bool, null, int, float), so it quotes it. */
const IMPLICIT = new RegExp(
  [
    'yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF',
    '~|null|Null|NULL',
    '[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+',
    '[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN)',
    '<<|=',
  ].join('|').replace(/^/, '^(?:') + ')$',
);

/** Text PyYAML writes plain: no indicator first, no `: ` or ` #` (nor, in flow style, `,[]{}`) inside, no edge spaces, printable, one line. */
function plain(text: string, inFlow: boolean): boolean {
  return (
    text !== '' &&
    !IMPLICIT.test(text) &&
    !/^[?:,[\]{}#&*!|>'"%@`]|^-(?: |$)/.test(text) &&
    !/: |:$| #|[\n\r\t]/.test(text) &&
    !(inFlow && /[,[\]{}]/.test(text)) &&
    text.trim() === text &&
    /^[\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]*$/.test(text)
  );
}

/**
 * A scalar as PyYAML writes it: plain when it can be, else single-quoted; text with line breaks or
 * control characters double-quoted (PyYAML folds those differently, with the same value).
 */
function yamlScalar(value: unknown, inFlow = false): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  const text = String(value);
  if (plain(text, inFlow)) return text;
  if (/[\n\r\t\x00-\x1f\x7f]/.test(text)) return stringify(text, { defaultStringType: 'QUOTE_DOUBLE', lineWidth: 0 }).replace(/\n$/, '');
  return `'${text.replaceAll("'", "''")}'`;
}

function isCollection(value: unknown): value is unknown[] | Record<string, unknown> {
  return Array.isArray(value) || isMapping(value);
}

function entriesOf(value: unknown[] | Record<string, unknown>): Array<[string | undefined, unknown]> {
  return Array.isArray(value) ? value.map((item) => [undefined, item]) : Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** `[a, b]` or `{a: 1}`. */
function flow(value: unknown): string {
  if (!isCollection(value)) return yamlScalar(value, true);
  const parts = entriesOf(value).map(([key, item]) => (key === undefined ? '' : `${yamlScalar(key, true)}: `) + flow(item));
  return Array.isArray(value) ? `[${parts.join(', ')}]` : `{${parts.join(', ')}}`;
}

/** PyYAML's line width: a plain or single-quoted scalar breaks at a single space past it. */
const WIDTH = 80;

/**
 * A block line ending in a scalar, folded as PyYAML's write_plain and write_single_quoted fold it:
 * at a single space once the line is past WIDTH (not the first or last character of quoted text),
 * the rest continues on a new line at `continuation`. Flow collections and double-quoted text stay whole.
 */
function folded(prefix: string, scalar: string, continuation: number): string {
  if (scalar.startsWith('"') || scalar.startsWith('[') || scalar.startsWith('{')) return prefix + scalar;
  const quoted = scalar.startsWith("'");
  let text = prefix;
  let column = prefix.length;
  for (const match of scalar.matchAll(/ +|[^ ]+/g)) {
    const token = match[0];
    const edge = quoted && (match.index === 1 || match.index + token.length === scalar.length - 1);
    if (token === ' ' && column > WIDTH && !edge) {
      text += `\n${' '.repeat(continuation)}`;
      column = continuation;
    } else {
      text += token;
      column += token.length;
    }
  }
  return text;
}

/** A block's scalar, or a collection written in flow style. */
const inlineText = (value: unknown): string => (isCollection(value) ? flow(value) : yamlScalar(value));

/**
 * yaml.dump with sorted keys. `flowLeaves` (to_yaml's default_flow_style=None) writes a collection of
 * scalars only in flow style; otherwise (to_nice_yaml) every non-empty collection is a block. A list
 * under a key is not indented, and a list item's mapping starts on the dash's line, as PyYAML does.
 */
export function pythonYaml(value: unknown, indent: number, flowLeaves: boolean): string {
  const inline = (item: unknown) => !isCollection(item) || entriesOf(item).length === 0 || (flowLeaves && entriesOf(item).every(([, each]) => !isCollection(each)));
  const lines: string[] = [];
  /** `prefix` starts the first line (a dash, already indented); later lines start at `column`. */
  const block = (item: unknown[] | Record<string, unknown>, column: number, prefix: string): void => {
    let first = prefix;
    for (const [key, child] of entriesOf(item)) {
      const start = first || ' '.repeat(column);
      first = '';
      if (key === undefined) {
        if (inline(child)) lines.push(folded(`${start}- `, inlineText(child), column + indent));
        else block(child as unknown[] | Record<string, unknown>, column + indent, `${start}-${' '.repeat(indent - 1)}`);
      } else if (inline(child)) lines.push(folded(`${start}${yamlScalar(key)}: `, inlineText(child), column + indent));
      else {
        lines.push(`${start}${yamlScalar(key)}:`);
        block(child as unknown[] | Record<string, unknown>, Array.isArray(child) ? column : column + indent, '');
      }
    }
  };
  if (inline(value)) return `${inlineText(value)}\n`;
  block(value as unknown[] | Record<string, unknown>, 0, '');
  return `${lines.join('\n')}\n`;
}
