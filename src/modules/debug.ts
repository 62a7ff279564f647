import type { DebugArgs } from '../schema/generated/debug.js';
import type { ModuleDefinition } from './types.js';

const REASON = 'debug only prints';

export const debugModule: ModuleDefinition<DebugArgs> = {
  name: 'debug',
  summary: "Print a message or a variable's value",
  plan(args, _probes, context) {
    if (args.var !== undefined) {
      const value = context.evaluate(args.var);
      return { kind: 'noop', reason: REASON, message: `${args.var}: ${display(value)}`, result: { [args.var]: value } };
    }
    // Ansible's default message, so a bare `debug:` still shows that the task ran.
    const message = args.msg ?? 'Hello world!';
    return { kind: 'noop', reason: REASON, message, result: { msg: message } };
  },
};

function display(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
}
