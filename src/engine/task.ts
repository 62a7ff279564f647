import { RunbookError } from '../errors.js';
import type { Play, Task } from '../load/model.js';
import { hasTemplate, isTrue, rootVariables } from '../template/index.js';
import { HostUnreachable, type Connections } from './connection.js';
import type { RunEventListener, TaskResult, TaskStatus } from './events.js';
import type { HostState } from './host-state.js';
import { loopItems } from './loop-items.js';
import { isInterrupted, type RunOptions } from './options.js';
import { skippedOutcome, type Outcome, type PlanAndAct } from './plan-and-act.js';
import type { ProbeCache } from './probe-cache.js';
import type { Probes } from './probes.js';
import type { Variables } from './vars.js';

type ItemOutcome = Outcome & { item: unknown };

/** What a task's body came to on a host, and the value its `register` holds. */
interface BodyResult {
  result: TaskResult;
  registered: Record<string, unknown>;
}

/**
 * One task on one host, by Ansible's rules: when, loop, changed_when/failed_when, register,
 * until/retries, ignore_errors, no_log; then the recap, a failed host, and the handlers notified.
 */
export class TaskRunner {
  constructor(
    private readonly options: RunOptions,
    private readonly emit: RunEventListener,
    private readonly connections: Connections,
    private readonly probes: Probes,
    private readonly probeCache: ProbeCache,
    private readonly variables: Variables,
    private readonly planAndAct: PlanAndAct,
  ) {}

  async run(play: Play, task: Task, host: HostState): Promise<TaskResult> {
    const started = Date.now();
    let result: TaskResult;
    try {
      await this.connections.ensureConnected(host, play, () => this.probes.readAhead(play, task, 'including', host));
      result = await this.runWithRetries(play, task, host);
    } catch (error) {
      if (error instanceof HostUnreachable) {
        host.unreachable = true;
        result = { status: 'unreachable', message: error.message, durationMs: Date.now() - started };
        this.emit({ type: 'host:unreachable', host: host.name, message: error.message });
      } else {
        result = { status: 'failed', message: describeError(error, task), durationMs: Date.now() - started };
      }
    }
    if (task.noLog) result = hideOutput(result);
    if (result.status === 'failed' && task.ignoreErrors) result = { ...result, status: 'ok', ignored: true };
    if (result.ignored) host.recap.ignored += 1;
    host.recap[result.status] += 1;
    if (result.status === 'failed' && !this.options.keepGoing) host.failed = true;
    if (result.status === 'changed') for (const topic of task.notify) host.notified.add(topic);
    return result;
  }

  private async runWithRetries(play: Play, task: Task, host: HostState): Promise<TaskResult> {
    const attempts = task.until ? Math.max(1, task.retries) : 1;
    let last: TaskResult | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      // A retry waits for the host to change: what the previous attempt read is stale by design.
      if (attempt > 1) this.probeCache.forget(host.name);
      const { result, registered } = await this.runBody(play, task, host);
      last = result;
      if (!task.until || result.status === 'skipped') return result;
      const vars = { ...this.variables.ofTask(play, task, host), ...(task.register ? { [task.register]: registered } : {}) };
      if (result.status !== 'failed' && task.until.every((expression) => isTrue(expression, vars))) return result;
      if (attempt < attempts) await sleep(task.delayS * 1000, this.options.signal);
      if (isInterrupted(this.options)) {
        return { ...result, status: 'failed', message: `${result.message} (interrupted after ${attempt} of ${attempts} attempts)` };
      }
    }
    return { ...last!, status: 'failed', message: `${last!.message} (until condition not met after ${attempts} attempts)` };
  }

  /** The task once, over its loop's items if it has a loop; its result registered. */
  private async runBody(play: Play, task: Task, host: HostState): Promise<BodyResult> {
    const started = Date.now();
    const vars = this.variables.ofTask(play, task, host);
    const items = task.loop === undefined ? undefined : loopItems(task, vars);
    if (items === undefined) {
      const outcome = await this.pass(play, task, host, vars);
      return this.finish(play, task, host, outcome, Date.now() - started);
    }
    const itemOutcomes: ItemOutcome[] = [];
    for (const item of items) {
      if (isInterrupted(this.options)) break;
      const itemVars = { ...vars, [task.loopVar]: item };
      const outcome = await this.pass(play, task, host, itemVars);
      itemOutcomes.push({ ...applyConditions(task, outcome, () => itemVars), item });
    }
    const statuses = itemOutcomes.map((outcome) => outcome.status);
    const status: TaskStatus = statuses.includes('failed')
      ? 'failed'
      : statuses.includes('changed')
        ? 'changed'
        : statuses.length > 0 && statuses.every((each) => each === 'skipped')
          ? 'skipped'
          : 'ok';
    const registered = {
      changed: status === 'changed',
      failed: status === 'failed',
      skipped: status === 'skipped',
      results: itemOutcomes.map((outcome) => ({ ...outcome.registered, item: outcome.item })),
    };
    if (task.register) host.remember({ [task.register]: registered });
    const result: TaskResult = {
      status,
      message: `${itemOutcomes.length} item${itemOutcomes.length === 1 ? '' : 's'}: ${countWords(statuses)}`,
      ...(status === 'skipped' && itemOutcomes.some((outcome) => outcome.awaitsEarlierTask) ? { awaitsEarlierTask: true } : {}),
      items: itemOutcomes.map((outcome) => ({ item: outcome.item, status: outcome.status, message: outcome.message })),
      diff: itemOutcomes.flatMap((outcome) => outcome.diff ?? []),
      commands: itemOutcomes.flatMap((outcome) => outcome.commands ?? []),
      durationMs: Date.now() - started,
    };
    return { result: withoutEmpty(result, this.options.diff), registered };
  }

  private finish(play: Play, task: Task, host: HostState, outcome: Outcome, durationMs: number): BodyResult {
    const final = applyConditions(task, outcome, () => this.variables.ofTask(play, task, host));
    if (task.register) host.remember({ [task.register]: final.registered });
    const result: TaskResult = {
      status: final.status,
      message: final.message,
      ...(final.awaitsEarlierTask ? { awaitsEarlierTask: true } : {}),
      ...(final.diff ? { diff: final.diff } : {}),
      ...(final.commands ? { commands: final.commands } : {}),
      durationMs,
    };
    return { result: withoutEmpty(result, this.options.diff), registered: final.registered };
  }

  /** One pass of the task (one loop item): skipped unless `when` holds, else planned and acted on. */
  private async pass(play: Play, task: Task, host: HostState, vars: Record<string, unknown>): Promise<Outcome> {
    if (this.options.check) {
      const missing = checkModeDependency(task, host.runtimeVars);
      if (missing) return skippedOutcome(`check mode: depends on the result of "${missing}", which check mode did not produce`, true);
    }
    const failedWhen = task.when.find((expression) => !isTrue(expression, vars));
    if (failedWhen !== undefined) return skippedOutcome(`when: ${failedWhen} is false`);
    return this.planAndAct.run(play, task, host, vars);
  }
}

