import type { Flag, Play, Playbook, Task } from '../load/model.js';
import { StepWalker, type Walk } from './blocks.js';
import type { RunEventListener, TaskResult } from './events.js';
import { flagValue } from './flags.js';
import { playBatches, tooManyFailed } from './serial.js';
import type { Hosts } from './host-state.js';
import { isInterrupted, type RunOptions } from './options.js';
import type { TaskRunner } from './task.js';
import type { Variables } from './vars.js';

/** The plays in order; in each, every task on the play's hosts still standing, then the handlers notified. */
export class PlayRunner {
  private readonly walker: StepWalker;
  /** The walk of the batch running now (which hosts a block's rescue would catch). */
  private walk: Walk | undefined;
  /** A failure ended the run (any_errors_fatal, max_fail_percentage): no more batches or plays. */
  private ended = false;

  constructor(
    private readonly options: RunOptions,
    private readonly emit: RunEventListener,
    private readonly hosts: Hosts,
    private readonly tasks: TaskRunner,
    private readonly variables: Variables,
  ) {
    this.walker = new StepWalker(options, emit, hosts, variables, {
      runTask: (play, task, names) => this.runTask(play, task, names, false),
      flushHandlers: (play) => this.runHandlers(play, this.hosts.batchOf(play)),
    });
  }

  /** Until the run is interrupted or has run its last task (--up-to). */
  async runAll(playbook: Playbook): Promise<void> {
    for (const play of playbook.plays) {
      if (isInterrupted(this.options) || this.ended) break;
      if ((await this.runPlay(play)) === 'stop') break;
    }
  }

  /**
   * Runs a play, batch after batch (serial); 'stop' when it held the run's last task (--up-to) or, as
   * in Ansible, a failure ended the run: any_errors_fatal, max_fail_percentage, or every host of a
   * batch failed.
   */
  private async runPlay(play: Play): Promise<'stop' | 'continue'> {
    const names = this.hosts.ofPlay(play);
    // Read as Ansible reads play keywords: with the play's variables and the extra vars, not a host's.
    const gather = flagValue(play.gatherFacts, { ...play.vars, ...this.options.extraVars }, 'gather_facts');
    this.emit({ type: 'play:start', playIndex: play.index, name: play.name, hosts: names });
    let outcome: 'stop' | 'continue' = 'continue';
    const fallen = (name: string) => this.hosts.state(name).failed || this.hosts.state(name).unreachable;
    for (const batch of playBatches(names, play.serial)) {
      if (isInterrupted(this.options)) break;
      this.hosts.startBatch(play, batch);
      const standing = batch.filter((name) => !fallen(name));
      outcome = await this.runBatch(play, batch, gather);
      // Ansible ends the run when every host of a batch failed in it.
      if (this.ended || (standing.length === batch.length && batch.every(fallen))) outcome = 'stop';
      if (outcome === 'stop') break;
    }
    this.emit({ type: 'play:end', playIndex: play.index });
    return outcome;
  }

  /** The play on one batch of its hosts: every section, each followed by the handlers notified. */
  private async runBatch(play: Play, names: string[], gather: boolean): Promise<'stop' | 'continue'> {
    for (const name of names) {
      const host = this.hosts.state(name);
      host.notified.clear();
      if (gather) host.gatherFacts(play.gatherSubset);
    }
    const walk = this.walker.start(play);
    this.walk = walk;
    for (const section of play.sections) {
      if (isInterrupted(this.options) || walk.stopped) break;
      await this.walker.steps(walk, section, names);
      // As in Ansible, notified handlers run after pre_tasks, after roles and tasks, and after post_tasks.
      await this.runHandlers(play, names);
    }
    // And once more at the end, for a play cut short (--up-to).
    await this.runHandlers(play, names);
    return walk.stopped ? 'stop' : 'continue';
  }

  /**
   * Each handler once, on every host that notified it since the last flush, even a host where a
   * later task failed: the change that needs the handler did happen there. Then it is no longer
   * notified there.
   */
  private async runHandlers(play: Play, names: readonly string[]): Promise<void> {
    for (const handler of play.handlers) {
      if (isInterrupted(this.options)) break;
      const topics = [handler.name, ...handler.listen];
      const hosts = names.filter((name) => !this.hosts.state(name).unreachable && topics.some((topic) => this.hosts.state(name).notified.has(topic)));
      if (hosts.length === 0) continue;
      await this.runTask(play, handler, hosts, true);
      for (const name of hosts) for (const topic of topics) this.hosts.state(name).notified.delete(topic);
    }
  }

  /**
   * The task on the hosts, at most --forks at a time; each host's result. With run_once, on the
   * first host only, its result registered (and its facts set) on the others too, as Ansible does.
   */
  private async runTask(play: Play, task: Task, hosts: string[], handler: boolean): Promise<Map<string, TaskResult>> {
    const results = new Map<string, TaskResult>();
    // Read on the first host, as Ansible's linear strategy reads run_once and any_errors_fatal once per task.
    const flag = (value: Flag, keyword: string) => typeof value === 'boolean' ? value : flagValue(value, this.variables.ofTask(play, task, this.hosts.state(hosts[0]!)), keyword);
    const runOnce = hosts.length > 0 && flag(task.runOnce, 'run_once');
    const targets = runOnce ? hosts.slice(0, 1) : hosts;
    const sharing = runOnce ? hosts.slice(1).map((name) => this.hosts.state(name)) : [];
    this.emit({ type: 'task:start', taskId: task.id, name: task.name, module: task.module, hosts: targets, position: task.position, handler });
    await forEachLimited(targets, this.options.forks, async (name) => {
      this.emit({ type: 'host:task:start', taskId: task.id, host: name });
      const result = await this.tasks.run(play, task, this.hosts.state(name), sharing);
      results.set(name, result);
      this.emit({ type: 'host:task:end', taskId: task.id, host: name, result });
    });
    this.emit({ type: 'task:end', taskId: task.id });
    if (hosts.length > 0 && !this.options.keepGoing) this.checkFatal(play, task, results, runOnce || flag(task.anyErrorsFatal ?? play.anyErrorsFatal, 'any_errors_fatal'));
    return results;
  }

  /**
   * Ansible's checks after each task: with any_errors_fatal (run_once implies it) a host failed or
   * unreachable, outside a block that rescues it; or more than max_fail_percentage of the batch
   * failed. Then every other host of the batch fails too (but one a rescue would catch) and the
   * run ends after this batch.
   */
  private checkFatal(play: Play, task: Task, results: ReadonlyMap<string, TaskResult>, anyErrorsFatal: boolean): void {
    const rescued = (name: string) => (this.walk?.rescuable.get(name) ?? 0) > 0;
    const fell = [...results].some(([name, result]) => (result.status === 'failed' || (result.status === 'unreachable' && !result.ignored)) && !rescued(name));
    const batch = this.hosts.batchOf(play);
    const failed = batch.filter((name) => this.hosts.state(name).failed).length;
    if (!(anyErrorsFatal && fell) && !tooManyFailed(failed, batch.length, play.maxFailPercentage)) return;
    for (const name of batch) if (!rescued(name)) this.hosts.state(name).failed = true;
    this.ended = true;
  }
}

async function forEachLimited<T>(items: readonly T[], limit: number, worker: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await worker(item);
    }
  });
  await Promise.all(lanes);
}
