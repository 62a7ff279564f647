import { ValidationError } from '../errors.js';
import type { Block, Include, Play, Step, Task } from '../load/model.js';
import { metaAction } from '../modules/meta.js';
import { renderValue, isTrue } from '../template/index.js';
import type { RunEventListener, TaskResult } from './events.js';
import { flagValue } from './flags.js';
import type { HostState, Hosts } from './host-state.js';
import { includedInstance } from './includes.js';
import { loopItems } from './loop-items.js';
import { isInterrupted, type RunOptions } from './options.js';
import { selectedByTags } from './tags.js';
import type { Variables } from './vars.js';

/** What the walker asks of the play runner: a task over hosts, and a flush of the notified handlers. */
export interface StepActions {
  runTask(play: Play, task: Task, hosts: string[]): Promise<Map<string, TaskResult>>;
  flushHandlers(play: Play): Promise<void>;
}

/** One play's walk through its steps. */
export interface Walk {
  play: Play;
  /** The run's last task (--up-to) has run: nothing more starts. */
  stopped: boolean;
  /** Failed tasks per host so far: a block's rescue runs on the hosts that failed inside it. */
  failures: Map<string, number>;
  /** Hosts inside that many blocks whose rescue would handle a failure now (Ansible counts it as rescued). */
  rescuable: Map<string, number>;
}

/**
 * Runs a play's steps over its hosts as Ansible's linear strategy does: each task on every host
 * still standing; a block's tasks, then its rescue on the hosts that failed in them (no longer
 * failed), then its always on every host that entered it; an include's file for the hosts that
 * reach it, once per loop item.
 */
export class StepWalker {
  constructor(
    private readonly options: RunOptions,
    private readonly emit: RunEventListener,
    private readonly hosts: Hosts,
    private readonly variables: Variables,
    private readonly actions: StepActions,
  ) {}

  start(play: Play): Walk {
    return { play, stopped: false, failures: new Map(), rescuable: new Map() };
  }

  async steps(walk: Walk, steps: readonly Step[], hosts: readonly string[]): Promise<void> {
    for (const step of steps) {
      if (walk.stopped || isInterrupted(this.options)) return;
      const standing = hosts.filter((name) => !this.hosts.state(name).failed && !this.hosts.state(name).unreachable);
      if (standing.length === 0) return;
      if (step.kind === 'task') await this.task(walk, step.task, standing);
      else if (step.kind === 'block') await this.block(walk, step, standing);
      else await this.include(walk, step, standing);
    }
  }

  private async task(walk: Walk, task: Task, hosts: string[]): Promise<void> {
    // meta: flush_handlers runs the handlers notified so far, in its place (Ansible: on every host).
    if (metaAction(task) === 'flush_handlers') await this.actions.flushHandlers(walk.play);
    else if (selectedByTags(walk.play, task, this.options)) {
      const results = await this.actions.runTask(walk.play, task, hosts);
      for (const [name, result] of results) if (result.status === 'failed') this.failed(walk, this.hosts.state(name), task, result, true);
    }
    if (task.id === this.options.lastTask) walk.stopped = true;
  }

  /**
   * A failed task on a host: counted for the blocks around it; inside a block with a rescue, Ansible
   * counts it as rescued rather than failed and gives the rescue ansible_failed_task and
   * ansible_failed_result. `counted` is false when TaskRunner already counted it as failed.
   */
  private failed(walk: Walk, host: HostState, task: Task, result: TaskResult, counted: boolean): void {
    walk.failures.set(host.name, (walk.failures.get(host.name) ?? 0) + 1);
    const rescuable = (walk.rescuable.get(host.name) ?? 0) > 0;
    if (counted) host.recap.failed -= 1;
    host.recap[rescuable ? 'rescued' : 'failed'] += 1;
    if (!rescuable) return;
    host.remember({
      ansible_failed_task: { name: task.name, action: task.module, args: task.args, tags: task.tags, when: task.when },
      ansible_failed_result: host.lastResult ?? { failed: true, msg: result.message },
    });
  }

  private async block(walk: Walk, block: Block, entered: string[]): Promise<void> {
    const failuresBefore = new Map(entered.map((name) => [name, walk.failures.get(name) ?? 0]));
    const failedInside = () => entered.filter((name) => (walk.failures.get(name) ?? 0) > (failuresBefore.get(name) ?? 0));
    const rescues = block.rescue.length > 0;
    if (rescues) for (const name of entered) walk.rescuable.set(name, (walk.rescuable.get(name) ?? 0) + 1);
    await this.steps(walk, block.block, entered);
    if (rescues) for (const name of entered) walk.rescuable.set(name, (walk.rescuable.get(name) ?? 1) - 1);
    const toRescue = rescues ? failedInside().filter((name) => !this.hosts.state(name).unreachable) : [];
    if (toRescue.length > 0) {
      // The rescue decides: a host whose rescue succeeds is no longer failed.
      for (const name of toRescue) this.hosts.state(name).failed = false;
      await this.steps(walk, block.rescue, toRescue);
    }
    if (block.always.length === 0 || walk.stopped) return;
    // always runs on every host that entered the block, failed or not; a failed host stays failed.
    const reachable = entered.filter((name) => !this.hosts.state(name).unreachable);
    const failed = reachable.filter((name) => this.hosts.state(name).failed);
    for (const name of failed) this.hosts.state(name).failed = false;
    await this.steps(walk, block.always, reachable);
    for (const name of failed) this.hosts.state(name).failed = true;
  }

