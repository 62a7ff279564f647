import type { HostFacts } from '../facts/host.js';
import type { Inventory, Play } from '../load/model.js';
import { selectHosts } from '../load/patterns.js';
import type { Transport } from '../transport/types.js';
import type { HostRecap } from './events.js';
import type { TargetLock } from './run-lock.js';

/** Everything the engine remembers about one host during a run. */
export class HostState {
  transport: Transport | undefined;
  connecting: Promise<void> | undefined;
  /** The remote_user keyword the transport was opened with, and the user it logged in as. */
  login: { remoteUser: string | undefined; user: string } | undefined;
  /** The run lock on the host, held over `transport` (apply only). */
  lock: TargetLock | undefined;
  private knownFacts: HostFacts | undefined;
  /**
   * Whether a play with gather_facts has run on the host: only then do templates see its facts
   * (`ansible_*`), as in Ansible. The engine reads them anyway, for the modules' own use.
   */
  private gathered = false;
  private readonly subsets: Array<readonly string[]> = [];
  /** Registered results and set_fact values: above play vars, below extra vars. */
  private readonly runtime: Record<string, unknown> = {};
  /** Variables include_vars read: below set_fact and registered values, above task vars. */
  private readonly included: Record<string, unknown> = {};
  /**
   * Counts changes to the host's variables (facts read, a result registered, set_fact): the merged
   * views built from them (see Variables) are kept until it moves. Building one copies some thirty
   * variables, and a task needs them several times.
   */
  private varsVersion = 0;
  /** The variables that do not change during a run, built once the facts are known. */
  fixedVars: Record<string, unknown> | undefined;
  private readonly views = new Map<unknown, { version: number; base: object | undefined; vars: Record<string, unknown> }>();
  readonly notified = new Set<string>();
  failed = false;
  unreachable = false;
  readonly recap: HostRecap = { ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 0 };
  /** What the last task run on the host registered: a rescue sees it as ansible_failed_result. */
  lastResult: Record<string, unknown> | undefined;

  constructor(readonly name: string) {}

  get facts(): HostFacts | undefined {
    return this.knownFacts;
  }

  get runtimeVars(): Readonly<Record<string, unknown>> {
    return this.runtime;
  }

  get includedVars(): Readonly<Record<string, unknown>> {
    return this.included;
  }

  get factsGathered(): boolean {
    return this.gathered;
  }

  /** The gather_subset of every play that gathered facts on the host: as in Ansible, facts gathered once stay. */
  get gatheredSubsets(): readonly (readonly string[])[] {
    return this.subsets;
  }

  /** A play with gather_facts reached the host: from now on the facts of its gather_subset (default all) are variables. */
  gatherFacts(gatherSubset: readonly string[] = []): void {
    if (this.gathered && this.subsets.at(-1)?.join() === gatherSubset.join()) return;
    this.gathered = true;
    this.subsets.push(gatherSubset);
    this.fixedVars = undefined;
    this.varsVersion += 1;
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

  /** Variables read by include_vars. */
  include(values: Record<string, unknown>): void {
    Object.assign(this.included, values);
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

/** The hosts of a run: those each play targets, and the state of every host the run has reached. */
export class Hosts {
  private readonly states = new Map<string, HostState>();
  private readonly playHosts = new Map<Play, string[]>();
  private readonly batches = new Map<Play, string[]>();

  constructor(
    private readonly inventory: Inventory,
    private readonly limit: string | undefined,
  ) {}

  /** The inventory hosts a play targets, --limit applied. */
  ofPlay(play: Play): string[] {
    let hosts = this.playHosts.get(play);
    if (!hosts) {
      hosts = selectHosts(this.inventory, play.hosts, this.limit);
      this.playHosts.set(play, hosts);
    }
    return hosts;
  }

  /** The play's hosts that run it now (its batch, with serial). */
  startBatch(play: Play, batch: string[]): void {
    this.batches.set(play, batch);
  }

  /** The batch running the play now; before it starts, all its hosts. */
  batchOf(play: Play): string[] {
    return this.batches.get(play) ?? this.ofPlay(play);
  }

  /** A host's state, created when the run first reaches the host: from then on it shows in the recap. */
  state(name: string): HostState {
    let state = this.states.get(name);
    if (!state) {
      state = new HostState(name);
      this.states.set(name, state);
    }
    return state;
  }

  /** The state of a host the run has reached; undefined (and none created) for any other. */
  reached(name: string): HostState | undefined {
    return this.states.get(name);
  }

  all(): HostState[] {
    return [...this.states.values()];
  }
}
