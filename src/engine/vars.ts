import type { HostFacts } from '../facts/host.js';
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
  ) {
    this.scopeOf = hostScopes(inventory);
  }

  /**
   * Variables visible to a task on a host: inventory < play < registered/set_fact < task < extra vars.
   * Callers never change the object returned: it is shared while the host's variables are unchanged.
   */
  ofTask(play: Play, task: Task, host: HostState): Record<string, unknown> {
    const playVars = host.view(play, () => ({
      ...this.fixedVars(host.name, host),
      ...play.vars,
      ...host.runtimeVars,
      ...this.extraVars,
      ...this.specialVars(play, host),
    }));
    if (Object.keys(task.vars).length === 0) return playVars;
    // Built on its play's view: a task run in another play must not see this play's variables. As in
    // Ansible, task vars lose to set_fact and registered values, and those to extra vars.
    return host.view(task, () => ({ ...playVars, ...task.vars, ...host.runtimeVars, ...this.extraVars, ...this.specialVars(play, host) }), playVars);
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
    return { hostvars, groups: scope.groups, play_hosts: this.hosts.ofPlay(play).filter(scope.sees) };
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
      ...(facts && host?.factsGathered ? { facts, ansible_facts: ansibleFacts(facts), ...prefixed(ansibleFacts(facts)) } : { ansible_facts: {} }),
    };
    if (host && facts) host.fixedVars = fixed;
    return fixed;
  }
}

/** Ansible-style names for the host facts, so playbooks written for Ansible read them unchanged. */
function ansibleFacts(facts: HostFacts): Record<string, unknown> {
  const osFamily = facts.osFamily === 'debian' ? 'Debian' : facts.osFamily === 'redhat' ? 'RedHat' : 'Unknown';
  const distribution = facts.distribution ? facts.distribution[0]!.toUpperCase() + facts.distribution.slice(1) : '';
  return {
    os_family: osFamily,
    distribution,
    distribution_version: facts.distributionVersion,
    distribution_major_version: facts.distributionVersion.split('.')[0] ?? '',
    hostname: facts.hostname,
    pkg_mgr: facts.packageManager,
    service_mgr: facts.initSystem,
    all_ipv4_addresses: facts.addresses,
    default_ipv4: { address: facts.addresses[0] ?? '' },
    selinux: { status: facts.selinux === 'absent' || facts.selinux === 'disabled' ? 'disabled' : 'enabled', mode: facts.selinux },
    firewalld: facts.firewalld,
    user_id: facts.user,
    architecture: facts.architecture,
  };
}

/** The facts once more as top-level `ansible_<name>` variables, as Ansible injects them. */
function prefixed(facts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(facts).map(([key, value]) => [`ansible_${key}`, value]));
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
