import type { RunEvent } from '../engine/events.js';
import type { Style } from './style.js';

/**
 * For `runbook check`: per host, the steps that are not in place yet. An instructor runs it against a
 * classroom's inventory and reads who is where.
 */
export function pendingCollector(): { listener(event: RunEvent): void; format(style: Style): string } {
  const names = new Map<string, string>();
  const pending = new Map<string, string[]>();
  const broken = new Map<string, string[]>();
  const hosts = new Set<string>();
  return {
    listener(event) {
      if (event.type === 'task:start') names.set(event.taskId, event.name);
      if (event.type === 'host:task:end') {
        hosts.add(event.host);
        const name = names.get(event.taskId) ?? event.taskId;
        if (event.result.status === 'changed') pending.set(event.host, [...(pending.get(event.host) ?? []), name]);
        if (event.result.status === 'failed' || event.result.status === 'unreachable') {
          broken.set(event.host, [...(broken.get(event.host) ?? []), `${name}: ${event.result.message.split('\n')[0]}`]);
        }
      }
    },
    format(style) {
      const lines = ['', 'NOT YET IN PLACE'];
      for (const host of hosts) {
        const todo = pending.get(host) ?? [];
        const errors = broken.get(host) ?? [];
        if (todo.length === 0 && errors.length === 0) {
          lines.push(`${style.status('ok', host)}: complete`);
          continue;
        }
        lines.push(`${style.status(errors.length ? 'failed' : 'changed', host)}: ${todo.length} step${todo.length === 1 ? '' : 's'} to go${errors.length ? `, ${errors.length} failing` : ''}`);
        for (const name of todo) lines.push(`  - ${name}`);
        for (const error of errors) lines.push(`  ! ${error}`);
      }
      return lines.join('\n');
    },
  };
}
