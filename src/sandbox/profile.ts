import { RunbookError } from '../errors.js';

/** Which hosts a sandbox has: the lab's three (nfs, kvm1, kvm2) or host1..hostN. */
export type SandboxProfile = { kind: 'lab' } | { kind: 'generic'; hosts: number };

export interface SandboxHost {
  name: string;
  /** Address on the lab bridge, resolvable by name from every host. */
  labAddress: string;
  /** Loopback address on the runner whose port 22 is forwarded to this host's sshd. */
  loopbackAddress: string;
  /** Inventory groups the host belongs to. */
  groups: string[];
  /** Serves the shared storage over NFS (nfs-ganesha): gets the export bind and the boot options ganesha needs. */
  nfsServer: boolean;
}

export const LAB_NETWORK = '10.77.0.0/24';
export const LAB_PREFIX_LENGTH = 24;
/** The runner's side of the lab bridge: where hosts reach the apt proxy. */
export const LAB_GATEWAY = '10.77.0.1';
export const APT_PROXY_PORT = 3142;
/** Where the lab's NFS server exports the shared storage (and where libvirt keeps images). */
export const NFS_EXPORT_PATH = '/var/lib/libvirt/images';
/** Where every host sees the shared storage, for the sandbox's mount.nfs helper to bind. */
export const SHARED_STORAGE_PATH = '/var/lib/runbook-sandbox/shared';
export const MAX_GENERIC_HOSTS = 20;

// The last octet mirrors the classic lab (kvm1 .113, kvm2 .114, nfs .115).
const LAB_HOSTS: ReadonlyArray<{ name: string; octet: number; group: string; nfsServer: boolean }> = [
  { name: 'nfs', octet: 15, group: 'nfs_server', nfsServer: true },
  { name: 'kvm1', octet: 13, group: 'kvm_hosts', nfsServer: false },
  { name: 'kvm2', octet: 14, group: 'kvm_hosts', nfsServer: false },
];

/** Generic hosts sit in one inventory group of this name. */
const GENERIC_GROUP = 'nodes';

export function profileHosts(profile: SandboxProfile): SandboxHost[] {
  if (profile.kind === 'lab') {
    return LAB_HOSTS.map(({ name, octet, group, nfsServer }) => host(name, octet, [group], nfsServer));
  }
  if (!Number.isInteger(profile.hosts) || profile.hosts < 1 || profile.hosts > MAX_GENERIC_HOSTS) {
    throw new RunbookError('RB_USAGE', `a sandbox has 1 to ${MAX_GENERIC_HOSTS} hosts, not ${profile.hosts}`);
  }
  return Array.from({ length: profile.hosts }, (_, index) => host(`host${index + 1}`, 21 + index, [GENERIC_GROUP], false));
}

export function describeProfile(profile: SandboxProfile): string {
  return profile.kind === 'lab' ? 'lab profile' : `${profile.hosts} generic host${profile.hosts === 1 ? '' : 's'}`;
}

function host(name: string, octet: number, groups: string[], nfsServer: boolean): SandboxHost {
  return { name, labAddress: `10.77.0.${octet}`, loopbackAddress: `127.0.2.${octet}`, groups, nfsServer };
}
