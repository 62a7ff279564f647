import type { TaskResult } from '../engine/events.js';
import { runPlaybook, type RunOptions } from '../engine/runner.js';
import type { Inventory, Playbook } from '../load/model.js';

export interface CheckRound {
  results: Map<string, Map<string, TaskResult>>;
  unreachable: Map<string, string>;
  hosts: string[];
  durationMs: number;
  interrupted: boolean;
  transportStats: Record<string, { connections: number; execs: number }>;
}

/**
 * One grading round: the playbook in check mode (nothing on any host changes), every task read on
 * every host even after one fails there, so each step of each pod gets a verdict of its own.
 */
export async function checkClassroom(
  playbook: Playbook,
  inventory: Inventory,
  options: Omit<RunOptions, 'check' | 'diff' | 'keepGoing' | 'lastTask'>,
): Promise<CheckRound> {
  const results = new Map<string, Map<string, TaskResult>>();
  const unreachable = new Map<string, string>();
  let hosts: string[] = [];
  const summary = await runPlaybook(playbook, inventory, { ...options, check: true, diff: false, keepGoing: true }, (event) => {
    if (event.type === 'run:start') hosts = event.hosts;
    if (event.type === 'host:unreachable') unreachable.set(event.host, event.message);
    if (event.type === 'host:task:end') {
      let byHost = results.get(event.taskId);
      if (!byHost) results.set(event.taskId, (byHost = new Map()));
      byHost.set(event.host, event.result);
    }
  });
  return { results, unreachable, hosts, durationMs: summary.durationMs, interrupted: summary.interrupted, transportStats: summary.transportStats };
}
