import type { HostFacts } from '../facts/host.js';
import type { HostScope } from '../load/pods.js';

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

/**
 * Variables of every host the scope sees, as `hostvars[name]` shows them (a pod-local name resolves
 * to its pod's host); reads through to the current values.
 */
export function hostvarsView(scope: HostScope, runtime: (host: string) => Record<string, unknown>): Record<string, unknown> {
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
