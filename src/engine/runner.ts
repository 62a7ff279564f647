import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { RunbookError } from '../errors.js';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../facts/host.js';
import type { Inventory, Play, Playbook, Task } from '../load/model.js';
import { selectHosts } from '../load/patterns.js';
import { hostScopes, type HostScope } from '../load/pods.js';
import { getModule } from '../modules/registry.js';
import type { ChangePlan, ModuleContext, ModuleDefinition, Plan, Probe, ProbeResults, ProbeSet } from '../modules/types.js';
import { Command } from '../shell/command.js';
import { moduleSchemaId } from '../schema/ajv.js';
import { validate } from '../schema/validate.js';
import { evaluate, hasTemplate, isTrue, renderValue, rootVariables } from '../template/index.js';
import { becomeCommand, becomeFailureMessage, needsBecome } from '../transport/become.js';
import { createTransport, resolveConnection } from '../transport/settings.js';
import type { ExecResult, HostKeyPolicy, Transport, TransportStats } from '../transport/types.js';
import { buildBatch } from './batch.js';
import type { HostRecap, RunEventListener, TaskResult, TaskStatus } from './events.js';
import { redactEvents, secretValues } from './redact.js';
import { ansibleFacts, hostvarsView } from './vars.js';

export interface RunOptions {
  check: boolean;
  diff: boolean;
  forks: number;
  limit: string | undefined;
  tags: string[];
  skipTags: string[];
  extraVars: Record<string, unknown>;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  commandTimeoutMs: number | undefined;
  signal?: AbortSignal;
  /** A failed task does not stop its host (grading reads every step, in check mode). */
  keepGoing?: boolean;
  /** Stop the run once this task (by id) and its play's notified handlers have run (apply --up-to). */
  lastTask?: string;
}

export interface RunSummary {
  recap: Record<string, HostRecap>;
  durationMs: number;
  interrupted: boolean;
  /** Connections opened and execs used per host (benchmarks, tests). */
  transportStats: Record<string, TransportStats>;
}

/** Everything the engine remembers about one host during a run. */
class HostState {
  transport: Transport | undefined;
  connecting: Promise<Transport> | undefined;
  private knownFacts: HostFacts | undefined;
  /** Registered results and set_fact values: above play vars, below extra vars. */
  private readonly runtime: Record<string, unknown> = {};
  /**
   * Counts changes to the host's variables (facts read, a result registered, set_fact): the merged
   * views built from them (Run.vars, Run.hostRuntimeVars) are kept until it moves. Building one
   * copies some thirty variables, and a task needs them several times.
   */
  private varsVersion = 0;
  /** The variables that do not change during a run, built once the facts are known. */
  fixedVars: Record<string, unknown> | undefined;
  private readonly views = new Map<unknown, { version: number; base: object | undefined; vars: Record<string, unknown> }>();
  readonly notified = new Set<string>();
  /** Probe results read in batches ahead of time, valid until a step runs on any host. */
  readonly probeCache = new Map<string, ExecResult>();
  failed = false;
  unreachable = false;
  readonly recap: HostRecap = { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, ignored: 0 };

  constructor(readonly name: string) {}

  get facts(): HostFacts | undefined {
    return this.knownFacts;
  }

  get runtimeVars(): Readonly<Record<string, unknown>> {
    return this.runtime;
  }

  learnFacts(facts: HostFacts): void {
    this.knownFacts = facts;
    this.fixedVars = undefined;
    this.varsVersion += 1;
  }

  remember(values: Record<string, unknown>): void {
    Object.assign(this.runtime, values);
    this.varsVersion += 1;
  }

  /**
   * The view cached under `key` while the variables are unchanged (and, given `base`, while it is
   * the same object the view was built on), else a new one from `build`.
   */
  view(key: unknown, build: () => Record<string, unknown>, base?: object): Record<string, unknown> {
    const cached = this.views.get(key);
    if (cached?.version === this.varsVersion && cached.base === base) return cached.vars;
    const vars = build();
    this.views.set(key, { version: this.varsVersion, base, vars });
    return vars;
  }
}

class HostUnreachable extends Error {}

