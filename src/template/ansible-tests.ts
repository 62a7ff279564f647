import { lstatSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { RunbookError } from '../errors.js';
import { bindArguments } from './arguments.js';
import type { TemplateEnvironment } from './environment.js';
import { isMapping, pythonEquals, pythonRegex, pythonStr, pythonTruthy, typeName } from './python.js';
import { compareVersions } from './versions.js';

/**
 * Ansible's tests (ansible.builtin: core.py, mathstuff.py, files.py) and the Jinja2 type tests whose
 * nunjucks versions differ, with Python's results. The file tests look at the controller's files, as
 * Ansible's do: templates are computed on the controller.
 */

type Test = (value: unknown, ...args: never[]) => boolean;

function fail(message: string): never {
  throw new RunbookError('RB_TEMPLATE', message);
}

/** A registered result's flag; Ansible requires a mapping and returns the flag's truth. */
function resultFlag(test: string, flag: string): (value: unknown) => boolean {
  return (value) => {
    if (!isMapping(value)) fail(`the '${test}' test expects a dictionary (a registered result), not ${typeName(value)}`);
    return pythonTruthy(value[flag] ?? false);
  };
}

/** Ansible's `changed`: the result's own flag, or with none, whether any of a loop's results changed. */
function changed(value: unknown): boolean {
  if (!isMapping(value)) fail(`the 'changed' test expects a dictionary (a registered result), not ${typeName(value)}`);
  if ('changed' in value) return pythonTruthy(value.changed);
  const results = value.results;
  return Array.isArray(results) && isMapping(results[0]) && results.some((result) => isMapping(result) && pythonTruthy(result.changed ?? false));
}

/** Ansible's regex test: re.search (or re.match, re.fullmatch with match_type) on the value's text. */
function regex(value: unknown, ...args: unknown[]): boolean {
  const { pattern, ignorecase, multiline, match_type: matchType } = bindArguments('regex', args, { pattern: '' as unknown, ignorecase: false, multiline: false, match_type: 'search' as unknown });
  const compiled = pythonRegex(pattern, { ignorecase, multiline });
  const text = pythonStr(value);
  if (matchType === 'match') return new RegExp(`^(?:${compiled.regexp.source})`, compiled.regexp.flags.replace('m', '')).test(text);
  if (matchType === 'fullmatch') return new RegExp(`^(?:${compiled.regexp.source})$`, compiled.regexp.flags.replace('m', '')).test(text);
  if (matchType === 'search') return compiled.regexp.test(text);
  return fail(`regex: match_type must be search, match or fullmatch, not ${JSON.stringify(matchType)}`);
}

const OPERATORS: Readonly<Record<string, (order: number) => boolean>> = {
  '==': (order) => order === 0,
  '=': (order) => order === 0,
  eq: (order) => order === 0,
  '<': (order) => order < 0,
  lt: (order) => order < 0,
  '<=': (order) => order <= 0,
  le: (order) => order <= 0,
  '>': (order) => order > 0,
  gt: (order) => order > 0,
  '>=': (order) => order >= 0,
  ge: (order) => order >= 0,
  '!=': (order) => order !== 0,
  '<>': (order) => order !== 0,
  ne: (order) => order !== 0,
};

function version(value: unknown, ...args: unknown[]): boolean {
  const { version: other, operator, strict, version_type: versionType } = bindArguments('version', args, { version: '' as unknown, operator: 'eq' as unknown, strict: null as unknown, version_type: null as unknown });
  if (strict !== null && versionType !== null) fail("version: cannot specify both 'strict' and 'version_type'");
  if (!pythonTruthy(value)) fail('version: input version value cannot be empty');
  if (!pythonTruthy(other)) fail('version: version parameter to compare against cannot be empty');
  const check = OPERATORS[String(operator)] ?? fail(`version: invalid operator type (${String(operator)}); must be one of ${Object.keys(OPERATORS).join(', ')}`);
  const kind = pythonTruthy(strict) ? 'strict' : versionType === null ? 'loose' : String(versionType);
  return check(compareVersions(pythonStr(value), pythonStr(other), kind));
}

/** Ansible's convert_bool: yes/no-like values read as booleans first (anything else stays). */
function truthy(value: unknown, ...args: unknown[]): boolean {
  const { convert_bool: convert } = bindArguments('truthy', args, { convert_bool: false });
  if (pythonTruthy(convert)) {
    const text = typeof value === 'string' ? value.toLowerCase() : value;
    if (['y', 'yes', 'on', '1', 'true', 't', 1, true].includes(text as string)) return true;
    if (['n', 'no', 'off', '0', 'false', 'f', 0, false].includes(text as string)) return false;
  }
  return pythonTruthy(value);
}

function sequenceOf(test: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isMapping(value)) return Object.keys(value);
  return fail(`${test} needs a list, not ${typeName(value)}`);
}

