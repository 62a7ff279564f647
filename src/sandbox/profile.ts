import { RunbookError } from '../errors.js';

/**
 * Which hosts a sandbox has: the lab's three (nfs, kvm1, kvm2), a classroom of such labs (one pod
 * per student), or host1..hostN.
 */
export type SandboxProfile = { kind: 'lab'; pods?: number } | { kind: 'generic'; hosts: number };

/**
 * A lab network: a bridge of its own in the lab namespace and a shared storage of its own. The
 * plain lab and generic hosts share one; in a classroom every pod has its own.
 */
export interface LabNetwork {
  /** `lab`, or the pod's name (pod03): names its bridge and its shared storage. */
  name: string;
  cidr: string;
  /** The runner's side of the network: where its hosts reach the apt proxy. */
  gateway: string;
}

export interface SandboxHost {
  name: string;
  /** Address on the host's lab network, resolvable by name from every host on it. */
  labAddress: string;
  /** Loopback address on the runner whose port 22 is forwarded to this host's sshd. */
  loopbackAddress: string;
  /** Inventory groups the host belongs to. */
  groups: string[];
  /** Serves the shared storage over NFS (nfs-ganesha): gets the export bind and the boot options ganesha needs. */
  nfsServer: boolean;
  /** In a classroom: the host's pod (its lab network) and its name inside the pod (kvm1 for pod03-kvm1). */
  pod?: { network: LabNetwork; nameInPod: string };
}

export const LAB_NETWORK = '10.77.0.0/24';
export const LAB_PREFIX_LENGTH = 24;
/** The runner's side of the lab bridge: where hosts reach the apt proxy. */
export const LAB_GATEWAY = '10.77.0.1';
export const PLAIN_LAB: LabNetwork = { name: 'lab', cidr: LAB_NETWORK, gateway: LAB_GATEWAY };
export const APT_PROXY_PORT = 3142;
/** Where the lab's NFS server exports the shared storage (and where libvirt keeps images). */
export const NFS_EXPORT_PATH = '/var/lib/libvirt/images';
/** Where every host sees the shared storage, for the sandbox's mount.nfs helper to bind. */
export const SHARED_STORAGE_PATH = '/var/lib/runbook-sandbox/shared';
export const MAX_GENERIC_HOSTS = 20;
/**
 * Hosts boot all at once and each must have its ssh host keys within BOOT_TIMEOUT_MS (90 s). Booting
 * is CPU-bound (systemd, and generating an RSA key takes about 0.5 s): on a 2-core machine 30 pods
 * (90 hosts) came up in 55 s, 40 pods in 87 s, too close to the timeout. Memory is not the limit:
 * an idle pod takes about 35 MiB.
 */
export const MAX_PODS = 30;

// The last octet mirrors the classic lab (kvm1 .113, kvm2 .114, nfs .115).
const LAB_HOSTS: ReadonlyArray<{ name: string; octet: number; group: string; nfsServer: boolean }> = [
  { name: 'nfs', octet: 15, group: 'nfs_server', nfsServer: true },
  { name: 'kvm1', octet: 13, group: 'kvm_hosts', nfsServer: false },
  { name: 'kvm2', octet: 14, group: 'kvm_hosts', nfsServer: false },
];

/** Generic hosts sit in one inventory group of this name. */
const GENERIC_GROUP = 'nodes';

export function profileHosts(profile: SandboxProfile): SandboxHost[] {
  if (profile.kind === 'lab' && profile.pods !== undefined) return classroomHosts(profile.pods);
  if (profile.kind === 'lab') {
    return LAB_HOSTS.map(({ name, octet, group, nfsServer }) => host(name, octet, [group], nfsServer));
  }
  if (!Number.isInteger(profile.hosts) || profile.hosts < 1 || profile.hosts > MAX_GENERIC_HOSTS) {
    throw new RunbookError('RB_USAGE', `a sandbox has 1 to ${MAX_GENERIC_HOSTS} hosts, not ${profile.hosts}`);
  }
  return Array.from({ length: profile.hosts }, (_, index) => host(`host${index + 1}`, 21 + index, [GENERIC_GROUP], false));
}

export function describeProfile(profile: SandboxProfile): string {
  if (profile.kind === 'lab') return profile.pods === undefined ? 'lab profile' : `lab profile, ${profile.pods} pod${profile.pods === 1 ? '' : 's'}`;
  return `${profile.hosts} generic host${profile.hosts === 1 ? '' : 's'}`;
}

/** The lab network a host is on: its pod's, or the plain lab's. */
export function hostNetwork(host: SandboxHost): LabNetwork {
  return host.pod?.network ?? PLAIN_LAB;
}

/** The lab networks of these hosts, each once, in host order. */
export function labNetworks(hosts: readonly SandboxHost[]): LabNetwork[] {
  return [...new Map(hosts.map((host) => [hostNetwork(host).name, hostNetwork(host)])).values()];
}

/** The hosts on the same lab network as `host` (itself included): all it can reach and resolve. */
export function networkPeers(host: SandboxHost, hosts: readonly SandboxHost[]): SandboxHost[] {
  return hosts.filter((other) => hostNetwork(other).name === hostNetwork(host).name);
}

/** The names a host answers to on its lab network: its own, and in a pod also its name inside the pod. */
export function labNames(host: SandboxHost): string[] {
  return host.pod ? [host.name, host.pod.nameInPod] : [host.name];
}

/** A classroom's pods in order, each with its hosts; empty when the hosts are not a classroom. */
export function sandboxPods(hosts: readonly SandboxHost[]): Array<{ network: LabNetwork; hosts: SandboxHost[] }> {
  return labNetworks(hosts.filter((candidate) => candidate.pod)).map((network) => ({
    network,
    hosts: hosts.filter((candidate) => candidate.pod?.network.name === network.name),
  }));
}

/** Pod P is podPP on 10.77.P.0/24, its hosts reached from the runner on 127.2.P.octet. */
function classroomHosts(pods: number): SandboxHost[] {
  if (!Number.isInteger(pods) || pods < 1 || pods > MAX_PODS) {
    throw new RunbookError('RB_USAGE', `a classroom has 1 to ${MAX_PODS} pods, not ${pods}`);
  }
  return Array.from({ length: pods }, (_, index) => index + 1).flatMap((number) => {
    const network = { name: `pod${String(number).padStart(2, '0')}`, cidr: `10.77.${number}.0/24`, gateway: `10.77.${number}.1` };
    return LAB_HOSTS.map(({ name, octet, group, nfsServer }) => ({
      name: `${network.name}-${name}`,
      labAddress: `10.77.${number}.${octet}`,
      loopbackAddress: `127.2.${number}.${octet}`,
      groups: [group],
      nfsServer,
      pod: { network, nameInPod: name },
    }));
  });
}

function host(name: string, octet: number, groups: string[], nfsServer: boolean): SandboxHost {
  return { name, labAddress: `10.77.0.${octet}`, loopbackAddress: `127.0.2.${octet}`, groups, nfsServer };
}