/** changed_when / failed_when, evaluated with the registered result in scope like Ansible. */
function applyConditions(task: Task, outcome: Outcome, vars: () => Record<string, unknown>): Outcome {
  if (outcome.status === 'skipped' || outcome.status === 'unreachable') return outcome;
  // Built only for a task with conditions.
  let built: Record<string, unknown> | undefined;
  const scope = () => (built ??= { ...vars(), ...(task.register ? { [task.register]: outcome.registered } : {}), result: outcome.registered });
  let status = outcome.status;
  let message = outcome.message;
  if (task.changedWhen && status !== 'failed') {
    status = task.changedWhen.every((expression) => isTrue(expression, scope())) ? 'changed' : 'ok';
  }
  if (task.failedWhen) {
    const failed = task.failedWhen.some((expression) => isTrue(expression, scope()));
    if (failed && status !== 'failed') message = `failed_when matched: ${task.failedWhen.join(' or ')}`;
    status = failed ? 'failed' : status === 'failed' ? (outcome.ran ? 'changed' : 'ok') : status;
  }
  return { ...outcome, status, message, registered: { ...outcome.registered, changed: status === 'changed', failed: status === 'failed' } };
}

/**
 * In check mode a registered result of a command that did not run holds no output; a task reading
 * it would fail for no real reason, so it is skipped with that explanation instead.
 */
function checkModeDependency(task: Task, runtimeVars: Record<string, unknown>): string | undefined {
  const unproduced = new Set(
    Object.entries(runtimeVars)
      .filter(([, value]) => isRecord(value) && value.check_mode === true)
      .map(([name]) => name),
  );
  if (unproduced.size === 0) return undefined;
  const texts: Array<[string, 'template' | 'expression']> = [
    ...task.when.map((expression): [string, 'expression'] => [expression, 'expression']),
    ...strings([task.args, task.loop]).map((text): [string, 'template' | 'expression'] => [text, hasTemplate(text) ? 'template' : 'expression']),
  ];
  for (const [text, mode] of texts) {
    const found = rootVariables(text, mode).find((name) => unproduced.has(name));
    if (found) return found;
  }
  return undefined;
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (isRecord(value)) return Object.values(value).flatMap(strings);
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Diffs only with --diff; no empty lists. */
function withoutEmpty(result: TaskResult, diff: boolean): TaskResult {
  const copy = { ...result };
  if (!diff || copy.diff?.length === 0) delete copy.diff;
  if (copy.commands?.length === 0) delete copy.commands;
  return copy;
}

function describeError(error: unknown, task: Task): string {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RunbookError && error.code === 'RB_TEMPLATE') {
    return `${message} in task "${task.name}" at ${task.position.file}:${task.position.line}:${task.position.col}`;
  }
  return message;
}

function hideOutput(result: TaskResult): TaskResult {
  return {
    status: result.status,
    message: 'output hidden (no_log: true)',
    hidden: true,
    durationMs: result.durationMs,
    ...(result.ignored ? { ignored: true } : {}),
  };
}

function countWords(statuses: TaskStatus[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) {
      done();
      return;
    }
    const wake = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', wake);
      done();
    };
    const timer = setTimeout(wake, ms);
    signal?.addEventListener('abort', wake, { once: true });
  });
}
