import type { TaskResult } from '../engine/events.js';
import { formatDiff } from './diff.js';
import type { Style } from './style.js';

/** The lines below a host's result: loop items, commands (check mode), diffs; indented. */
export function resultDetails(result: TaskResult, style: Style, options: { diff: boolean; check: boolean }): string[] {
  const details: string[] = [];
  for (const item of result.items ?? []) {
    details.push(`${style.status(item.status, item.status)} (item=${shortItem(item.item)}) ${item.message}`);
  }
  if (options.check && result.status === 'changed') {
    for (const command of result.commands ?? []) details.push(style.dim(`would run: ${command}`));
  }
  if (options.diff) for (const diff of result.diff ?? []) details.push(...formatDiff(diff, style).split('\n'));
  return details;
}

export function shortItem(item: unknown): string {
  const text = typeof item === 'string' ? item : JSON.stringify(item);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** First line of a message, for one-line rows; the rest goes into details. */
export function splitMessage(message: string): { first: string; rest: string[] } {
  const [first = '', ...rest] = message.split('\n');
  return { first, rest };
}
