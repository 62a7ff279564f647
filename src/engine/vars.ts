import type { HostFacts } from '../facts/host.js';
import type { Inventory } from '../load/model.js';

/** Ansible-style names for the host facts, so playbooks written for Ansible read them unchanged. */
export function ansibleFacts(facts: HostFacts): Record<string, unknown> {
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

/** Variables of every host, as `hostvars[name]` sees them; reads through to the current values. */
export function hostvarsView(inventory: Inventory, runtime: (host: string) => Record<string, unknown>): Record<string, unknown> {
  return new Proxy(
    {},
    {
      get(_target, key) {
        if (typeof key !== 'string' || !inventory.hosts.has(key)) return undefined;
        return runtime(key);
      },
      has(_target, key) {
        return typeof key === 'string' && inventory.hosts.has(key);
      },
      ownKeys() {
        return [...inventory.hosts.keys()];
      },
      getOwnPropertyDescriptor(_target, key) {
        return typeof key === 'string' && inventory.hosts.has(key)
          ? { enumerable: true, configurable: true, value: runtime(key) }
          : undefined;
      },
    },
  );
}

export function groupsView(inventory: Inventory): Record<string, string[]> {
  return Object.fromEntries(inventory.groups);
}
