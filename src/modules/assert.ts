import type { AssertArgs } from '../schema/generated/assert.js';
import type { ModuleDefinition } from './types.js';

export const assertModule: ModuleDefinition<AssertArgs> = {
  name: 'assert',
  summary: 'Fail unless every expression is true',
  plan(args, _probes, context) {
    const expressions = typeof args.that === 'string' ? [args.that] : args.that;
    for (const expression of expressions) {
      if (!truthy(context.evaluate(expression))) {
        return {
          kind: 'fail',
          message: args.fail_msg === undefined ? `assertion failed: ${expression}` : `${args.fail_msg} (assertion: ${expression})`,
          result: { assertion: expression, evaluated_to: false },
        };
      }
    }
    const reason = expressions.length === 1 ? 'the assertion holds' : `all ${expressions.length} assertions hold`;
    return {
      kind: 'noop',
      reason,
      ...(args.quiet ? {} : { message: args.success_msg ?? 'All assertions passed' }),
    };
  },
};

/** Truth as Jinja (Python) sees it: empty strings, lists and mappings, 0 and none are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (value !== null && typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
