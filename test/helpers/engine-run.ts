import type { RunEvent, TaskResult } from '../../src/engine/events.js';
import { runPlaybook, type RunOptions, type RunSummary } from '../../src/engine/runner.js';
import { loadInventory } from '../../src/load/inventory.js';
import { loadPlaybook } from '../../src/load/playbook.js';
import type { FakeTransports } from './fake-transport.js';

export const RUN_OPTIONS: RunOptions = {
  check: false,
  diff: false,
  forks: 4,
  limit: undefined,
  tags: [],
  skipTags: [],
  extraVars: {},
  hostKeyPolicy: 'strict',
  connectTimeoutMs: 5_000,
  commandTimeoutMs: undefined,
};

export interface EngineRun {
  summary: RunSummary;
  events: RunEvent[];
  /** The tasks and handlers started, by name, in order. */
  tasks: string[];
  /** The result of the task (or handler) of that name on each host it ran on. */
  results(task: string): Record<string, TaskResult>;
  /** The status of the task of that name on each host it ran on. */
  statuses(task: string): Record<string, string>;
  /** The value a `debug: {var: NAME}` task showed on the host (a mapping or list, shown as JSON). */
  shown(task: string, host: string): unknown;
}

/** Runs test/fixtures/engine/<playbook> on the inventory test/fixtures/engine/<inventory>, over fake transports. */
export async function runFixture(
  playbook: string,
  transports: FakeTransports,
  options: Partial<RunOptions> = {},
  inventoryFile = 'hosts.yml',
): Promise<EngineRun> {
  const inventory = loadInventory(`test/fixtures/engine/${inventoryFile}`);
  const loaded = loadPlaybook(`test/fixtures/engine/${playbook}`, { inventory, extraVars: options.extraVars ?? {} });
  const events: RunEvent[] = [];
  const summary = await runPlaybook(loaded.playbook, inventory, { ...RUN_OPTIONS, createTransport: transports.createTransport, ...options }, (event) =>
    events.push(event),
  );
  const names = new Map(events.flatMap((event) => (event.type === 'task:start' ? [[event.taskId, event.name]] : [])));
  const results = (task: string): Record<string, TaskResult> =>
    Object.fromEntries(
      events.flatMap((event) => (event.type === 'host:task:end' && names.get(event.taskId) === task ? [[event.host, event.result]] : [])),
    );
  return {
    summary,
    events,
    tasks: events.flatMap((event) => (event.type === 'task:start' ? [event.name] : [])),
    results,
    statuses: (task) => Object.fromEntries(Object.entries(results(task)).map(([host, result]) => [host, result.status])),
    shown(task, host) {
      const message = results(task)[host]?.message ?? '';
      const value = message.slice(message.indexOf(': ') + 2);
      return JSON.parse(value);
    },
  };
}
