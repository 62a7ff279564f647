import { readFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node, type Pair, type Scalar } from 'yaml';
import { RunbookError, type Issue, type SourcePosition } from '../errors.js';

/** A path into parsed data: mapping keys and sequence indexes. */
export type DataPath = readonly (string | number)[];

/** A parsed YAML file: the data, and the node tree that knows where every value was written. */
export interface YamlSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** Plain data (the last of duplicate keys wins); meaningless when `syntaxOk` is false. */
  data: unknown;
  /** False when the YAML has syntax errors (duplicate keys alone leave the data usable). */
  syntaxOk: boolean;
  /** YAML syntax errors and warnings, positioned. */
  issues: Issue[];
}

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const BOOL_TAG = 'tag:yaml.org,2002:bool';

/**
 * PyYAML's booleans, which Ansible reads: YAML 1.1's own list also has y, Y, n and N, which PyYAML
 * (and so Ansible) keeps as strings: `[x, y]` is two strings there.
 */
const PYYAML_BOOLS = [true, false].map((value) => ({
  tag: BOOL_TAG,
  default: true,
  identify: (candidate: unknown) => candidate === value,
  test: value ? /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/ : /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
  resolve: () => value,
  stringify: ({ value: written }: { value: unknown }) => String(written),
}));
const KEY_TEXT = /^("(?:[^"\\\n]|\\.)*"|'[^'\n]*'|[^:\n]*)/;

/**
 * YAML 1.1 like PyYAML, so Ansible files mean the same here (`yes` is true, `0644` is octal, `y` is a
 * string), except that dates stay strings. Duplicate keys are errors (yaml's uniqueKeys default).
 */
export function parseYaml(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    version: '1.1',
    prettyErrors: false,
    lineCounter,
    customTags: (tags) => [...tags.filter((tag) => typeof tag === 'string' || (tag.tag !== TIMESTAMP_TAG && tag.tag !== BOOL_TAG)), ...PYYAML_BOOLS],
  });
  const at = (offset: number): { line: number; col: number } => lineCounter.linePos(offset);
  const issues: Issue[] = [];
  for (const error of doc.errors) {
    const duplicate = error.code === 'DUPLICATE_KEY';
    // yaml marks only the start of a duplicate key; the key runs to its colon.
    const key = duplicate ? (KEY_TEXT.exec(text.slice(error.pos[0]))?.[0] ?? '').trimEnd() : '';
    const start = at(error.pos[0]);
    const end = at(duplicate ? error.pos[0] + key.length : error.pos[1]);
    issues.push({
      file,
      ...start,
      ...(end.line === start.line && end.col > start.col ? { endLine: end.line, endCol: end.col } : {}),
      code: duplicate ? 'RB_YAML_DUPLICATE_KEY' : 'RB_YAML_SYNTAX',
      message: duplicate ? `duplicate key ${/^["']/.test(key) ? key : JSON.stringify(key)}` : error.message,
      ...(duplicate
        ? { hint: 'a key may appear once per mapping; the later value would silently win' }
        : error.code === 'TAB_AS_INDENT'
          ? { hint: 'indent with spaces: YAML does not allow tabs there' }
          : quotingHint(text, error.pos[0])),
      severity: 'error',
    });
  }
  for (const warning of doc.warnings) {
    issues.push({ file, ...at(warning.pos[0]), code: 'RB_YAML_WARNING', message: warning.message, severity: 'warning' });
  }
  const syntaxOk = doc.errors.every((error) => error.code === 'DUPLICATE_KEY');
  // A syntax error on such a line already carries the quoting hint.
  if (syntaxOk) issues.push(...quoteUnquotedTemplates(file, text, doc, at));
  return { file, text, doc, lineCounter, data: syntaxOk ? doc.toJS() : undefined, syntaxOk, issues };
}

/** `key: {{ x }} and more` is a YAML syntax error whose cause is the unquoted template that starts the value. */
function quotingHint(text: string, offset: number): { hint: string } | Record<string, never> {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset);
  const unquoted = /^(\s*(?:-\s+)?[^\s:'"]+:\s+)(\{\{.*)$/.exec(text.slice(lineStart, lineEnd).trimEnd());
  if (!unquoted) return {};
  return { hint: `a value that starts with "{{" must be quoted: ${unquoted[1]!.trim()} ${JSON.stringify(unquoted[2])}` };
}

/**
 * `msg: {{ name }}` is a YAML flow mapping whose key is another mapping, not a template. Each is
 * reported with the quoting fix, and read as the text it was meant to be, so validation goes on and
 * reports nothing that only repeats it.
 */
function quoteUnquotedTemplates(file: string, text: string, doc: Document.Parsed, at: (offset: number) => { line: number; col: number }): Issue[] {
  const issues: Issue[] = [];
  visit(doc, {
    Map(_key, node) {
      const inner = node.items[0]?.key;
      if (!node.flow || node.items.length !== 1 || !isMap(inner) || !inner.flow || !node.range) return undefined;
      const [start, end] = node.range;
      const written = text.slice(start, end).trimEnd();
      issues.push({
        file,
        ...at(start),
        ...(at(start).line === at(start + written.length).line ? { endLine: at(start).line, endCol: at(start + written.length).col } : {}),
        code: 'RB_YAML_UNQUOTED_TEMPLATE',
        message: `a value that starts with "{{" must be quoted: YAML reads ${written} as a mapping`,
        hint: `write it in quotes: ${JSON.stringify(written)}`,
        severity: 'error',
      });
      return doc.createNode(written);
    },
  });
  return issues;
}

/** Read and parse a YAML file; an unreadable file is a usage error. */
export function readYaml(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RunbookError('RB_USAGE', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, {
      cause: error,
    });
  }
  return parseYaml(file, text);
}