/** The key of a host's cached `hostvars` view, beside those of its plays and tasks. */
const HOSTVARS_VIEW = Symbol('hostvars');

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
  return new Run(playbook, inventory, options, redactEvents(secrets, emit)).execute();
}

class Run {
  private readonly hosts = new Map<string, HostState>();
  private readonly started = Date.now();
  private readonly playbookDir: string;
  /** Counts forgetProbes() calls: a probe read is kept only if none happened while it ran. */
  private probeGeneration = 0;

  constructor(
    private readonly playbook: Playbook,
    private readonly inventory: Inventory,
    private readonly options: RunOptions,
    private readonly emit: RunEventListener,
  ) {
    this.playbookDir = dirname(resolve(playbook.file));
    this.scopeOf = hostScopes(inventory);
  }

  private get interrupted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  async execute(): Promise<RunSummary> {
    const allHosts = [...new Set(this.playbook.plays.flatMap((play) => this.playHosts(play)))];
    this.emit({ type: 'run:start', playbook: this.playbook.file, check: this.options.check, diff: this.options.diff, hosts: allHosts });
    try {
      for (const play of this.playbook.plays) {
        if (this.interrupted) break;
        if ((await this.runPlay(play)) === 'stop') break;
      }
    } finally {
      await Promise.all([...this.hosts.values()].map((host) => host.transport?.close().catch(() => undefined)));
    }
    const recap = Object.fromEntries([...this.hosts.values()].map((host) => [host.name, host.recap]));
    const durationMs = Date.now() - this.started;
    const transportStats = Object.fromEntries(
      [...this.hosts.values()].map((host) => [host.name, { ...(host.transport?.stats ?? { connections: 0, execs: 0 }) }]),
    );
    const pods = Object.fromEntries(Object.keys(recap).flatMap((host) => {
      const pod = this.inventory.hosts.get(host)?.pod;
      return pod === undefined ? [] : [[host, pod]];
    }));
    this.emit({ type: 'run:end', recap, pods, durationMs, interrupted: this.interrupted, transportStats });
    return { recap, durationMs, interrupted: this.interrupted, transportStats };
  }

  private readonly playHostsCache = new Map<Play, string[]>();
  /** What a host sees of the inventory: its pod (and the hosts in no pod) in a classroom, else everything. */
  private readonly scopeOf: (host: string) => HostScope;
  private readonly hostvarsByScope = new Map<HostScope, Record<string, unknown>>();
  /** Whether a task's arguments hold a template (else they were fully validated when loaded). */
  private readonly templatedArgs = new WeakMap<Task, boolean>();

  private playHosts(play: Play): string[] {
    let hosts = this.playHostsCache.get(play);
    if (!hosts) {
      hosts = selectHosts(this.inventory, play.hosts, this.options.limit);
      this.playHostsCache.set(play, hosts);
    }
    return hosts;
  }

  private host(name: string): HostState {
    let state = this.hosts.get(name);
    if (!state) {
      state = new HostState(name);
      this.hosts.set(name, state);
    }
    return state;
  }

  /** Runs a play; 'stop' when it held the run's last task (--up-to). */
  private async runPlay(play: Play): Promise<'stop' | 'continue'> {
    const names = this.playHosts(play);
    this.emit({ type: 'play:start', playIndex: play.index, name: play.name, hosts: names });
    for (const name of names) this.host(name).notified.clear();
    let reachedLast = false;
    for (const task of play.tasks) {
      if (this.interrupted || reachedLast) break;
      reachedLast = task.id === this.options.lastTask;
      const active = names.filter((name) => !this.host(name).failed && !this.host(name).unreachable);
      if (active.length === 0) break;
      if (!this.selectedByTags(play, task)) continue;
      await this.runTask(play, task, active, false);
    }
    // Handlers run once, at the end of the play, for every host that notified them, even a host
    // where a later task failed: the change that needs the handler did happen there.
    for (const handler of play.handlers) {
      if (this.interrupted) break;
      const hosts = names.filter(
        (name) =>
          !this.host(name).unreachable &&
          [handler.name, ...handler.listen].some((topic) => this.host(name).notified.has(topic)),
      );
      if (hosts.length > 0) await this.runTask(play, handler, hosts, true);
    }
    this.emit({ type: 'play:end', playIndex: play.index });
    return reachedLast ? 'stop' : 'continue';
  }

