import type { Play, Task } from '../load/model.js';
import { getModule } from '../modules/registry.js';
import type { Probe, ProbeResults, ProbeSet } from '../modules/types.js';
import { Command } from '../shell/command.js';
import { renderValue } from '../template/index.js';
import { buildBatch } from './batch.js';
import { withBecome, type Connections } from './connection.js';
import type { HostState, Hosts } from './host-state.js';
import { loopItems } from './loop-items.js';
import type { ModuleContexts } from './module-context.js';
import type { RunOptions } from './options.js';
import type { ProbeCache } from './probe-cache.js';
import { selectedByTags } from './tags.js';
import type { Variables } from './vars.js';

/**
 * Reads the probes modules ask for, batched: one exec per host. The first read of a task also reads
 * ahead the probes of the playbook's remaining tasks on that host, in this play and the later ones
 * (those that can be computed now); they stay valid until a step runs on any host (ProbeCache), so a
 * converged playbook, or a check-mode run, costs about one round trip per host.
 */
export class Probes {
  constructor(
    private readonly plays: readonly Play[],
    private readonly options: RunOptions,
    private readonly hosts: Hosts,
    private readonly variables: Variables,
    private readonly connections: Connections,
    private readonly cache: ProbeCache,
    private readonly contexts: ModuleContexts,
  ) {}

  /** `vars`: the task's variables (its become keywords are read with them). */
  async read(wanted: ProbeSet, play: Play, task: Task, host: HostState, vars: Record<string, unknown>, readAhead: boolean): Promise<ProbeResults> {
    const results: ProbeResults = {};
    // Commands are keyed by their rendered text, rendered once each.
    const byHost = new Map<string, Array<{ key: string; text: string; command: Command }>>();
    for (const [key, probe] of Object.entries(wanted)) {
      const { host: target, command } = this.normalise(probe, host);
      const wrapped = withBecome(command, play, task, this.hosts.state(target), vars);
      const text = wrapped.render();
      const cached = this.cache.get(target, text);
      if (cached) results[key] = cached;
      else byHost.set(target, [...(byHost.get(target) ?? []), { key, text, command: wrapped }]);
    }
    await Promise.all(
      [...byHost].map(async ([target, entries]) => {
        const state = this.hosts.state(target);
        if (target !== host.name) await this.connections.ensureConnected(state, play);
        const unique = new Map<string, Command>(entries.map((entry) => [entry.text, entry.command]));
        if (readAhead && target === host.name) {
          for (const [text, command] of this.readAhead(play, task, 'after', host)) {
            if (!unique.has(text) && !this.cache.has(target, text)) unique.set(text, command);
          }
        }
        const batch = buildBatch([...unique.values()]);
        const readStart = this.cache.readStart();
        const outputs = new Map(zip([...unique.keys()], batch.parse(await this.connections.exec(state, batch.command))));
        for (const [text, output] of outputs) this.cache.remember(target, readStart, text, output);
        for (const entry of entries) results[entry.key] = outputs.get(entry.text)!;
      }),
    );
    return results;
  }

  /**
   * Probe commands of the tasks the host has ahead of it from `task` on (or after it): the rest of
   * the play, then the tasks of every later play that targets the host.
   */
  readAhead(play: Play, task: Task, where: 'including' | 'after', host: HostState): Map<string, Command> {
    const commands = this.readAheadOf(play, tasksFrom(play, task, where), host);
    for (const later of this.plays.slice(this.plays.indexOf(play) + 1)) {
      if (!this.hosts.ofPlay(later).includes(host.name)) continue;
      for (const [text, command] of this.readAheadOf(later, later.tasks, host)) commands.set(text, command);
    }
    return commands;
  }

  /**
   * Probe commands of `tasks` on the host, as far as they can be computed now. Before the host's
   * facts are known, a probe that reads them throws (see ModuleContexts) and is read when its task
   * runs; tasks with become are left out too, as whether become applies depends on the login user.
   * Keyed by rendered text: tasks that read the same thing (two edits of one file) read it once.
   */
  private readAheadOf(play: Play, tasks: readonly Task[], host: HostState): Map<string, Command> {
    const commands = new Map<string, Command>();
    for (const later of tasks) {
      const module = getModule(later.module);
      if (!module?.probe || !selectedByTags(play, later, this.options)) continue;
      // A delegated task probes another host.
      if (later.delegateTo !== undefined) continue;
      if (!host.facts && (later.become ?? play.become)) continue;
      try {
        const vars = this.variables.ofTask(play, later, host);
        const items = later.loop === undefined ? [undefined] : loopItems(later, vars);
        for (const item of items) {
          const itemVars = item === undefined ? vars : { ...vars, [later.loopVar]: item };
          const args = renderValue(later.args, itemVars) as Record<string, unknown>;
          const probes = module.probe(args, this.contexts.of(host, itemVars, later.role?.dir));
          for (const probe of Object.values(probes)) {
            const { host: target, command } = this.normalise(probe, host);
            if (target !== host.name) continue;
            const wrapped = withBecome(command, play, later, host, itemVars);
            commands.set(wrapped.render(), wrapped);
          }
        }
      } catch {
        // Depends on a value not known yet (a registered result, say): read when the task runs.
      }
    }
    return commands;
  }

  private normalise(probe: Probe, host: HostState): { host: string; command: Command } {
    return probe instanceof Command
      ? { host: host.name, command: probe }
      : { host: this.variables.resolveHost(host, probe.host), command: probe.command };
  }
}

/** The play's tasks from `task` on (or after it); none for a handler, which is not among them. */
function tasksFrom(play: Play, task: Task, where: 'including' | 'after'): readonly Task[] {
  const index = play.tasks.indexOf(task);
  return index < 0 ? [] : play.tasks.slice(where === 'including' ? index : index + 1);
}

function zip<A, B>(keys: readonly A[], values: readonly B[]): Array<[A, B]> {
  return keys.map((key, index) => [key, values[index]!]);
}
