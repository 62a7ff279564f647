import { dirname, resolve } from 'node:path';
import { gatheredFacts, moduleFacts } from '../facts/ansible.js';
import type { Inventory, Play, Task } from '../load/model.js';
import { hostScopes, type HostScope } from '../load/pods.js';
import type { HostState, Hosts } from './host-state.js';

/** The key of a host's cached `hostvars` view, beside those of its plays and tasks. */
const HOSTVARS_VIEW = Symbol('hostvars');

/**
 * The variables each host's tasks see, by precedence, and what a host sees of the others: in a
 * classroom, its own pod. The merged views are cached on the host's state (HostState.view).
 */
export class Variables {
  /** What a host sees of the inventory: its pod (and the hosts in no pod) in a classroom, else everything. */
  private readonly scopeOf: (host: string) => HostScope;
  private readonly hostvarsByScope = new Map<HostScope, Record<string, unknown>>();

  constructor(
    private readonly inventory: Inventory,
    private readonly extraVars: Record<string, unknown>,
    private readonly hosts: Hosts,
    /** --check: Ansible's ansible_check_mode. */
    private readonly check = false,
  ) {
    this.scopeOf = hostScopes(inventory);
  }

  /**
   * Variables visible to a task on a host, by Ansible's precedence: role defaults < inventory < play
   * vars and vars_files < role vars < task vars (blocks' included) < include_vars < registered and
   * set_fact < role params < include params < extra vars.
   * Callers never change the object returned: it is shared while the host's variables are unchanged.
   */
  ofTask(play: Play, task: Task, host: HostState): Record<string, unknown> {
    const playVars = host.view(play, () => ({
      ...play.roleDefaults,
      ...this.fixedVars(host.name, host),
      ...play.vars,
      ...play.roleVars,
      ...host.includedVars,
      ...host.runtimeVars,
      ...this.extraVars,
      ...this.specialVars(play, host),
    }));
    const role = task.role;
    if (role === undefined && Object.keys(task.vars).length === 0 && Object.keys(task.includeParams).length === 0) return playVars;
    // Built on its play's view: a task run in another play must not see this play's variables. Its
    // role's defaults and vars win over other roles' (Ansible's VariableManager.get_vars).
    return host.view(
      task,
      () => ({
        ...play.roleDefaults,
        ...role?.defaults,
        ...this.fixedVars(host.name, host),
        ...play.vars,
        ...play.roleVars,
        ...role?.vars,
        ...task.vars,
        ...host.includedVars,
        ...host.runtimeVars,
        ...role?.params,
        ...task.includeParams,
        ...this.extraVars,
        ...this.specialVars(play, host),
        ...(role === undefined ? {} : { role_name: role.name, role_path: role.dir, ansible_role_name: role.name }),
      }),
      playVars,
    );
  }

  /** A host's variables as `hostvars` shows them: inventory, facts, registered and set_fact values. */
  ofHost(name: string): Record<string, unknown> {
    // A host no play has reached yet has no state (and gets none: it would show in the recap).
    const host = this.hosts.reached(name);
    if (!host) return this.fixedVars(name, undefined);
    return host.view(HOSTVARS_VIEW, () => ({ ...this.fixedVars(name, host), ...host.runtimeVars }));
  }

  /** The variables of the host `name` stands for, seen from `host`; undefined for a host it cannot see. */
  ofHostSeenFrom(host: HostState, name: string): Record<string, unknown> | undefined {
    const resolved = this.scopeOf(host.name).resolve(name);
    return resolved === undefined ? undefined : this.ofHost(resolved);
  }

  /** The inventory host a name given on `host` stands for (a pod-local name resolved), else the name itself. */
  resolveHost(host: HostState, name: string): string {
    return this.scopeOf(host.name).resolve(name) ?? name;
  }

  private specialVars(play: Play, host: HostState): Record<string, unknown> {
    const scope = this.scopeOf(host.name);
    let hostvars = this.hostvarsByScope.get(scope);
    if (!hostvars) {
      hostvars = hostvarsView(scope, (name) => this.ofHost(name));
      this.hostvarsByScope.set(scope, hostvars);
    }
    const playHosts = this.hosts.ofPlay(play).filter(scope.sees);
    const batch = this.hosts.batchOf(play).filter(scope.sees);
    return {
      hostvars,
      groups: scope.groups,
      play_hosts: batch,
      ansible_play_hosts_all: playHosts,
      ansible_play_batch: batch,
      ansible_check_mode: this.check,
      playbook_dir: resolve(dirname(play.position.file)),
      ...(this.inventory.file === undefined ? {} : { inventory_file: resolve(this.inventory.file), inventory_dir: resolve(dirname(this.inventory.file)) }),
    };
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
      // As in Ansible, facts a play did not gather (gather_facts: false) are not variables yet.
      ...(facts && host?.factsGathered ? factVariables(facts.ansible, host.gatheredSubsets, facts) : { ansible_facts: {} }),
      ansible_version: ANSIBLE_VERSION,
    };
    if (host && facts) host.fixedVars = fixed;
    return fixed;
  }
}

/**
 * The ansible-core release whose documented behaviour runbook reproduces (its fact collectors and
 * modules were read in that version's source): playbooks that test ansible_version take the paths
 * written for it.
 */
const ANSIBLE_VERSION = { full: '2.14.18', major: 2, minor: 14, revision: 18, string: '2.14.18' };

/** The facts of the gathered subsets as Ansible injects them: `ansible_facts`, and each as a top-level variable in setup's form (`ansible_<name>`), beside runbook's own `facts`. */
function factVariables(ansible: Record<string, unknown>, subsets: readonly (readonly string[])[], facts: unknown): Record<string, unknown> {
  const gathered = gatheredFacts(ansible, subsets);
  return { facts, ansible_facts: gathered, ...moduleFacts(gathered) };
}

/**
 * Variables of every host the scope sees, as `hostvars[name]` shows them (a pod-local name resolves
 * to its pod's host); reads through to the current values.
 */
function hostvarsView(scope: HostScope, runtime: (host: string) => Record<string, unknown>): Record<string, unknown> {
  const visible = scope.groups.all ?? [];
  return new Proxy(
    {},
    {
      get(_target, key) {
        const host = typeof key === 'string' ? scope.resolve(key) : undefined;
        return host === undefined ? undefined : runtime(host);
      },
      has(_target, key) {
        return typeof key === 'string' && scope.resolve(key) !== undefined;
      },
      ownKeys() {
        return [...visible];
      },
      getOwnPropertyDescriptor(_target, key) {
        return typeof key === 'string' && scope.sees(key) ? { enumerable: true, configurable: true, value: runtime(key) } : undefined;
      },
    },
  );
}
