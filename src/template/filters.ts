import { RunbookError } from '../errors.js';
import { expandPythonTemplate, parsePythonTemplate, PythonRegexError, type PythonRegex } from '../modules/lib/python-regex.js';
import { quote } from '../shell/quote.js';
import { bindArguments, splitKeywords } from './arguments.js';
import { addDataFilters, attributeOf } from './data-filters.js';
import type { TemplateEnvironment } from './environment.js';
import { addAnsibleTests } from './ansible-tests.js';
import { isMapping, pythonCompare, pythonEquals, pythonRegex, pythonStr, pythonTruthy } from './python.js';

function global(regex: PythonRegex): RegExp {
  return new RegExp(regex.regexp.source, `${regex.regexp.flags}g`);
}

function replacementParts(replacement: string, regex: PythonRegex): Array<string | number> {
  try {
    return parsePythonTemplate(replacement, regex);
  } catch (error) {
    if (error instanceof PythonRegexError) throw new RunbookError('RB_TEMPLATE', `replacement ${JSON.stringify(replacement)}: ${error.message}`);
    throw error;
  }
}

/** re.sub: every match replaced, with \\1 and \\g<name> expanded. */
function regexReplace(value: unknown, ...args: unknown[]): string {
  const { pattern, replacement, ignorecase, multiline } = bindArguments('regex_replace', args, { pattern: '' as unknown, replacement: '' as unknown, ignorecase: false, multiline: false });
  const regex = pythonRegex(pattern, { ignorecase, multiline });
  const parts = replacementParts(String(replacement), regex);
  return pythonStr(value).replace(global(regex), (...match: unknown[]) => {
    const captures = match.slice(0, regex.groups + 1) as string[];
    return expandPythonTemplate(parts, captures as unknown as RegExpExecArray);
  });
}

/** re.search: the match, or with group arguments ('\\1', '\\g<name>') the list of those groups; None when no match. */
function regexSearch(value: unknown, pattern: unknown, ...rest: unknown[]): unknown {
  const { positional, keywords } = splitKeywords(rest);
  const regex = pythonRegex(pattern, keywords);
  const groups = positional.map((group) => {
    const reference = /^\\(?:g<(\S+)>|(\d+))/.exec(String(group));
    if (reference === null) throw new RunbookError('RB_TEMPLATE', `regex_search: unknown argument ${JSON.stringify(group)} (groups are written '\\1' or '\\g<name>')`);
    const number = reference[2] !== undefined ? Number(reference[2]) : /^\d+$/.test(reference[1]!) ? Number(reference[1]) : regex.names.get(reference[1]!);
    if (number === undefined || number > regex.groups) throw new RunbookError('RB_TEMPLATE', `regex_search: no such group ${JSON.stringify(group)}`);
    return number;
  });
  const match = regex.regexp.exec(pythonStr(value));
  if (match === null) return null;
  return groups.length === 0 ? match[0] : groups.map((number) => match[number] ?? null);
}

/** re.findall: the matches; with one group that group's text, with several a list of them ('' when unmatched). */
function regexFindall(value: unknown, ...args: unknown[]): unknown[] {
  const { regex: pattern, multiline, ignorecase } = bindArguments('regex_findall', args, { regex: '' as unknown, multiline: false, ignorecase: false });
  const regex = pythonRegex(pattern, { ignorecase, multiline });
  return [...pythonStr(value).matchAll(global(regex))].map((match) =>
    regex.groups === 0 ? match[0] : regex.groups === 1 ? (match[1] ?? '') : match.slice(1, regex.groups + 1).map((group) => group ?? ''),
  );
}

/** re.escape: Python 3.7+'s special characters get a backslash (posix_basic: those of a POSIX basic regex). */
function regexEscape(value: unknown, ...args: unknown[]): string {
  const { re_type: type } = bindArguments('regex_escape', args, { re_type: 'python' as unknown });
  const text = pythonStr(value);
  if (type === 'python') return text.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (char) => `\\${char}`);
  if (type === 'posix_basic') return text.replace(/[.^$*[\]\\]/g, (char) => `\\${char}`);
  throw new RunbookError('RB_TEMPLATE', `regex_escape: re_type ${JSON.stringify(type)} is not supported (python and posix_basic are)`);
}

