import { posix } from 'node:path';
import { stringify } from 'yaml';
import { RunbookError } from '../errors.js';
import { quote } from '../shell/quote.js';
import type { TemplateEnvironment } from './environment.js';

/** nunjucks passes keyword arguments as a trailing object marked `__keywords`. */
type Keywords = Record<string, unknown> & { __keywords: true };

function splitKeywords(args: unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args.at(-1);
  if (typeof last === 'object' && last !== null && (last as Keywords).__keywords === true) {
    const { __keywords: _marker, ...keywords } = last as Keywords;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: args, keywords: {} };
}

/** Python regular expressions (as Ansible users write them) in JavaScript syntax. */
function pythonRegex(pattern: string, flags: { ignorecase?: unknown; multiline?: unknown }, global: boolean): RegExp {
  const source = pattern.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  const modifiers = `${global ? 'g' : ''}${flags.ignorecase ? 'i' : ''}${flags.multiline ? 'm' : ''}`;
  try {
    return new RegExp(source, modifiers);
  } catch (error) {
    throw new RunbookError('RB_TEMPLATE', `invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

/** Expand a Python replacement template: \1, \g<1>, \g<name>, \\. */
function expandReplacement(template: string, match: RegExpMatchArray): string {
  return template.replace(/\\(?:(\d+)|g<(\w+)>|(\\))/g, (_whole, number: string, group: string, backslash: string) => {
    if (backslash) return '\\';
    const key = number ?? group;
    const value = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return value ?? '';
  });
}

function regexReplace(value: unknown, pattern: string, replacement = '', ...rest: unknown[]): string {
  const { keywords } = splitKeywords(rest);
  const regex = pythonRegex(pattern, keywords, true);
  return String(value).replace(regex, (...args: unknown[]) => {
    const groupsArg = args.at(-1);
    const hasNamedGroups = typeof groupsArg === 'object' && groupsArg !== null;
    const captures = args.slice(0, hasNamedGroups ? -3 : -2) as string[];
    const match = Object.assign([...captures], hasNamedGroups ? { groups: groupsArg as Record<string, string> } : {});
    return expandReplacement(replacement, match as unknown as RegExpMatchArray);
  });
}

/** The match, or with group arguments ('\\1', '\\g<name>') the list of those groups; None when no match. */
function regexSearch(value: unknown, pattern: string, ...rest: unknown[]): unknown {
  const { positional, keywords } = splitKeywords(rest);
  const match = String(value).match(pythonRegex(pattern, keywords, false));
  if (match === null) return null;
  if (positional.length === 0) return match[0];
  return positional.map((group) => expandReplacement(String(group), match));
}

const TRUE_STRINGS = new Set(['yes', 'on', '1', 'true', 'y', 't']);

/** Ansible's bool: yes/on/1/true (any case) are true, everything else false. */
function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1;
  return TRUE_STRINGS.has(String(value).trim().toLowerCase());
}

function fromJson(value: unknown): unknown {
  try {
    return JSON.parse(String(value));
  } catch (error) {
    throw new RunbookError('RB_TEMPLATE', `from_json: not valid JSON: ${(error as Error).message}`);
  }
}

function toJson(value: unknown, ...rest: unknown[]): string {
  const { keywords } = splitKeywords(rest);
  return JSON.stringify(value, null, typeof keywords.indent === 'number' ? keywords.indent : undefined);
}

function attributePath(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((current, key) => (current === null || current === undefined ? undefined : (current as Record<string, unknown>)[key]), value);
}

/** Registered task results carry changed/failed/skipped like Ansible's. */
function resultFlag(flag: 'failed' | 'changed' | 'skipped'): (value: unknown) => boolean {
  return (value) => typeof value === 'object' && value !== null && (value as Record<string, unknown>)[flag] === true;
}

export function addAnsibleFilters(env: TemplateEnvironment): void {
  env.addFilter('bool', toBool);
  env.addFilter('regex_replace', regexReplace);
  env.addFilter('regex_search', regexSearch);
  env.addFilter('to_json', toJson);
  env.addFilter('to_yaml', (value: unknown) => stringify(value));
  env.addFilter('from_json', fromJson);
  env.addFilter('quote', (value: unknown) => quote(String(value)));
  env.addFilter('basename', (value: unknown) => posix.basename(String(value)));
  env.addFilter('dirname', (value: unknown) => posix.dirname(String(value)));
  // As Ansible's: text as UTF-8 bytes (slurp's content is base64).
  env.addFilter('b64decode', (value: unknown) => Buffer.from(String(value), 'base64').toString('utf8'));
  env.addFilter('b64encode', (value: unknown) => Buffer.from(String(value), 'utf8').toString('base64'));
  // An undefined input never reaches this filter: the strict-undefined guard reports it by name first.
  env.addFilter('mandatory', (value: unknown) => value);
  env.addFilter('map', function (this: unknown, items: unknown, ...rest: unknown[]) {
    const { positional, keywords } = splitKeywords(rest);
    const list = Array.isArray(items) ? items : [];
    if (typeof keywords.attribute === 'string') return list.map((item) => attributePath(item, keywords.attribute as string));
    const [name, ...args] = positional;
    const filter = env.getFilter(String(name)) as (...values: unknown[]) => unknown;
    return list.map((item) => filter.call(this, item, ...args));
  });

  addJinjaSelection(env);

  const failed = resultFlag('failed');
  env.addTest('failed', failed);
  env.addTest('failure', failed);
  env.addTest('succeeded', (value: unknown) => !failed(value));
  env.addTest('success', (value: unknown) => !failed(value));
  env.addTest('changed', resultFlag('changed'));
  env.addTest('change', resultFlag('changed'));
  env.addTest('skipped', resultFlag('skipped'));
  env.addTest('skip', resultFlag('skipped'));
  env.addTest('none', (value: unknown) => value === null);
  env.addTest('match', (value: unknown, pattern: string) => pythonRegex(`^(?:${pattern})`, {}, false).test(String(value)));
  env.addTest('search', (value: unknown, pattern: string) => pythonRegex(pattern, {}, false).test(String(value)));
}

/** Python's ==: deep, and 1 == 1.0 == True. */
function pythonEquals(left: unknown, right: unknown): boolean {
  // A bool is a number in Python (True == 1), and equal to nothing else: None, lists and strings differ.
  const numeric = (value: unknown) => typeof value === 'boolean' || typeof value === 'number';
  if (typeof left === 'boolean' || typeof right === 'boolean') return numeric(left) && numeric(right) && Number(left) === Number(right);
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, index) => pythonEquals(item, right[index]));
  if (isMapping(left) && isMapping(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => key in right && pythonEquals(left[key], right[key]));
  }
  return left === right;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Python's `in`: a substring, a list member, a mapping key. */
function pythonIn(value: unknown, container: unknown): boolean {
  if (typeof container === 'string') return container.includes(String(value));
  if (Array.isArray(container)) return container.some((item) => pythonEquals(item, value));
  if (isMapping(container)) return typeof value === 'string' && value in container;
  throw new RunbookError('RB_TEMPLATE', `the "in" test needs a string, list or mapping, not ${container === null ? 'None' : typeof container}`);
}

/**
 * Jinja2's select, reject, selectattr and rejectattr: with a test name and its arguments
 * (`selectattr('state', 'equalto', 'absent')`), or by truthiness without one. nunjucks' own versions
 * ignore the test and its arguments. Jinja2's test names (`==`, `eq`, `in`, `true`, …) are all known.
 */
function addJinjaSelection(env: TemplateEnvironment): void {
  const equals = (value: unknown, other: unknown) => pythonEquals(value, other);
  const notEquals = (value: unknown, other: unknown) => !pythonEquals(value, other);
  const compare = (check: (order: number) => boolean) => (value: unknown, other: unknown) => check((value as number) < (other as number) ? -1 : (value as number) > (other as number) ? 1 : 0);
  const tests: Record<string, (value: unknown, ...args: never[]) => boolean> = {
    '==': equals,
    eq: equals,
    equalto: equals,
    '!=': notEquals,
    ne: notEquals,
    '<': compare((order) => order < 0),
    lt: compare((order) => order < 0),
    lessthan: compare((order) => order < 0),
    '<=': compare((order) => order <= 0),
    le: compare((order) => order <= 0),
    '>': compare((order) => order > 0),
    gt: compare((order) => order > 0),
    greaterthan: compare((order) => order > 0),
    '>=': compare((order) => order >= 0),
    ge: compare((order) => order >= 0),
    in: pythonIn,
    true: (value) => value === true,
    false: (value) => value === false,
    boolean: (value) => typeof value === 'boolean',
    integer: (value) => typeof value === 'number' && Number.isInteger(value),
    float: (value) => typeof value === 'number' && !Number.isInteger(value),
    sequence: (value) => typeof value === 'string' || Array.isArray(value) || isMapping(value),
  };
  for (const [name, test] of Object.entries(tests)) env.addTest(name, test);

  const testOf = (name: unknown): ((value: unknown, ...args: unknown[]) => boolean) => {
    const test = typeof name === 'string' ? (env.tests[name] as ((value: unknown, ...args: unknown[]) => boolean) | undefined) : undefined;
    if (test === undefined) throw new RunbookError('RB_TEMPLATE', `no test named ${JSON.stringify(name)}`);
    return test;
  };
  const truthy = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : isMapping(value) ? Object.keys(value).length > 0 : Boolean(value));
  const selecting = (keep: boolean, byAttribute: boolean) =>
    function (items: unknown, ...rest: unknown[]): unknown[] {
      const { positional } = splitKeywords(rest);
      const [attribute, ...testAndArgs] = byAttribute ? positional : [undefined, ...positional];
      const [testName, ...args] = testAndArgs;
      const test = testName === undefined ? undefined : testOf(testName);
      const list = Array.isArray(items) ? items : isMapping(items) ? Object.keys(items) : [];
      return list.filter((item) => {
        const value = byAttribute ? attributePath(item, String(attribute)) : item;
        if (test === undefined && value === undefined) {
          throw new RunbookError('RB_TEMPLATE', `${keep ? 'select' : 'reject'}attr: an item has no attribute ${JSON.stringify(attribute)}`);
        }
        return (test === undefined ? truthy(value) : test(value, ...args)) === keep;
      });
    };
  env.addFilter('select', selecting(true, false));
  env.addFilter('reject', selecting(false, false));
  env.addFilter('selectattr', selecting(true, true));
  env.addFilter('rejectattr', selecting(false, true));
}

/** Python's str methods that Ansible playbooks call (`x.startswith('a')`), for string receivers. */
export const PYTHON_STRING_METHODS: Record<string, (self: string, ...args: never[]) => unknown> = {
  startswith: (self, prefix: string) => self.startsWith(prefix),
  endswith: (self, suffix: string) => self.endsWith(suffix),
  strip: (self, chars?: string) => (chars === undefined ? self.trim() : stripChars(self, chars, true, true)),
  lstrip: (self, chars?: string) => (chars === undefined ? self.trimStart() : stripChars(self, chars, true, false)),
  rstrip: (self, chars?: string) => (chars === undefined ? self.trimEnd() : stripChars(self, chars, false, true)),
  lower: (self) => self.toLowerCase(),
  upper: (self) => self.toUpperCase(),
  split: (self, separator?: string | null, maxsplit?: number) => pythonSplit(self, separator ?? undefined, maxsplit ?? -1),
  splitlines: (self) => self.split(/\r?\n/).filter((line, index, lines) => index < lines.length - 1 || line !== ''),
  replace: (self, old: string, replacement: string) => self.replaceAll(old, replacement),
  find: (self, needle: string) => self.indexOf(needle),
  join: (self, items: unknown[]) => items.map(String).join(self),
};

function stripChars(text: string, chars: string, start: boolean, end: boolean): string {
  let from = 0;
  let to = text.length;
  while (start && from < to && chars.includes(text[from] as string)) from++;
  while (end && to > from && chars.includes(text[to - 1] as string)) to--;
  return text.slice(from, to);
}

function pythonSplit(text: string, separator: string | undefined, maxsplit: number): string[] {
  const parts = separator === undefined ? text.trim().split(/\s+/).filter(Boolean) : text.split(separator);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  if (separator === undefined) {
    // Re-split keeping the remainder's own whitespace, like Python.
    const head = parts.slice(0, maxsplit);
    let rest = text.trimStart();
    for (const part of head) rest = rest.slice(rest.indexOf(part) + part.length).trimStart();
    return [...head, rest];
  }
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(separator)];
}
