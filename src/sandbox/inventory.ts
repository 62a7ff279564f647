import { stringify } from 'yaml';
import { LAB_NETWORK, sandboxPods, type SandboxHost } from './profile.js';

/** The inventory and known_hosts that `up` writes for the runner. */

export interface InventoryFiles {
  knownHostsFile: string;
  privateKeyFile: string;
}

/** In a classroom inventory, the group whose direct children are the pods. */
export const PODS_GROUP = 'runbook_pods';

type HostVars = Record<string, string | number>;

/**
 * Ansible YAML inventory: groups under all.children, connection settings per host, lab facts in
 * all.vars. A classroom's hosts are listed with their variables under their pod (a child of
 * runbook_pods, with its own lab_network); the role groups (nfs_server, kvm_hosts) only name them.
 */
export function renderInventory(hosts: readonly SandboxHost[], files: InventoryFiles): string {
  const pods = sandboxPods(hosts);
  const all =
    pods.length === 0
      ? {
          vars: { runbook_known_hosts_file: files.knownHostsFile, lab_network: LAB_NETWORK, nfs_backend: 'ganesha', sandbox: true },
          children: roleGroups(hosts, (host) => connection(host, files)),
        }
      : {
          vars: { runbook_known_hosts_file: files.knownHostsFile, nfs_backend: 'ganesha', sandbox: true },
          children: {
            [PODS_GROUP]: {
              children: Object.fromEntries(
                pods.map(({ network, hosts: members }) => [
                  network.name,
                  { vars: { lab_network: network.cidr }, hosts: Object.fromEntries(members.map((host) => [host.name, connection(host, files)])) },
                ]),
              ),
            },
            ...roleGroups(hosts, () => null),
          },
        };
  return `# Written by \`runbook sandbox up\`; rewritten on every up (host keys change on every boot).\n${stringify({ all })}`;
}

/** Each host under every group it belongs to, with what `entry` gives it there. */
function roleGroups<T>(hosts: readonly SandboxHost[], entry: (host: SandboxHost) => T): Record<string, { hosts: Record<string, T> }> {
  const groups: Record<string, { hosts: Record<string, T> }> = {};
  for (const host of hosts) {
    for (const group of host.groups) {
      groups[group] ??= { hosts: {} };
      groups[group].hosts[host.name] = entry(host);
    }
  }
  return groups;
}

function connection(host: SandboxHost, files: InventoryFiles): HostVars {
  return {
    ansible_host: host.loopbackAddress,
    ansible_port: 22,
    ansible_user: 'root',
    ansible_ssh_private_key_file: files.privateKeyFile,
    lab_address: host.labAddress,
  };
}

/**
 * known_hosts lines for `names`, one per host key. `publicKeys` are the host's own
 * /etc/ssh/ssh_host_*_key.pub lines ("type base64 comment").
 */
export function knownHostsLines(names: readonly string[], publicKeys: readonly string[]): string[] {
  return publicKeys.map((key) => {
    const [type, blob] = key.split(/\s+/);
    return `${names.join(',')} ${type} ${blob}`;
  });
}