  private selectedByTags(play: Play, task: Task): boolean {
    const tags = new Set([...play.tags, ...task.tags]);
    if (this.options.skipTags.some((tag) => tags.has(tag)) && !tags.has('always')) return false;
    if (this.options.tags.length === 0 || tags.has('always')) return true;
    return this.options.tags.some((tag) => tags.has(tag) || (tag === 'untagged' && tags.size === 0));
  }

  private async runTask(play: Play, task: Task, hosts: string[], handler: boolean): Promise<void> {
    this.emit({ type: 'task:start', taskId: task.id, name: task.name, module: task.module, hosts, position: task.position, handler });
    await forEachLimited(hosts, this.options.forks, async (name) => {
      this.emit({ type: 'host:task:start', taskId: task.id, host: name });
      const result = await this.runTaskOnHost(play, task, this.host(name));
      this.emit({ type: 'host:task:end', taskId: task.id, host: name, result });
    });
    this.emit({ type: 'task:end', taskId: task.id });
  }

  private async runTaskOnHost(play: Play, task: Task, host: HostState): Promise<TaskResult> {
    const started = Date.now();
    let result: TaskResult;
    try {
      await this.ensureConnected(host, play, task);
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
    this.count(host, result);
    if (result.status === 'failed' && !this.options.keepGoing) host.failed = true;
    if (result.status === 'changed') for (const topic of task.notify) host.notified.add(topic);
    return result;
  }

  private count(host: HostState, result: TaskResult): void {
    if (result.ignored) host.recap.ignored += 1;
    host.recap[result.status] += 1;
  }

  private async runWithRetries(play: Play, task: Task, host: HostState): Promise<TaskResult> {
    const attempts = task.until ? Math.max(1, task.retries) : 1;
    let last: TaskResult | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      // A retry waits for the host to change: what the previous attempt read is stale by design.
      if (attempt > 1) host.probeCache.clear();
      const { result, registered } = await this.runTaskBody(play, task, host);
      last = result;
      if (!task.until || result.status === 'skipped') return result;
      const vars = { ...this.vars(play, task, host), ...(task.register ? { [task.register]: registered } : {}) };
      if (result.status !== 'failed' && task.until.every((expression) => isTrue(expression, vars))) return result;
      if (attempt < attempts) await sleep(task.delayS * 1000, this.options.signal);
      if (this.interrupted) {
        return { ...result, status: 'failed', message: `${result.message} (interrupted after ${attempt} of ${attempts} attempts)` };
      }
    }
    return { ...last!, status: 'failed', message: `${last!.message} (until condition not met after ${attempts} attempts)` };
  }

