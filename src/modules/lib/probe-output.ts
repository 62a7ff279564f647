import { RunbookError } from '../../errors.js';
import type { ExecResult } from '../../transport/types.js';
import type { ProbeResults } from '../types.js';

/** The result of a probe the module asked for; its absence is a bug in the module, not on the host. */
export function probeOutput(probes: ProbeResults, key: string): ExecResult {
  const result = probes[key];
  if (result === undefined) throw new RunbookError('RB_INTERNAL', `probe "${key}" was asked for but not read`);
  return result;
}

/** Items as diff text: one per line, each ending in a newline. */
export function diffLines(items: readonly string[]): string {
  return items.map((item) => `${item}\n`).join('');
}