  /**
   * include_tasks / include_role: its when and loop are the include's own, evaluated on each host
   * that reaches it; what it names runs for the hosts that named the same file with the same item,
   * in the order they were first named (as Ansible's linear strategy queues included files).
   */
  private async include(walk: Walk, include: Include, hosts: string[]): Promise<void> {
    const { play } = walk;
    const task = include.task;
    if (!selectedByTags(play, task, this.options)) return;
    this.emit({ type: 'task:start', taskId: task.id, name: task.name, module: task.module, hosts, position: task.position, handler: false });
    const instances = new Map<string, { target: string; item: { value: unknown } | undefined; hosts: string[] }>();
    for (const name of hosts) {
      const host = this.hosts.state(name);
      this.emit({ type: 'host:task:start', taskId: task.id, host: name });
      const started = Date.now();
      let result: TaskResult;
      try {
        const named = this.targets(play, include, host);
        for (const { target, item } of named) {
          const key = JSON.stringify([target, item?.value]);
          const instance = instances.get(key) ?? { target, item, hosts: [] };
          instance.hosts.push(name);
          instances.set(key, instance);
        }
        const targets = [...new Set(named.map(({ target }) => target))];
        result =
          named.length === 0
            ? { status: 'skipped', message: task.loop === undefined ? `when: ${task.when.find((expression) => !isTrue(expression, this.variables.ofTask(play, task, host)))} is false` : 'no item to include', durationMs: Date.now() - started }
            : { status: 'ok', message: `included: ${targets.join(', ')}`, durationMs: Date.now() - started };
      } catch (error) {
        result = { status: 'failed', message: error instanceof Error ? error.message : String(error), durationMs: Date.now() - started };
      }
      this.finishInclude(walk, host, task, result);
      this.emit({ type: 'host:task:end', taskId: task.id, host: name, result });
    }
    this.emit({ type: 'task:end', taskId: task.id });
    let index = 0;
    for (const instance of instances.values()) {
      const suffix = task.loop === undefined ? '' : `[${index}]`;
      index += 1;
      const standing = instance.hosts.filter((name) => !this.hosts.state(name).failed && !this.hosts.state(name).unreachable);
      if (standing.length === 0 || walk.stopped) continue;
      let steps: Step[];
      try {
        steps = instance.target === include.target && include.steps !== undefined ? include.steps : include.load(instance.target);
      } catch (error) {
        const message = error instanceof ValidationError ? `${error.message}: ${error.issues.map((issue) => `${issue.file}:${issue.line}:${issue.col} ${issue.message}`).join('; ')}` : String(error);
        this.emit({ type: 'task:start', taskId: task.id, name: task.name, module: task.module, hosts: standing, position: task.position, handler: false });
        for (const name of standing) {
          const result: TaskResult = { status: 'failed', message, durationMs: 0 };
          this.finishInclude(walk, this.hosts.state(name), task, result);
          this.emit({ type: 'host:task:end', taskId: task.id, host: name, result });
        }
        this.emit({ type: 'task:end', taskId: task.id });
        continue;
      }
      const params = instance.item === undefined ? {} : { [task.loopVar]: instance.item.value };
      await this.steps(walk, suffix === '' ? steps : includedInstance(steps, params, suffix), standing);
    }
  }

  /** The file (or role) and loop item the include names on a host; none where its when is false. */
  private targets(play: Play, include: Include, host: HostState): Array<{ target: string; item: { value: unknown } | undefined }> {
    const task = include.task;
    const vars = this.variables.ofTask(play, task, host);
    const passes = task.loop === undefined ? [{ vars, item: undefined }] : loopItems(task, vars).map((value) => ({ vars: { ...vars, [task.loopVar]: value }, item: { value } }));
    return passes
      .filter((pass) => task.when.every((expression) => isTrue(expression, pass.vars)))
      .map((pass) => ({ target: String(renderValue(include.target, pass.vars)), item: pass.item }));
  }

  /** The include's own result on a host, counted as a task's is. */
  private finishInclude(walk: Walk, host: HostState, task: Task, result: TaskResult): void {
    if (result.status === 'failed' && flagValue(task.ignoreErrors, this.variables.ofTask(walk.play, task, host), 'ignore_errors')) {
      host.recap.ok += 1;
      host.recap.ignored += 1;
      return;
    }
    if (result.status !== 'failed') {
      host.recap[result.status] += 1;
      return;
    }
    if (!this.options.keepGoing) host.failed = true;
    host.lastResult = { failed: true, msg: result.message };
    this.failed(walk, host, task, result, false);
  }
}