const has = (items: unknown[], value: unknown) => items.some((item) => pythonEquals(item, value));

function pathTest(check: (path: string) => boolean): (value: unknown) => boolean {
  return (value) => check(pythonStr(value));
}

const stats = (path: string, follow: boolean) => {
  try {
    return follow ? statSync(path) : lstatSync(path);
  } catch {
    return undefined;
  }
};

export function addAnsibleTests(env: TemplateEnvironment): void {
  const tests: Record<string, Test> = {
    failed: resultFlag('failed', 'failed'),
    failure: resultFlag('failure', 'failed'),
    succeeded: (value) => !resultFlag('succeeded', 'failed')(value),
    success: (value) => !resultFlag('success', 'failed')(value),
    successful: (value) => !resultFlag('successful', 'failed')(value),
    changed,
    change: changed,
    skipped: resultFlag('skipped', 'skipped'),
    skip: resultFlag('skip', 'skipped'),
    unreachable: resultFlag('unreachable', 'unreachable'),
    reachable: (value) => !resultFlag('reachable', 'unreachable')(value),
    none: (value) => value === null,
    regex,
    match: (value: unknown, ...args: never[]) => {
      const { pattern, ignorecase, multiline } = bindArguments('match', args, { pattern: '' as unknown, ignorecase: false, multiline: false });
      return regex(value, pattern, { ignorecase, multiline, match_type: 'match', __keywords: true });
    },
    search: (value: unknown, ...args: never[]) => {
      const { pattern, ignorecase, multiline } = bindArguments('search', args, { pattern: '' as unknown, ignorecase: false, multiline: false });
      return regex(value, pattern, { ignorecase, multiline, match_type: 'search', __keywords: true });
    },
    version,
    version_compare: version,
    subset: (value: unknown, other: unknown) => sequenceOf('subset', value).every((item) => has(sequenceOf('subset', other), item)),
    issubset: (value: unknown, other: unknown) => sequenceOf('subset', value).every((item) => has(sequenceOf('subset', other), item)),
    superset: (value: unknown, other: unknown) => sequenceOf('superset', other).every((item) => has(sequenceOf('superset', value), item)),
    issuperset: (value: unknown, other: unknown) => sequenceOf('superset', other).every((item) => has(sequenceOf('superset', value), item)),
    contains: (value: unknown, item: unknown) => has(sequenceOf('contains', value), item),
    all: (value: unknown) => sequenceOf('all', value).every(pythonTruthy),
    any: (value: unknown) => sequenceOf('any', value).some(pythonTruthy),
    nan: (value: unknown) => typeof value === 'number' && Number.isNaN(value),
    isnan: (value: unknown) => typeof value === 'number' && Number.isNaN(value),
    truthy,
    falsy: (value: unknown, ...args: never[]) => !truthy(value, ...args),
    // Jinja2's type tests: a bool is a number (Python's bool is an int); a mapping, list or string is iterable.
    number: (value) => typeof value === 'number' || typeof value === 'boolean',
    string: (value) => typeof value === 'string',
    mapping: (value) => isMapping(value),
    iterable: (value) => typeof value === 'string' || Array.isArray(value) || isMapping(value),
    sameas: (value: unknown, other: unknown) => value === other,
    filter: (value) => typeof value === 'string' && value in env.filters,
    test: (value) => typeof value === 'string' && value in env.tests,
    abs: pathTest(isAbsolute),
    is_abs: pathTest(isAbsolute),
    exists: pathTest((path) => stats(path, true) !== undefined),
    link_exists: pathTest((path) => stats(path, false) !== undefined),
    file: pathTest((path) => stats(path, true)?.isFile() === true),
    is_file: pathTest((path) => stats(path, true)?.isFile() === true),
    directory: pathTest((path) => stats(path, true)?.isDirectory() === true),
    is_dir: pathTest((path) => stats(path, true)?.isDirectory() === true),
    link: pathTest((path) => stats(path, false)?.isSymbolicLink() === true),
    is_link: pathTest((path) => stats(path, false)?.isSymbolicLink() === true),
    same_file: (value: unknown, other: unknown) => {
      const [a, b] = [stats(pythonStr(value), true), stats(pythonStr(other), true)];
      return a !== undefined && b !== undefined && a.ino === b.ino && a.dev === b.dev;
    },
    mount: pathTest((path) => {
      const [self, parent] = [stats(path, false), stats(`${path}/..`, false)];
      return self !== undefined && parent !== undefined && !self.isSymbolicLink() && (self.dev !== parent.dev || self.ino === parent.ino);
    }),
  };
  tests.is_same_file = tests.same_file!;
  tests.is_mount = tests.mount!;
  for (const [name, test] of Object.entries(tests)) env.addTest(name, test);
}
