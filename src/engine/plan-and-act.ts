import { RunbookError } from '../errors.js';
import type { Play, Task } from '../load/model.js';
import { convertRenderedArguments } from '../load/arguments.js';
import { isRecord } from '../load/source.js';
import { getModule } from '../modules/registry.js';
import type { ChangePlan, ModuleContext, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from '../modules/types.js';
import { moduleSchemaId } from '../schema/ajv.js';
import { validate } from '../schema/validate.js';
import { hasTemplate, renderValue } from '../template/index.js';
import { becomeFailureMessage } from '../transport/become.js';
import type { Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { withBecome, type Connections } from './connection.js';
import { buildSequence } from './batch.js';
import { withEnvironment } from './environment.js';
import type { RunEventListener, TaskResult, TaskStatus } from './events.js';
import { execFields } from '../modules/lib/exec-fields.js';
import { exitDescription, tail } from './exec-result.js';
import type { HostState, Hosts } from './host-state.js';
import type { ModuleContexts } from './module-context.js';
import type { RunOptions } from './options.js';
import type { ProbeCache } from './probe-cache.js';
import type { Probes } from './probes.js';
import type { Variables } from './vars.js';

/** What one pass of a task (one loop item) came to, before changed_when and failed_when. */
export interface Outcome {
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

/** How one pass of a task runs on a host (its keywords read there). */
export interface PassSettings {
  /** Only report what would change (check mode). */
  check: boolean;
  /** Variables the plan's steps run with. */
  environment: Record<string, string>;
  /** The host the module probes and changes: the task's host, or the one it is delegated to. */
  target: HostState;
  /** The hosts set_fact and include_vars values go to: the task's (and, for run_once, the batch's), or the delegated one with delegate_facts. */
  factsTo: readonly HostState[];
}

export function skippedOutcome(message: string, awaitsEarlierTask = false): Outcome {
  return {
    status: 'skipped',
    message,
    ran: false,
    registered: { changed: false, skipped: true, skip_reason: message },
    ...(awaitsEarlierTask ? { awaitsEarlierTask } : {}),
  };
}

/** Modules plan, the engine acts: the task's module planned from what its probes read, then the plan run or, in check mode, reported. */
export class PlanAndAct {
  /** Whether a task's arguments hold a template (else they were fully validated when loaded). */
  private readonly templatedArgs = new WeakMap<Task, boolean>();

  constructor(
    private readonly options: RunOptions,
    private readonly emit: RunEventListener,
    private readonly hosts: Hosts,
    private readonly variables: Variables,
    private readonly connections: Connections,
    private readonly probes: Probes,
    private readonly probeCache: ProbeCache,
    private readonly contexts: ModuleContexts,
  ) {}

  async run(play: Play, task: Task, host: HostState, vars: Record<string, unknown>, settings: PassSettings): Promise<Outcome> {
    const module = getModule(task.module);
    if (!module) throw new RunbookError('RB_INTERNAL', `module "${task.module}" is not registered`);
    const rendered = renderValue(task.args, vars) as Record<string, unknown>;
    const args = this.hasTemplatedArgs(task) && isRecord(rendered) ? convertRenderedArguments(task.module, rendered) : rendered;
    // Templated arguments could only be type-checked once rendered: check them now, before planning.
    const argumentIssues = this.hasTemplatedArgs(task) ? validate(moduleSchemaId(task.module), args) : [];
    if (argumentIssues.length > 0) {
      const message = argumentIssues.map((issue) => `${issue.instancePath || 'arguments'}: ${issue.message}`).join('; ');
      return { status: 'failed', message: `invalid arguments after templating: ${message}`, ran: false, registered: { changed: false, failed: true, msg: message } };
    }
    const { target } = settings;
    const context = this.contexts.of(target, vars, task.role?.dir, settings.check);
    const plan = await this.plan(module, args, context, play, task, target, vars, target === host);
    if (plan.kind === 'noop') {
      if (plan.skipped) return skippedOutcome(plan.reason, plan.awaitsEarlierTask);
      for (const receiver of settings.factsTo) {
        if (plan.setFacts) receiver.remember(plan.setFacts);
        if (plan.includedVars) receiver.include(plan.includedVars);
      }
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
    const commands = plan.steps.map((step) => (step.host ? `[${step.host}] ` : '') + step.command.redacted());
    if (settings.check) {
      return {
        status: 'changed',
        message: `would ${plan.summary}`,
        ran: false,
        diff: plan.diff,
        commands,
        registered: { changed: true, failed: false, check_mode: true, msg: plan.summary, ...plan.result },
      };
    }
    return this.act(plan, play, task, host, vars, settings, commands);
  }

  private async plan(
    module: ModuleDefinition,
    args: Record<string, unknown>,
    context: ModuleContext,
    play: Play,
    task: Task,
    host: HostState,
    vars: Record<string, unknown>,
    readAhead: boolean,
  ): Promise<Exclude<Plan, { kind: 'probe' }>> {
    const probes: ProbeResults = {};
    let wanted: ProbeSet = module.probe?.(args, context) ?? {};
    // Bounded: a module asks for more facts a few times at most (e.g. domain XML, then its disks).
    for (let round = 0; round < 8; round += 1) {
      Object.assign(probes, await this.probes.read(wanted, play, task, host, vars, readAhead && round === 0));
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

  /**
   * Runs a plan's steps in order, on the settings' target (or the host a step names); the first failing
   * step fails the task. Consecutive steps on the same host share one exec (see shareOneExec).
   */
  private async act(plan: ChangePlan, play: Play, task: Task, host: HostState, vars: Record<string, unknown>, settings: PassSettings, commands: string[]): Promise<Outcome> {
    const captured: ProbeResults = {};
    let last: ExecResult | undefined;
    const asTaskRuns = (command: Command, target: HostState) => withBecome(withEnvironment(command, settings.environment), play, task, target, vars);
    for (const group of shareOneExec(plan.steps)) {
      const [first] = group as [Step, ...Step[]];
      const target = first.host ? this.hosts.state(this.variables.resolveHost(host, first.host)) : settings.target;
      if (first.host) await this.connections.ensureConnected(target, play);
      this.emit({ type: 'host:task:progress', taskId: task.id, host: host.name, message: first.title });
      const sequence = group.length > 1 ? buildSequence(group.map((step) => ({ command: step.command, readsStdin: step.stdin !== undefined, ...(step.okCodes ? { okCodes: step.okCodes } : {}) }))) : undefined;
      const stdin = group.find((step) => step.stdin !== undefined)?.stdin;
      this.probeCache.forgetAll();
      const result = await this.connections.exec(target, asTaskRuns(sequence?.command ?? first.command, target), {
        ...(stdin === undefined ? {} : { stdin }),
        ...(first.timeoutMs === undefined ? {} : { timeoutMs: first.timeoutMs }),
        ...(first.progress
          ? {
              onStdout: (chunk: string) => this.progress(task, host, first.progress!(chunk)),
              onStderr: (chunk: string) => this.progress(task, host, first.progress!(chunk)),
            }
          : {}),
        ...(this.options.signal ? { signal: this.options.signal } : {}),
      }).catch(async (error: unknown) => {
        if (first.onAbort) await this.connections.exec(target, asTaskRuns(first.onAbort, target)).catch(() => undefined);
        throw error;
      }).finally(() => this.probeCache.forgetAll());
      const results = sequence ? sequence.parse(result) : [result];
      for (const [index, step] of group.entries()) {
        const stepResult = results[index]!;
        last = stepResult;
        if (step.capture) captured[step.capture] = stepResult;
        const ok = stepResult.code !== null && (step.okCodes ?? [0]).includes(stepResult.code);
        if (!ok) {
          const reason = becomeFailureMessage(stepResult) ?? step.failureMessage ?? `${step.title} failed`;
          return {
            status: 'failed',
            message: `${reason}: ${exitDescription(stepResult)}${tail(stepResult.stderr || stepResult.stdout)}`,
            ran: true,
            commands,
            diff: plan.diff,
            registered: { changed: false, failed: true, ...execFields(stepResult), msg: reason },
          };
        }
      }
    }
    const outcome = plan.finish?.(captured) ?? {};
    const changed = outcome.changed ?? true;
    const registered = { changed, failed: Boolean(outcome.failure), ...(last ? execFields(last) : {}), ...plan.result, ...outcome.result };
    if (outcome.failure) {
      return { status: 'failed', message: outcome.failure, ran: true, commands, diff: plan.diff, registered: { ...registered, msg: outcome.failure } };
    }
    // Steps that ran may still change nothing the module manages (a cache refresh that found it fresh).
    return { status: changed ? 'changed' : 'ok', message: outcome.message ?? plan.summary, ran: true, commands, diff: plan.diff, registered };
  }

  private progress(task: Task, host: HostState, update: { percent?: number; message?: string } | undefined): void {
    if (update) this.emit({ type: 'host:task:progress', taskId: task.id, host: host.name, ...update });
  }
}

/**
 * A plan's steps grouped into execs: a step joins the one before it when both run on the task's own
 * host with no timeout, abort command or progress of their own, and at most one of them reads stdin.
 * A changed file is then written and read back in one round trip instead of two.
 */
function shareOneExec(steps: readonly Step[]): Step[][] {
  const standsAlone = (step: Step): boolean =>
    step.host !== undefined || step.timeoutMs !== undefined || step.onAbort !== undefined || step.progress !== undefined;
  const groups: Step[][] = [];
  for (const step of steps) {
    const group = groups.at(-1);
    const joins =
      group !== undefined && !standsAlone(group[0]!) && !standsAlone(step) && !(step.stdin !== undefined && group.some((member) => member.stdin !== undefined));
    if (joins) group.push(step);
    else groups.push([step]);
  }
  return groups;
}

function containsTemplate(value: unknown): boolean {
  if (typeof value === 'string') return hasTemplate(value);
  if (Array.isArray(value)) return value.some(containsTemplate);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsTemplate);
  return false;
}
