import type { RunEvent } from '../engine/events.js';

type LockEvent = Extract<RunEvent, { type: 'host:lock:wait' | 'host:lock:taken' | 'host:lock:unavailable' }>;

/** One line, without colour, for the run-lock events of a host (plain lines, the task tree's details, logs). */
export function lockLine(event: LockEvent): string {
  switch (event.type) {
    case 'host:lock:wait':
      return `waiting: [${event.host}] for ${event.holder} (run lock ${event.path}; at most ${seconds(event.timeoutMs)}, --lock-timeout)`;
    case 'host:lock:taken':
      return `locked: [${event.host}] after waiting ${seconds(event.waitedMs)}; reading the host again`;
    case 'host:lock:unavailable':
      return `not locked: [${event.host}] ${event.reason}; this run is not kept apart from others there`;
  }
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value)} s`;
}
