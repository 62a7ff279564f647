import type { ExecResult } from '../transport/types.js';

/** How a command's result reads in a failure message: `exit 127 (command not found)`. */
export function exitDescription(result: ExecResult): string {
  if (result.signal) return `killed by signal ${result.signal}`;
  if (result.code === null) return 'no exit status reported';
  const meaning: Record<number, string> = { 126: 'not executable', 127: 'command not found', 130: 'interrupted' };
  return `exit ${result.code}${meaning[result.code] ? ` (${meaning[result.code]})` : ''}`;
}

/** The last lines of a command's output, on lines of their own after a failure message. */
export function tail(text: string): string {
  const kept = lines(text.trimEnd()).slice(-20);
  return kept.length ? `\n${kept.join('\n')}` : '';
}

function lines(text: string): string[] {
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  return trimmed === '' ? [] : trimmed.split('\n');
}