/** Jinja2's random on a list, Ansible's on a number (`end`, with start and step); a seed is refused. */
function random(value: unknown, ...args: unknown[]): unknown {
  const { start, step, seed } = bindArguments('random', args, { start: null as unknown, step: null as unknown, seed: null as unknown });
  if (seed !== null) throw new RunbookError('RB_TEMPLATE', "random: seed is not supported: runbook cannot pick what Python's seeded random would");
  if (typeof value === 'number') {
    const [from, by] = [Number(start ?? 0), Number(step ?? 1)];
    const count = Math.max(0, Math.ceil((value - from) / by));
    if (count === 0) throw new RunbookError('RB_TEMPLATE', `random: empty range for ${String(value)}`);
    return from + by * Math.floor(Math.random() * count);
  }
  const items = typeof value === 'string' ? [...value] : Array.isArray(value) ? value : isMapping(value) ? Object.keys(value) : [];
  if (items.length === 0) throw new RunbookError('RB_TEMPLATE', 'random: the sequence is empty');
  return items[Math.floor(Math.random() * items.length)];
}

export function addAnsibleFilters(env: TemplateEnvironment): void {
  addDataFilters(env);
  const defaultFilter = (value: unknown, ...args: unknown[]) => {
    const { default_value: fallback, boolean } = bindArguments('default', args, { default_value: '' as unknown, boolean: false });
    return value === undefined || (pythonTruthy(boolean) && !pythonTruthy(value)) ? fallback : value;
  };
  env.addFilter('default', defaultFilter);
  env.addFilter('d', defaultFilter);
  env.addFilter('regex_replace', regexReplace);
  env.addFilter('regex_search', regexSearch);
  env.addFilter('regex_findall', regexFindall);
  env.addFilter('regex_escape', regexEscape);
  env.addFilter('random', random);
  env.addFilter('from_json', (value: unknown) => {
    try {
      return JSON.parse(String(value)) as unknown;
    } catch (error) {
      throw new RunbookError('RB_TEMPLATE', `from_json: not valid JSON: ${(error as Error).message}`);
    }
  });
  env.addFilter('quote', (value: unknown) => quote(pythonStr(value)));
  // As Ansible's: text as UTF-8 bytes (slurp's content is base64).
  env.addFilter('b64decode', (value: unknown) => Buffer.from(String(value), 'base64').toString('utf8'));
  env.addFilter('b64encode', (value: unknown) => Buffer.from(pythonStr(value), 'utf8').toString('base64'));
  // An undefined input never reaches this filter: the strict-undefined guard reports it by name first.
  env.addFilter('mandatory', (value: unknown) => value);
  env.addFilter('map', function (this: unknown, items: unknown, ...rest: unknown[]) {
    const { positional, keywords } = splitKeywords(rest);
    const list = Array.isArray(items) ? items : isMapping(items) ? Object.keys(items) : [];
    if (typeof keywords.attribute === 'string') {
      const attribute = keywords.attribute;
      return list.map((item) => {
        const value = attributeOf(item, attribute);
        if (value !== undefined) return value;
        if ('default' in keywords) return keywords.default;
        throw new RunbookError('RB_TEMPLATE', `map: an item has no attribute ${JSON.stringify(attribute)}`);
      });
    }
    const [name, ...args] = positional;
    const filter = env.getFilter(String(name)) as (...values: unknown[]) => unknown;
    const keywordArgs = Object.keys(keywords).length > 0 ? [{ ...keywords, __keywords: true }] : [];
    return list.map((item) => filter.call(this, item, ...args, ...keywordArgs));
  });

  addJinjaSelection(env);
  addAnsibleTests(env);
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
  const compare = (check: (order: number) => boolean) => (value: unknown, other: unknown) => check(pythonCompare(value, other));
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
  const selecting = (keep: boolean, byAttribute: boolean) =>
    function (items: unknown, ...rest: unknown[]): unknown[] {
      const { positional, keywords } = splitKeywords(rest);
      const keywordArgs = Object.keys(keywords).length > 0 ? [{ ...keywords, __keywords: true }] : [];
      const [attribute, ...testAndArgs] = byAttribute ? positional : [undefined, ...positional];
      const [testName, ...args] = testAndArgs;
      const test = testName === undefined ? undefined : testOf(testName);
      const list = Array.isArray(items) ? items : isMapping(items) ? Object.keys(items) : [];
      return list.filter((item) => {
        const value = byAttribute ? attributeOf(item, String(attribute)) : item;
        if (test === undefined && value === undefined) {
          throw new RunbookError('RB_TEMPLATE', `${keep ? 'select' : 'reject'}attr: an item has no attribute ${JSON.stringify(attribute)}`);
        }
        return (test === undefined ? pythonTruthy(value) : pythonTruthy(test(value, ...args, ...keywordArgs))) === keep;
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
