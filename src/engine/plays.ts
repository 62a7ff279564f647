import type { Play, Playbook, Task } from '../load/model.js';
import { metaAction } from '../modules/meta.js';
import type { RunEventListener } from './events.js';
import type { Hosts } from './host-state.js';
import { isInterrupted, type RunOptions } from './options.js';
import { selectedByTags } from './tags.js';
import type { TaskRunner } from './task.js';

/** The plays in order; in each, every task on the play's hosts still standing, then the handlers notified. */
export class PlayRunner {
  constructor(
    private readonly options: RunOptions,
    private readonly emit: RunEventListener,
    private readonly hosts: Hosts,
    private readonly tasks: TaskRunner,
  ) {}

  /** Until the run is interrupted or has run its last task (--up-to). */
  async runAll(playbook: Playbook): Promise<void> {
    for (const play of playbook.plays) {
      if (isInterrupted(this.options)) break;
      if ((await this.runPlay(play)) === 'stop') break;
    }
  }

  /** Runs a play; 'stop' when it held the run's last task (--up-to). */
  private async runPlay(play: Play): Promise<'stop' | 'continue'> {
    const names = this.hosts.ofPlay(play);
    this.emit({ type: 'play:start', playIndex: play.index, name: play.name, hosts: names });
    for (const name of names) {
      const host = this.hosts.state(name);
      host.notified.clear();
      if (play.gatherFacts) host.gatherFacts();
    }
    let reachedLast = false;
    for (const task of play.tasks) {
      if (isInterrupted(this.options) || reachedLast) break;
      reachedLast = task.id === this.options.lastTask;
      const active = names.filter((name) => !this.hosts.state(name).failed && !this.hosts.state(name).unreachable);
      if (active.length === 0) break;
      // meta: flush_handlers runs the handlers notified so far, in its place (Ansible: on every host).
      if (metaAction(task) === 'flush_handlers') await this.runHandlers(play, names);
      else if (selectedByTags(play, task, this.options)) await this.runTask(play, task, active, false);
      // As in Ansible, notified handlers run after pre_tasks, after tasks and after post_tasks.
      if (play.handlerFlushes.includes(task.id)) await this.runHandlers(play, names);
    }
    // And once more at the end, for a play cut short (--up-to, every host failed).
    await this.runHandlers(play, names);
    this.emit({ type: 'play:end', playIndex: play.index });
    return reachedLast ? 'stop' : 'continue';
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

  /** The task on the hosts, at most --forks at a time. */
  private async runTask(play: Play, task: Task, hosts: string[], handler: boolean): Promise<void> {
    this.emit({ type: 'task:start', taskId: task.id, name: task.name, module: task.module, hosts, position: task.position, handler });
    await forEachLimited(hosts, this.options.forks, async (name) => {
      this.emit({ type: 'host:task:start', taskId: task.id, host: name });
      const result = await this.tasks.run(play, task, this.hosts.state(name));
      this.emit({ type: 'host:task:end', taskId: task.id, host: name, result });
    });
    this.emit({ type: 'task:end', taskId: task.id });
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
