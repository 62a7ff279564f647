import { RunbookError } from '../errors.js';

/** nunjucks passes keyword arguments as a trailing object marked `__keywords`. */
type Keywords = Record<string, unknown> & { __keywords: true };

export function splitKeywords(args: readonly unknown[]): { positional: unknown[]; keywords: Record<string, unknown> } {
  const last = args.at(-1);
  if (typeof last === 'object' && last !== null && (last as Keywords).__keywords === true) {
    const { __keywords: _marker, ...keywords } = last as Keywords;
    return { positional: args.slice(0, -1), keywords };
  }
  return { positional: [...args], keywords: {} };
}

/**
 * A filter's or test's arguments bound to its Python signature: `parameters` are the names after the
 * input, in order, with their defaults. Like Python, an argument given twice, an unknown keyword or one
 * positional too many is an error.
 */
export function bindArguments<T extends Record<string, unknown>>(name: string, args: readonly unknown[], parameters: T): T {
  const { positional, keywords } = splitKeywords(args);
  const names = Object.keys(parameters);
  if (positional.length > names.length) {
    throw new RunbookError('RB_TEMPLATE', `${name} takes at most ${names.length} argument${names.length === 1 ? '' : 's'} (${positional.length} given)`);
  }
  const bound: Record<string, unknown> = { ...parameters };
  positional.forEach((value, index) => (bound[names[index] as string] = value));
  for (const [key, value] of Object.entries(keywords)) {
    if (!names.includes(key)) throw new RunbookError('RB_TEMPLATE', `${name} got an unexpected keyword argument "${key}"`);
    if (names.indexOf(key) < positional.length) throw new RunbookError('RB_TEMPLATE', `${name} got multiple values for argument "${key}"`);
    bound[key] = value;
  }
  return bound as T;
}