/** A YAML mapping, as plain data. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** JSON Pointer (ajv's instancePath) to a data path. */
export function pointerToPath(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

interface Found {
  node: Node | null;
  /** The pair holding the node, when the last step was a mapping key. */
  pair: Pair | undefined;
  /** How many path segments were found. */
  depth: number;
}

/** Follow a path through the node tree as far as it exists. The last of duplicate keys wins, like the data. */
function walk(source: YamlSource, path: DataPath): Found {
  let found: Found = { node: source.doc.contents as Node | null, pair: undefined, depth: 0 };
  for (const segment of path) {
    let node = found.node;
    if (isAlias(node)) node = (node.resolve(source.doc) as Node | undefined) ?? null;
    if (isMap(node)) {
      const pair = node.items.findLast((item) => isPair(item) && keyText(item.key) === String(segment));
      if (pair === undefined) break;
      found = { node: (pair.value as Node | null) ?? null, pair: pair as Pair, depth: found.depth + 1 };
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      found = { node: item as Node, pair: undefined, depth: found.depth + 1 };
    } else {
      break;
    }
  }
  return found;
}

/** The scalar written at a path, if the path leads to one (e.g. to read how a number was written). */
export function scalarAt(source: YamlSource, path: DataPath): Scalar | undefined {
  const found = walk(source, path);
  const node = isAlias(found.node) ? found.node.resolve(source.doc) : found.node;
  return found.depth === path.length && isScalar(node) ? node : undefined;
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function rangeOf(node: unknown): readonly [number, number] | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? [range[0], range[1]] : undefined;
}

function span(source: YamlSource, start: number, end: number | undefined): SourcePosition {
  const from = source.lineCounter.linePos(start);
  const position: SourcePosition = { file: source.file, line: from.line, col: from.col };
  if (end === undefined || end <= start) return position;
  const to = source.lineCounter.linePos(end);
  return to.line === from.line ? { ...position, endLine: to.line, endCol: to.col } : position;
}

export type Target = 'value' | 'key';

/**
 * Where a data path was written: the value's node (or with target 'key', its key), else the
 * deepest part of the path that exists. Scalars and keys get an end column; collections only a start.
 */
export function positionOf(source: YamlSource, path: DataPath, target: Target = 'value'): SourcePosition {
  const found = walk(source, path);
  const complete = found.depth === path.length;
  const node = complete && target === 'key' && found.pair ? found.pair.key : (found.node ?? found.pair?.key);
  const range = rangeOf(node);
  if (range === undefined) return { file: source.file, line: 1, col: 1 };
  return span(source, range[0], isScalar(node) ? range[1] : undefined);
}

/**
 * Where a piece of a string value was written, given its offset and length in the value. Exact
 * for plain and quoted one-line scalars without escapes; otherwise the whole value's position.
 */
export function positionInValue(source: YamlSource, path: DataPath, offset: number, length: number): SourcePosition {
  const found = walk(source, path);
  const node = found.node;
  const range = rangeOf(node);
  if (found.depth !== path.length || !isScalar(node) || typeof node.value !== 'string' || range === undefined) {
    return positionOf(source, path);
  }
  const raw = source.text.slice(range[0], range[1]);
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  const written = quoted ? raw.slice(1, -1) : raw;
  if ((node.type !== 'PLAIN' && !quoted) || written !== node.value) return positionOf(source, path);
  const start = range[0] + (quoted ? 1 : 0) + offset;
  return span(source, start, start + length);
}

export interface IssueOptions {
  hint?: string | undefined;
  severity?: Issue['severity'];
  target?: Target;
}

export function issueAt(source: YamlSource, path: DataPath, code: string, message: string, options: IssueOptions = {}): Issue {
  return issueFrom(positionOf(source, path, options.target), code, message, options);
}

/** An issue at a position found otherwise (e.g. inside a string with positionInValue). */
export function issueFrom(position: SourcePosition, code: string, message: string, options: IssueOptions = {}): Issue {
  return {
    ...position,
    code,
    message,
    ...(options.hint === undefined ? {} : { hint: options.hint }),
    severity: options.severity ?? 'error',
  };
}

/** Files in the order first met, each top to bottom: the order people fix them in. */
export function inReadingOrder(issues: readonly Issue[]): Issue[] {
  const files = [...new Set(issues.map((issue) => issue.file))];
  return [...issues].sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.col - b.col);
}
