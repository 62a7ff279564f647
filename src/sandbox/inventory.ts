import { stringify } from 'yaml';
import { LAB_NETWORK, type SandboxHost } from './profile.js';

/** The inventory and known_hosts that `up` writes for the runner. */

export interface InventoryFiles {
  knownHostsFile: string;
  privateKeyFile: string;
}

/** Ansible YAML inventory: groups under all.children, connection settings per host, lab facts in all.vars. */
export function renderInventory(hosts: readonly SandboxHost[], files: InventoryFiles): string {
  const children: Record<string, { hosts: Record<string, Record<string, string | number>> }> = {};
  for (const host of hosts) {
    for (const group of host.groups) {
      children[group] ??= { hosts: {} };
      children[group].hosts[host.name] = {
        ansible_host: host.loopbackAddress,
        ansible_port: 22,
        ansible_user: 'root',
        ansible_ssh_private_key_file: files.privateKeyFile,
        lab_address: host.labAddress,
      };
    }
  }
  const inventory = {
    all: {
      vars: {
        runbook_known_hosts_file: files.knownHostsFile,
        lab_network: LAB_NETWORK,
        nfs_backend: 'ganesha',
        sandbox: true,
      },
      children,
    },
  };
  return `# Written by \`runbook sandbox up\`; rewritten on every up (host keys change on every boot).\n${stringify(inventory)}`;
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
