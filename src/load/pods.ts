import type { Inventory } from './model.js';

/**
 * A classroom runs one playbook on many pods (one student's hosts each). Seen from a host in a pod,
 * the inventory holds only that pod's hosts and the hosts that are in no pod (shared ones): `groups`,
 * `hostvars` and `play_hosts` show those, so `groups['kvm_hosts'][1]` is the pod's second KVM host.
 * A pod's host may also be named by its name inside the pod, its inventory name without the pod's
 * prefix (`kvm2` for pod03-kvm2), so a variable such as `migration_dest: kvm2` names the pod's own.
 */
export interface HostScope {
  /** The pod, or undefined for a host in no pod (it sees the whole inventory). */
  pod: string | undefined;
  /** Whether `host` is visible from this scope. */
  sees(host: string): boolean;
  /** The inventory name `name` stands for here (a pod-local name resolved), or undefined if none. */
  resolve(name: string): string | undefined;
  /** Group name -> its visible members. */
  groups: Record<string, string[]>;
}

/** A pod host's name inside its pod: the inventory name without the `<pod>-` prefix. */
export function podLocalName(host: string, pod: string): string {
  return host.startsWith(`${pod}-`) ? host.slice(pod.length + 1) : host;
}

/** One scope per pod and one for hosts in no pod, built once per inventory. */
export function hostScopes(inventory: Inventory): (host: string) => HostScope {
  const whole = wholeScope(inventory);
  if (inventory.pods.size === 0) return () => whole;
  const scopes = new Map([...inventory.pods.keys()].map((pod) => [pod, podScope(inventory, pod)]));
  return (host) => {
    const pod = inventory.hosts.get(host)?.pod;
    return (pod === undefined ? undefined : scopes.get(pod)) ?? whole;
  };
}

function wholeScope(inventory: Inventory): HostScope {
  return {
    pod: undefined,
    sees: (host) => inventory.hosts.has(host),
    resolve: (name) => (inventory.hosts.has(name) ? name : undefined),
    groups: Object.fromEntries(inventory.groups),
  };
}

function podScope(inventory: Inventory, pod: string): HostScope {
  const members = new Set(inventory.pods.get(pod));
  const sees = (host: string): boolean => members.has(host) || (inventory.hosts.has(host) && inventory.hosts.get(host)?.pod === undefined);
  const localNames = new Map([...members].map((host) => [podLocalName(host, pod), host]));
  return {
    pod,
    sees,
    resolve: (name) => (sees(name) ? name : localNames.get(name)),
    groups: Object.fromEntries([...inventory.groups].map(([group, hosts]) => [group, hosts.filter(sees)])),
  };
}
