import { RunbookError } from '../errors.js';
import type { Flag, Play, Task } from '../load/model.js';
import { hasTemplate, isTrue, renderValue, rootVariables } from '../template/index.js';
import { HostUnreachable, type Connections } from './connection.js';
import type { RunEventListener, TaskResult, TaskStatus } from './events.js';
import { taskEnvironment } from './environment.js';
import { flagValue } from './flags.js';
import type { HostState, Hosts } from './host-state.js';
import { loopPasses } from './loop-items.js';
import { isInterrupted, type RunOptions } from './options.js';
import { skippedOutcome, type Outcome, type PassSettings, type PlanAndAct } from './plan-and-act.js';
import type { ProbeCache } from './probe-cache.js';
import type { Probes } from './probes.js';
import type { Variables } from './vars.js';

/** `item` is what is shown (loop_control.label); `loopResult` what Ansible adds to the item's registered result. */
type ItemOutcome = Outcome & { item: unknown; loopResult: Record<string, unknown> };

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
    private readonly hosts: Hosts,
    private readonly connections: Connections,
    private readonly probes: Probes,
    private readonly probeCache: ProbeCache,
    private readonly variables: Variables,
    private readonly planAndAct: PlanAndAct,
  ) {}

  /** `sharing`: the other hosts of the batch, for a run_once task: they get its register and facts too. */
  async run(play: Play, task: Task, host: HostState, sharing: readonly HostState[] = []): Promise<TaskResult> {
    const started = Date.now();
    let result: TaskResult;
    try {
      const login = { remoteUser: remoteUserOf(play, task, () => this.variables.ofTask(play, task, host)) };
      await this.connections.ensureConnected(host, play, () => this.probes.readAhead(play, task, 'including', host), login);
      result = await this.runWithRetries(play, task, host, sharing);
      if (task.register) for (const other of sharing) other.remember({ [task.register]: host.lastResult });
    } catch (error) {
      if (error instanceof HostUnreachable) {
        result = { status: 'unreachable', message: error.message, durationMs: Date.now() - started };
        if (this.flag(play, task, host, task.ignoreUnreachable ?? play.ignoreUnreachable, 'ignore_unreachable') === true) {
          // As Ansible counts it: ok and ignored; the host stays in the play, and a later task connects again.
          host.unreachable = false;
          host.connecting = undefined;
          result = { ...result, ignored: true };
        } else {
          host.unreachable = true;
          this.emit({ type: 'host:unreachable', host: host.name, message: error.message });
        }
      } else {
        result = { status: 'failed', message: describeError(error, task), durationMs: Date.now() - started };
      }
    }
    if (task.noLog) result = hideOutput(result);
    if (result.status === 'failed') {
      const ignore = this.flag(play, task, host, task.ignoreErrors, 'ignore_errors');
      if (typeof ignore === 'string') result = { ...result, message: `${result.message}; ${ignore}` };
      else if (ignore) result = { ...result, status: 'ok', ignored: true };
    }
    if (result.ignored) host.recap.ignored += 1;
    host.recap[result.status === 'unreachable' && result.ignored ? 'ok' : result.status] += 1;
    if (result.status === 'failed' && !this.options.keepGoing) host.failed = true;
    if (result.status === 'changed') for (const topic of task.notify) host.notified.add(topic);
    return result;
  }

  /** A boolean keyword on the host; the reason as a string when it is not a boolean there. */
  private flag(play: Play, task: Task, host: HostState, flag: Flag, keyword: string): boolean | string {
    if (typeof flag === 'boolean') return flag;
    try {
      return flagValue(flag, this.variables.ofTask(play, task, host), keyword);
    } catch (error) {
      return describeError(error, task);
    }
  }

  private async runWithRetries(play: Play, task: Task, host: HostState, sharing: readonly HostState[]): Promise<TaskResult> {
    const attempts = task.until ? Math.max(1, task.retries) : 1;
    let last: TaskResult | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      // A retry waits for the host to change: what the previous attempt read is stale by design.
      if (attempt > 1) this.probeCache.forget(host.name);
      const { result, registered } = await this.runBody(play, task, host, sharing);
      host.lastResult = registered;
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
  private async runBody(play: Play, task: Task, host: HostState, sharing: readonly HostState[]): Promise<BodyResult> {
    const started = Date.now();
    const vars = this.variables.ofTask(play, task, host);
    const passes = task.loop === undefined ? undefined : loopPasses(task, vars);
    const diff = diffWanted(this.options, play, task, vars);
    if (passes === undefined) {
      const outcome = await this.pass(play, task, host, vars, sharing);
      return this.finish(play, task, host, outcome, diff, Date.now() - started);
    }
    const itemOutcomes: ItemOutcome[] = [];
    for (const [index, each] of passes.entries()) {
      if (isInterrupted(this.options)) break;
      if (index > 0 && task.loopControl.pause > 0) await sleep(task.loopControl.pause * 1000, this.options.signal);
      const outcome = await this.pass(play, task, host, each.vars, sharing);
      itemOutcomes.push({ ...applyConditions(task, outcome, () => each.vars), item: each.label, loopResult: each.registered });
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
      results: itemOutcomes.map((outcome) => ({ ...outcome.registered, ...outcome.loopResult })),
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
    return { result: withoutEmpty(result, diff), registered };
  }

  private finish(play: Play, task: Task, host: HostState, outcome: Outcome, diff: boolean, durationMs: number): BodyResult {
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
    return { result: withoutEmpty(result, diff), registered: final.registered };
  }

  /** One pass of the task (one loop item): skipped unless `when` holds, else planned and acted on. */
  private async pass(play: Play, task: Task, host: HostState, vars: Record<string, unknown>, sharing: readonly HostState[]): Promise<Outcome> {
    const settings = passSettings(this.options, play, task, vars);
    if (settings.check) {
      const missing = checkModeDependency(task, host.runtimeVars);
      if (missing) return skippedOutcome(`check mode: depends on the result of "${missing}", which check mode did not produce`, true);
    }
    const failedWhen = task.when.find((expression) => !isTrue(expression, vars));
    if (failedWhen !== undefined) return skippedOutcome(`when: ${failedWhen} is false`);
    const delegate = task.delegateTo === undefined ? undefined : this.delegation(play, task, host, vars);
    if (delegate) await this.connections.ensureConnected(delegate, play, undefined, { remoteUser: remoteUserOf(play, task, () => vars) });
    return this.planAndAct.run(play, task, host, vars, {
      ...settings,
      target: delegate ?? host,
      factsTo: delegate && flagValue(task.delegateFacts, vars, 'delegate_facts') ? [delegate] : [host, ...sharing],
    });
  }

  /**
   * The host a delegated task runs on: an inventory host (a pod-local name resolved), else the
   * address itself, reached with default connection settings as Ansible does for a host it does
   * not know. None when it is the host itself.
   */
  private delegation(play: Play, task: Task, host: HostState, vars: Record<string, unknown>): HostState | undefined {
    const written = renderValue(task.delegateTo, vars);
    if (typeof written !== 'string' || written.trim() === '') {
      throw new RunbookError('RB_TEMPLATE', `delegate_to must name a host, not ${JSON.stringify(written)}`);
    }
    const name = this.variables.resolveHost(host, written.trim());
    return name === host.name ? undefined : this.hosts.state(name);
  }
}

/** The task's remote_user keyword (else the play's), rendered with its variables; undefined when neither has one. */
function remoteUserOf(play: Play, task: Task, vars: () => Record<string, unknown>): string | undefined {
  const written = task.remoteUser ?? play.remoteUser;
  if (written === undefined) return undefined;
  const user = renderValue(written, vars());
  if (typeof user !== 'string' || user === '') throw new RunbookError('RB_TEMPLATE', `remote_user must be a user name, not ${JSON.stringify(user)}`);
  return user;
}

/** check_mode and environment of one pass of the task: its own, else the play's, else the run's (--check). */
function passSettings(options: RunOptions, play: Play, task: Task, vars: Record<string, unknown>): Pick<PassSettings, 'check' | 'environment'> {
  const checkMode = task.checkMode ?? play.checkMode;
  return {
    check: checkMode === undefined ? options.check : flagValue(checkMode, vars, 'check_mode'),
    environment: taskEnvironment(play, task, vars),
  };
}

/** Whether the task reports its diff: its diff keyword, else the play's, else --diff. */
function diffWanted(options: RunOptions, play: Play, task: Task, vars: Record<string, unknown>): boolean {
  const diff = task.diff ?? play.diff;
  return diff === undefined ? options.diff : flagValue(diff, vars, 'diff');
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