  /** when, loop, plan and act, changed_when/failed_when, register. */
  private async runTaskBody(
    play: Play,
    task: Task,
    host: HostState,
  ): Promise<{ result: TaskResult; registered: Record<string, unknown> }> {
    const started = Date.now();
    const vars = this.vars(play, task, host);
    const items = task.loop === undefined ? undefined : loopItems(renderAll(task.loop, vars), task);
    if (items === undefined) {
      const outcome = await this.runOnce(play, task, host, vars);
      return this.finishTask(play, task, host, outcome, Date.now() - started);
    }
    const itemOutcomes: ItemOutcome[] = [];
    for (const item of items) {
      if (this.interrupted) break;
      const itemVars = { ...vars, [task.loopVar]: item };
      const outcome = await this.runOnce(play, task, host, itemVars);
      itemOutcomes.push({ ...this.applyConditions(task, outcome, () => itemVars), item });
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
    return { result: this.withoutEmpty(result), registered };
  }

  private finishTask(
    play: Play,
    task: Task,
    host: HostState,
    outcome: Outcome,
    durationMs: number,
  ): { result: TaskResult; registered: Record<string, unknown> } {
    const final = this.applyConditions(task, outcome, () => this.vars(play, task, host));
    if (task.register) host.remember({ [task.register]: final.registered });
    const result: TaskResult = {
      status: final.status,
      message: final.message,
      ...(final.awaitsEarlierTask ? { awaitsEarlierTask: true } : {}),
      ...(final.diff ? { diff: final.diff } : {}),
      ...(final.commands ? { commands: final.commands } : {}),
      durationMs,
    };
    return { result: this.withoutEmpty(result), registered: final.registered };
  }

  private withoutEmpty(result: TaskResult): TaskResult {
    const copy = { ...result };
    if (!this.options.diff || copy.diff?.length === 0) delete copy.diff;
    if (copy.commands?.length === 0) delete copy.commands;
    return copy;
  }

  /** changed_when / failed_when, evaluated with the registered result in scope like Ansible. */
  private applyConditions(task: Task, outcome: Outcome, vars: () => Record<string, unknown>): Outcome {
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

  /** One pass of a task (one loop item): when, render, plan, act. */
  private async runOnce(play: Play, task: Task, host: HostState, vars: Record<string, unknown>): Promise<Outcome> {
    const skipped = (message: string, awaitsEarlierTask = false): Outcome => ({
      status: 'skipped',
      message,
      ran: false,
      registered: { changed: false, skipped: true, skip_reason: message },
      ...(awaitsEarlierTask ? { awaitsEarlierTask } : {}),
    });
    if (this.options.check) {
      const missing = checkModeDependency(task, host.runtimeVars);
      if (missing) return skipped(`check mode: depends on the result of "${missing}", which check mode did not produce`, true);
    }
    const failedWhen = task.when.find((expression) => !isTrue(expression, vars));
    if (failedWhen !== undefined) return skipped(`when: ${failedWhen} is false`);

    const module = getModule(task.module);
    if (!module) throw new RunbookError('RB_INTERNAL', `module "${task.module}" is not registered`);
    const args = renderAll(task.args, vars) as Record<string, unknown>;
    // Templated arguments could only be type-checked once rendered: check them now, before planning.
    const argumentIssues = this.hasTemplatedArgs(task) ? validate(moduleSchemaId(task.module), args) : [];
    if (argumentIssues.length > 0) {
      const message = argumentIssues.map((issue) => `${issue.instancePath || 'arguments'}: ${issue.message}`).join('; ');
      return { status: 'failed', message: `invalid arguments after templating: ${message}`, ran: false, registered: { changed: false, failed: true, msg: message } };
    }
    const context = this.moduleContext(play, task, host, vars);
    const probes: ProbeResults = {};
    let plan = await this.plan(module, args, context, probes, play, task, host);
    if (plan.kind === 'noop') {
      if (plan.skipped) return skipped(plan.reason, plan.awaitsEarlierTask);
      if (plan.setFacts) host.remember(plan.setFacts);
      return {
        status: 'ok',
        message: plan.message ?? plan.reason,
        ran: false,
        registered: { changed: false, failed: false, msg: plan.message ?? plan.reason, ...plan.result },
      };
    }
    if (plan.kind === 'fail') {
      return { status: 'failed', message: plan.message, ran: false, registered: { changed: false, failed: true, msg: plan.message, ...plan.result } };
    }
    plan = plan as ChangePlan;
    const commands = plan.steps.map((step) => (step.host ? `[${step.host}] ` : '') + step.command.redacted());
    if (this.options.check) {
      return {
        status: 'changed',
        message: `would ${plan.summary}`,
        ran: false,
        diff: plan.diff,
        commands,
        registered: { changed: true, failed: false, check_mode: true, msg: plan.summary, ...plan.result },
      };
    }
    return this.act(plan, play, task, host, commands);
  }

  private async plan(
    module: ModuleDefinition,
    args: Record<string, unknown>,
    context: ModuleContext,
    probes: ProbeResults,
    play: Play,
    task: Task,
    host: HostState,
  ): Promise<Exclude<Plan, { kind: 'probe' }>> {
    let wanted: ProbeSet = module.probe?.(args, context) ?? {};
    // Bounded: a module asks for more facts a few times at most (e.g. domain XML, then its disks).
    for (let round = 0; round < 8; round += 1) {
      Object.assign(probes, await this.readProbes(wanted, play, task, host, round === 0));
      const plan = module.plan(args, probes, context);
      if (plan.kind !== 'probe') return plan;
      wanted = plan.probes;
    }
    throw new RunbookError('RB_INTERNAL', `module "${module.name}" kept asking for more facts`);
  }

  private hasTemplatedArgs(task: Task): boolean {
    let templated = this.templatedArgs.get(task);
    if (templated === undefined) {
      templated = containsTemplate(task.args);
      this.templatedArgs.set(task, templated);
    }
    return templated;
  }

  /** Runs a plan's steps in order; the first failing step fails the task. */
  private async act(plan: ChangePlan, play: Play, task: Task, host: HostState, commands: string[]): Promise<Outcome> {
    const captured: ProbeResults = {};
    let last: ExecResult | undefined;
    for (const step of plan.steps) {
      const target = step.host ? this.host(this.resolveHost(host, step.host)) : host;
      if (step.host) await this.ensureConnected(target, play);
      this.emit({ type: 'host:task:progress', taskId: task.id, host: host.name, message: step.title });
      this.forgetProbes();
      const result = await this.exec(target, this.withBecome(step.command, play, task, target), {
        ...(step.stdin === undefined ? {} : { stdin: step.stdin }),
        ...(step.timeoutMs === undefined ? {} : { timeoutMs: step.timeoutMs }),
        ...(step.progress
          ? {
              onStdout: (chunk: string) => this.progress(task, host, step.progress!(chunk)),
              onStderr: (chunk: string) => this.progress(task, host, step.progress!(chunk)),
            }
          : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      }).catch(async (error: unknown) => {
        if (step.onAbort) await this.exec(target, this.withBecome(step.onAbort, play, task, target)).catch(() => undefined);
        throw error;
      }).finally(() => this.forgetProbes());
      last = result;
      if (step.capture) captured[step.capture] = result;
      const ok = result.code !== null && (step.okCodes ?? [0]).includes(result.code);
      if (!ok) {
        const reason = becomeFailureMessage(result) ?? step.failureMessage ?? `${step.title} failed`;
        return {
          status: 'failed',
          message: `${reason}: ${exitDescription(result)}${tail(result.stderr || result.stdout)}`,
          ran: true,
          commands,
          diff: plan.diff,
          registered: { changed: false, failed: true, ...execFields(result), msg: reason },
        };
      }
    }
    const outcome = plan.finish?.(captured) ?? {};
    const registered = { changed: true, failed: Boolean(outcome.failure), ...(last ? execFields(last) : {}), ...plan.result, ...outcome.result };
    if (outcome.failure) {
      return { status: 'failed', message: outcome.failure, ran: true, commands, diff: plan.diff, registered: { ...registered, msg: outcome.failure } };
    }
    return { status: 'changed', message: outcome.message ?? plan.summary, ran: true, commands, diff: plan.diff, registered };
  }

  private progress(task: Task, host: HostState, update: { percent?: number; message?: string } | undefined): void {
    if (update) this.emit({ type: 'host:task:progress', taskId: task.id, host: host.name, ...update });
  }

  /**
   * Reads probes, batched: one exec per host. The first read of a task also reads ahead the probes of
   * the play's remaining tasks (those that can be computed now); they stay valid until a step runs
   * on any host, so a no-op play costs one round trip per host.
   */
  private async readProbes(wanted: ProbeSet, play: Play, task: Task, host: HostState, readAhead: boolean): Promise<ProbeResults> {
    const results: ProbeResults = {};
    // Commands are keyed by their rendered text, rendered once each.
    const byHost = new Map<string, Array<{ key: string; text: string; command: Command }>>();
    for (const [key, probe] of Object.entries(wanted)) {
      const { host: target, command } = this.normaliseProbe(probe, host);
      const state = this.host(target);
      const wrapped = this.withBecome(command, play, task, state);
      const text = wrapped.render();
      const cached = state.probeCache.get(text);
      if (cached) results[key] = cached;
      else byHost.set(target, [...(byHost.get(target) ?? []), { key, text, command: wrapped }]);
    }
    await Promise.all(
      [...byHost].map(async ([target, entries]) => {
        const state = this.host(target);
        if (target !== host.name) await this.ensureConnected(state, play);
        const unique = new Map<string, Command>(entries.map((entry) => [entry.text, entry.command]));
        if (readAhead && target === host.name) {
          for (const [text, command] of this.readAheadCommands(play, tasksFrom(play, task, 'after'), host)) {
            if (!unique.has(text) && !state.probeCache.has(text)) unique.set(text, command);
          }
        }
        const batch = buildBatch([...unique.values()]);
        const generation = this.probeGeneration;
        const outputs = new Map(zip([...unique.keys()], batch.parse(await this.exec(state, batch.command))));
        for (const [text, output] of outputs) this.rememberProbe(state, generation, text, output);
        for (const entry of entries) results[entry.key] = outputs.get(entry.text)!;
      }),
    );
    return results;
  }

  /**
   * Probe commands of `tasks` on the host, as far as they can be computed now. Before the host's
   * facts are known, a probe that reads them throws (see moduleContext) and is read when its task
   * runs; tasks with become are left out too, as whether become applies depends on the login user.
   * Keyed by rendered text: tasks that read the same thing (two edits of one file) read it once.
   */
  private readAheadCommands(play: Play, tasks: readonly Task[], host: HostState): Map<string, Command> {
    const commands = new Map<string, Command>();
    for (const later of tasks) {
      const module = getModule(later.module);
      if (!module?.probe || !this.selectedByTags(play, later)) continue;
      if (!host.facts && (later.become ?? play.become)) continue;
      try {
        const vars = this.vars(play, later, host);
        const items = later.loop === undefined ? [undefined] : loopItems(renderAll(later.loop, vars), later);
        for (const item of items) {
          const itemVars = item === undefined ? vars : { ...vars, [later.loopVar]: item };
          const args = renderAll(later.args, itemVars) as Record<string, unknown>;
          const probes = module.probe(args, this.moduleContext(play, later, host, itemVars));
          for (const probe of Object.values(probes)) {
            const { host: target, command } = this.normaliseProbe(probe, host);
            if (target !== host.name) continue;
            const wrapped = this.withBecome(command, play, later, host);
            commands.set(wrapped.render(), wrapped);
          }
        }
      } catch {
        // Depends on a value not known yet (a registered result, say): read when the task runs.
      }
    }
    return commands;
  }

  private moduleContext(play: Play, task: Task, host: HostState, vars: Record<string, unknown>): ModuleContext {
    let nonce: string | undefined;
    return {
      host: host.name,
      // Read ahead while connecting, before the facts arrive: a probe that needs them is read later.
      get facts() {
        if (!host.facts) throw new RunbookError('RB_INTERNAL', `the facts of ${host.name} are not known yet`);
        return host.facts;
      },
      check: this.options.check,
      hostVars: (name) => {
        const resolved = this.scopeOf(host.name).resolve(name);
        return resolved === undefined ? undefined : this.hostRuntimeVars(resolved);
      },
      resolveHost: (name) => this.resolveHost(host, name),
      playbookDir: this.playbookDir,
      renderTemplate: (text) => String(renderValue(text, vars)),
      readLocalFile: (path) => readFileSync(resolve(this.playbookDir, path)),
      evaluate: (expression) => evaluate(expression, vars),
      // Drawn on first use: most plans never need one.
      get nonce() {
        return (nonce ??= randomBytes(8).toString('hex'));
      },
    };
  }

  /**
   * Variables visible to a task on a host: inventory < play < registered/set_fact < task < extra vars.
   * Callers never change the object returned: it is shared while the host's variables are unchanged.
   */
  private vars(play: Play, task: Task, host: HostState): Record<string, unknown> {
    const playVars = host.view(play, () => ({
      ...this.fixedVars(host.name, host),
      ...play.vars,
      ...host.runtimeVars,
      ...this.options.extraVars,
      ...this.specialVars(play, host),
    }));
    if (Object.keys(task.vars).length === 0) return playVars;
    // Built on its play's view: a task run in another play must not see this play's variables.
    return host.view(task, () => ({ ...playVars, ...task.vars, ...this.options.extraVars, ...this.specialVars(play, host) }), playVars);
  }

  private specialVars(play: Play, host: HostState): Record<string, unknown> {
    const scope = this.scopeOf(host.name);
    let hostvars = this.hostvarsByScope.get(scope);
    if (!hostvars) {
      hostvars = hostvarsView(scope, (name) => this.hostRuntimeVars(name));
      this.hostvarsByScope.set(scope, hostvars);
    }
    return { hostvars, groups: scope.groups, play_hosts: this.playHosts(play).filter(scope.sees) };
  }

  private normaliseProbe(probe: Probe, host: HostState): { host: string; command: Command } {
    return probe instanceof Command ? { host: host.name, command: probe } : { host: this.resolveHost(host, probe.host), command: probe.command };
  }

  /** The inventory host a name given on `host` stands for (a pod-local name resolved), else the name itself. */
  private resolveHost(host: HostState, name: string): string {
    return this.scopeOf(host.name).resolve(name) ?? name;
  }

  /** A host's variables as `hostvars` shows them: inventory, facts, registered and set_fact values. */
  private hostRuntimeVars(name: string): Record<string, unknown> {
    // A host no play has reached yet has no state (and gets none: it would show in the recap).
    const host = this.hosts.get(name);
    if (!host) return this.fixedVars(name, undefined);
    return host.view(HOSTVARS_VIEW, () => ({ ...this.fixedVars(name, host), ...host.runtimeVars }));
  }

  /** The host's variables that do not change during a run (inventory, name, facts), kept once its facts are known. */
  private fixedVars(name: string, host: HostState | undefined): Record<string, unknown> {
    if (host?.fixedVars) return host.fixedVars;
    const inventoryHost = this.inventory.hosts.get(name);
    const facts = host?.facts;
    const fixed = {
      ...inventoryHost?.vars,
      inventory_hostname: name,
      inventory_hostname_short: name.split('.')[0],
      group_names: inventoryHost?.groups.filter((group) => group !== 'all') ?? [],
      ...(facts ? { facts, ansible_facts: ansibleFacts(facts), ...prefixed(ansibleFacts(facts)) } : {}),
    };
    if (host && facts) host.fixedVars = fixed;
    return fixed;
  }

  private withBecome(command: Command, play: Play, task: Task, host: HostState): Command {
    const become = task.become ?? play.become;
    const user = task.becomeUser ?? play.becomeUser;
    if (!become || !needsBecome(host.facts?.user ?? '', user)) return command;
    return becomeCommand(command, user);
  }

  /**
   * Connects and reads the host's facts. Given the task about to run, the same exec also reads the
   * probes of that task and the play's later ones that do not depend on the facts: a converged play
   * then costs one round trip per host.
   */
  private async ensureConnected(host: HostState, play: Play, task?: Task): Promise<Transport> {
    if (host.unreachable) throw new HostUnreachable(`${host.name} is unreachable`);
    if (host.transport && host.facts) return host.transport;
    host.connecting ??= (async () => {
      const vars = this.hostRuntimeVars(host.name);
      const settings = resolveConnection(host.name, play.connection ? { ...vars, ansible_connection: play.connection } : vars, {
        hostKeyPolicy: this.options.hostKeyPolicy,
        connectTimeoutMs: this.options.connectTimeoutMs,
      });
      const transport = createTransport(settings);
      try {
        await transport.connect();
      } catch (error) {
        throw new HostUnreachable(error instanceof Error ? error.message : String(error));
      }
      host.transport = transport;
      host.learnFacts(await this.readFacts(host, task ? this.readAheadCommands(play, tasksFrom(play, task, 'including'), host) : new Map()));
      return transport;
    })();
    try {
      return await host.connecting;
    } catch (error) {
      host.unreachable = true;
      throw error;
    }
  }

  /**
   * The host's facts, read with `ahead` (probes computed without them) in the same exec. A read-ahead
   * probe that outlasts the command timeout must not cost the host its facts: they are read alone then.
   */
  private async readFacts(host: HostState, ahead: ReadonlyMap<string, Command>): Promise<HostFacts> {
    const generation = this.probeGeneration;
    const batch = buildBatch([hostFactsCommand(), ...ahead.values()]);
    let results: ExecResult[];
    try {
      results = batch.parse(await this.exec(host, batch.command));
    } catch (error) {
      if (ahead.size === 0 || !(error instanceof RunbookError && error.code === 'RB_TIMEOUT')) throw error;
      results = [await this.exec(host, hostFactsCommand())];
    }
    const facts = results[0]!;
    if (facts.code !== 0) throw new HostUnreachable(`could not read host facts: ${exitDescription(facts)}${tail(facts.stderr)}`);
    [...ahead.keys()].forEach((text, index) => {
      const output = results[index + 1];
      if (output) this.rememberProbe(host, generation, text, output);
    });
    return parseHostFacts(facts);
  }

  /**
   * Anything a step changes may be seen from every host (shared storage, a service another host
   * uses): before and after each step, every probe result read so far is forgotten, and reads that
   * were under way are not kept (rememberProbe).
   */
  private forgetProbes(): void {
    this.probeGeneration += 1;
    for (const state of this.hosts.values()) state.probeCache.clear();
  }

  /** Keeps a probe result for later tasks, unless a step ran since the read began or the read was cut short. */
  private rememberProbe(host: HostState, generation: number, text: string, output: ExecResult): void {
    if (generation === this.probeGeneration && output.code !== null) host.probeCache.set(text, output);
  }

  private async exec(host: HostState, command: Command, options: Parameters<Transport['exec']>[1] = {}): Promise<ExecResult> {
    if (!host.transport) throw new RunbookError('RB_INTERNAL', `no connection to ${host.name}`);
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
    try {
      return await host.transport.exec(command, { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    } catch (error) {
      if (error instanceof RunbookError && (error.code === 'RB_CONNECT' || error.code === 'RB_AUTH')) {
        throw new HostUnreachable(error.message);
      }
      throw error;
    }
  }
}

interface Outcome {
  status: TaskStatus;
  message: string;
  /** Whether any step ran on a host. */
  ran: boolean;
  /** Skipped in check mode because an earlier task would first provide what this one reads. */
  awaitsEarlierTask?: boolean;
  diff?: TaskResult['diff'];
  commands?: string[];
  registered: Record<string, unknown>;
}

type ItemOutcome = Outcome & { item: unknown };

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

function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsTemplate);
  return false;
}

function renderAll(value: unknown, vars: Record<string, unknown>): unknown {
  return renderValue(value, vars);
}

function loopItems(value: unknown, task: Task): unknown[] {
  if (Array.isArray(value)) return value;
  throw new RunbookError('RB_TEMPLATE', `loop of task "${task.name}" is not a list (got ${typeof value})`);
}


function execFields(result: ExecResult): Record<string, unknown> {
  return {
    rc: result.code,
    stdout: result.stdout,
    stderr: result.stderr,
    stdout_lines: lines(result.stdout),
    stderr_lines: lines(result.stderr),
  };
}

function lines(text: string): string[] {
  const trimmed = text.endsWith('\n') ? text.slice(0, -1) : text;
  return trimmed === '' ? [] : trimmed.split('\n');
}

function exitDescription(result: ExecResult): string {
  if (result.signal) return `killed by signal ${result.signal}`;
  if (result.code === null) return 'no exit status reported';
  const meaning: Record<number, string> = { 126: 'not executable', 127: 'command not found', 130: 'interrupted' };
  return `exit ${result.code}${meaning[result.code] ? ` (${meaning[result.code]})` : ''}`;
}

function tail(text: string): string {
  const kept = lines(text.trimEnd()).slice(-20);
  return kept.length ? `\n${kept.join('\n')}` : '';
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

function zip<A, B>(keys: readonly A[], values: readonly B[]): Array<[A, B]> {
  return keys.map((key, index) => [key, values[index]!]);
}

/** The play's tasks from `task` on (or after it); none for a handler, which is not among them. */
function tasksFrom(play: Play, task: Task, where: 'including' | 'after'): readonly Task[] {
  const index = play.tasks.indexOf(task);
  return index < 0 ? [] : play.tasks.slice(where === 'including' ? index : index + 1);
}

function prefixed(facts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(facts).map(([key, value]) => [`ansible_${key}`, value]));
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
