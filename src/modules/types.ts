import type { Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import type { HostFacts } from '../facts/host.js';

/**
 * Modules plan, the engine acts. A module names the remote state it must read (probes), then turns
 * what was read into a Plan. It never runs anything itself, so --check and --diff come for free and
 * every plan is unit-testable from fixtures.
 */

/** A read-only command. Runs on the task's host unless `host` names another inventory host. */
export type Probe = Command | { host: string; command: Command };

/** Probes keyed by a name the module chooses; the engine batches a task's probes into one exec per host. */
export type ProbeSet = Record<string, Probe>;
export type ProbeResults = Record<string, ExecResult>;

export interface Diff {
  /** What the before/after texts describe, e.g. a path or "service nginx". */
  label: string;
  before: string;
  after: string;
}

export interface Step {
  /** Shown in the task row while it runs, e.g. "install nfs-common". */
  title: string;
  command: Command;
  /** Runs on the task's host unless it names another inventory host. */
  host?: string;
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Run (best effort) when the step times out or the run is interrupted, e.g. `virsh domjobabort`. */
  onAbort?: Command;
  /** Turns a chunk of output (stdout or stderr) into progress for the task row. */
  progress?: (chunk: string) => { percent?: number; message?: string } | undefined;
  /** Exit codes that count as success; default [0]. */
  okCodes?: readonly number[];
  /** Keep this step's result under this key for `finish`. */
  capture?: string;
  /** Message when the step fails, instead of the generic "command failed" (e.g. a named pre-check). */
  failureMessage?: string;
}

export interface Outcome {
  /** Values registered with the task result (e.g. rc, stdout, downtime_ms). */
  result?: Record<string, unknown>;
  /** A line for the task row, e.g. "migrated in 2.1 s, downtime 45 ms". */
  message?: string;
  /** When set, the task failed with this message even though every step exited 0. */
  failure?: string;
  /**
   * false: the steps ran but changed nothing Ansible counts as a change (`apt-get update` that fetched
   * no new lists, a daemon-reload alone): the task is ok. Default true.
   */
  changed?: boolean;
}

export interface NoopPlan {
  kind: 'noop';
  /** Why nothing needs doing, shown to the user: a no-op always says why. */
  reason: string;
  /** The task does not apply to this host (e.g. firewalld not installed): reported as skipped, with the reason. */
  skipped?: boolean;
  /** With skipped, in check mode: what it reads is missing only because an earlier task would provide it. */
  awaitsEarlierTask?: boolean;
  result?: Record<string, unknown>;
  /** Variables set for this host (set_fact). */
  setFacts?: Record<string, unknown>;
  /** Variables read for this host by include_vars (below set_fact). */
  includedVars?: Record<string, unknown>;
  /** Text shown to the user (debug). */
  message?: string;
}

export interface ChangePlan {
  kind: 'change';
  /** One line: what will change, e.g. "install nfs-common, rpcbind". */
  summary: string;
  diff?: Diff[];
  steps: Step[];
  result?: Record<string, unknown>;
  /** Runs after all steps succeeded, with captured outputs: verification and reporting. */
  finish?: (captured: ProbeResults) => Outcome;
}

export interface FailPlan {
  kind: 'fail';
  message: string;
  result?: Record<string, unknown>;
}

/** The module needs more facts before it can decide (e.g. disk paths read from a domain's XML). */
export interface ProbeMorePlan {
  kind: 'probe';
  probes: ProbeSet;
}

export type Plan = NoopPlan | ChangePlan | FailPlan | ProbeMorePlan;

export interface ModuleContext {
  /** Inventory name of the host the task runs on. */
  host: string;
  facts: HostFacts;
  check: boolean;
  /** Variables of any inventory host (e.g. a migration destination's address); undefined if unknown. */
  hostVars(name: string): Record<string, unknown> | undefined;
  /**
   * The inventory name a host name given in the arguments stands for: in a classroom pod, `kvm2`
   * is the pod's own (pod03-kvm2). Unknown names come back unchanged.
   */
  resolveHost(name: string): string;
  /** Directory of the playbook, for relative `src` paths. */
  playbookDir: string;
  /** Directory of the role the task comes from, searched first for a relative file (its files/, templates/, vars/). */
  roleDir?: string;
  /** Render a template file or string with the task's variables (template module). */
  renderTemplate(text: string): string;
  /** Read a local file (copy src, template src), relative to the playbook directory. */
  readLocalFile(path: string): Buffer;
  /** Evaluate a bare Jinja expression (assert `that`, debug `var`) with the task's variables. */
  evaluate(expression: string): unknown;
  /** A random token unique to this task run (e.g. a nonce proving two hosts see the same file). */
  nonce: string;
}

export interface ModuleDefinition<Args = Record<string, unknown>> {
  name: string;
  /** One line for `runbook doc` and did-you-mean lists. */
  summary: string;
  /**
   * Remote state to read before planning. Probes must not change anything. Each runs in a subshell
   * of its own with stdin closed, so it may `exit` with the status it reports. `probes` in plan()
   * also holds the results of any ProbeMorePlan rounds.
   */
  probe?(args: Args, context: ModuleContext): ProbeSet;
  plan(args: Args, probes: ProbeResults, context: ModuleContext): Plan;
}
