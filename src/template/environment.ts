import nunjucks from 'nunjucks';
import { acceptIndexesAfterDots, acceptTestArgumentsWithoutParentheses, balanceBracesInCode, compileTestArgumentsLikeCalls, PYTHON_COMPARE } from './ast.js';
import { addAnsibleFilters } from './filters.js';
import { isMapping, pythonCompareChain, pythonSlice, pythonStr } from './python.js';

/** The parts of a nunjucks Environment runbook uses that @types/nunjucks leaves out. */
export type TemplateEnvironment = nunjucks.Environment & {
  addTest(name: string, test: (value: unknown, ...args: never[]) => boolean): void;
  filters: Record<string, unknown>;
  tests: Record<string, unknown>;
};

// Jinja compatibility (True/False/None, slices, dict.items()) patches nunjucks' shared runtime and
// parser; runbook is the process's only nunjucks user.
nunjucks.installJinjaCompat();
acceptTestArgumentsWithoutParentheses();
compileTestArgumentsLikeCalls();
balanceBracesInCode();
acceptIndexesAfterDots();

/** Printing null/undefined is an error; runbook's own guards name undefined variables first. */
export const THROW_ON_UNDEFINED = true;

// dev: errors thrown inside a render keep their cause (runbook's RunbookErrors) instead of being flattened.
export const environment = new nunjucks.Environment(null, {
  autoescape: false,
  // Ansible's templates drop the newline after a block tag ({% endfor %}), so files render alike.
  trimBlocks: true,
  throwOnUndefined: THROW_ON_UNDEFINED,
  dev: true,
}) as TemplateEnvironment;
addAnsibleFilters(environment);

/** A nunjucks scope: a render looks variables up in its frames before its context. */
export interface Frame {
  variables: Record<string, unknown>;
}

const runtime = nunjucks.runtime as unknown as {
  memberLookup(target: unknown, ...keys: unknown[]): unknown;
  suppressValue(value: unknown, autoescape: boolean): unknown;
  Frame: new () => Frame;
} & Record<typeof PYTHON_COMPARE, typeof pythonCompareChain>;
runtime[PYTHON_COMPARE] = pythonCompareChain;

// A slice (`x[1:]`) reaches memberLookup as (target, start, stop, step). Jinja-compat's slicing
// gives a list even for a string and mishandles out-of-range bounds: slice as Python does.
const jinjaMemberLookup = runtime.memberLookup;
runtime.memberLookup = function memberLookup(this: unknown, target: unknown, ...keys: unknown[]): unknown {
  if (keys.length === 3) return pythonSlice(target, ...(keys as [number | null, number | null, number | null]));
  return jinjaMemberLookup.call(this, target, ...keys);
};

// Text around `{{ }}` prints a value as Python's str() does: True, [1, 'a'], {'k': 1}.
const suppressValue = runtime.suppressValue;
runtime.suppressValue = function printedAsPython(value: unknown, autoescape: boolean): unknown {
  const printed = typeof value === 'boolean' || Array.isArray(value) || isMapping(value) ? pythonStr(value) : value;
  return suppressValue.call(this, printed, autoescape);
};

/**
 * A frame reading `variables` through a prototype link: nunjucks copies a render's context object
 * key by key, a frame it does not copy; assignments inside the template land on the link, not on
 * `variables`.
 */
export function variablesFrame(variables: Record<string, unknown>): Frame {
  const frame = new runtime.Frame();
  frame.variables = Object.create(variables) as Record<string, unknown>;
  return frame;
}

/** nunjucks' (Jinja-compat) attribute lookup: methods come back bound to their object. */
export function memberLookup(target: unknown, key: unknown): unknown {
  return runtime.memberLookup(target, key);
}
