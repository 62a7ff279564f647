import { dirname, resolve } from 'node:path';
import type { Inventory, Playbook } from '../load/model.js';
import { Connections } from './connection.js';
import type { RunEventListener } from './events.js';
import { Hosts } from './host-state.js';
import { ModuleContexts } from './module-context.js';
import { isInterrupted, type RunOptions, type RunSummary } from './options.js';
import { PlanAndAct } from './plan-and-act.js';
import { PlayRunner } from './plays.js';
import { ProbeCache } from './probe-cache.js';
import { Probes } from './probes.js';
import { redactEvents, secretValues } from './redact.js';
import { TaskRunner } from './task.js';
import { Variables } from './vars.js';

export type { RunOptions, RunSummary } from './options.js';

/**
 * Runs a validated playbook on its hosts. Every event passes through the redactor first, so no
 * reporter ever sees a secret value.
 */
export async function runPlaybook(
  playbook: Playbook,
  inventory: Inventory,
  options: RunOptions,
  emit: RunEventListener,
): Promise<RunSummary> {
  const secrets = secretValues([
    ...[...inventory.hosts.values()].map((host) => host.vars),
    ...playbook.plays.map((play) => play.vars),
    options.extraVars,
  ]);
  return execute(playbook, inventory, options, redactEvents(secrets, emit));
}

async function execute(playbook: Playbook, inventory: Inventory, options: RunOptions, emit: RunEventListener): Promise<RunSummary> {
  const started = Date.now();
  const hosts = new Hosts(inventory, options.limit);
  const probeCache = new ProbeCache();
  const variables = new Variables(inventory, options.extraVars, hosts, options.check);
  const contexts = new ModuleContexts(variables, options.check, dirname(resolve(playbook.file)));
  const connections = new Connections(options, variables, probeCache, emit);
  const probes = new Probes(playbook.plays, options, hosts, variables, connections, probeCache, contexts);
  const planAndAct = new PlanAndAct(options, emit, hosts, variables, connections, probes, probeCache, contexts);
  const tasks = new TaskRunner(options, emit, hosts, connections, probes, probeCache, variables, planAndAct);
  const plays = new PlayRunner(options, emit, hosts, tasks, variables);

  const allHosts = [...new Set(playbook.plays.flatMap((play) => hosts.ofPlay(play)))];
  emit({ type: 'run:start', playbook: playbook.file, check: options.check, diff: options.diff, hosts: allHosts });
  try {
    await plays.runAll(playbook);
  } finally {
    await Promise.all(hosts.all().map((host) => host.transport?.close().catch(() => undefined)));
  }
  const reached = hosts.all();
  // As Ansible's recap: the hosts of the plays, not those a task was only delegated to.
  const recap = Object.fromEntries(reached.filter((host) => allHosts.includes(host.name)).map((host) => [host.name, host.recap]));
  const durationMs = Date.now() - started;
  const transportStats = Object.fromEntries(
    reached.map((host) => [host.name, { ...(host.transport?.stats ?? { connections: 0, execs: 0 }) }]),
  );
  const pods = Object.fromEntries(Object.keys(recap).flatMap((host) => {
    const pod = inventory.hosts.get(host)?.pod;
    return pod === undefined ? [] : [[host, pod]];
  }));
  emit({ type: 'run:end', recap, pods, durationMs, interrupted: isInterrupted(options), transportStats });
  return { recap, durationMs, interrupted: isInterrupted(options), transportStats };
}
