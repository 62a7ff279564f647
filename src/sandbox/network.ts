import { runLocal } from './exec.js';
import { hostNetwork, LAB_PREFIX_LENGTH, type LabNetwork, type SandboxHost } from './profile.js';

/**
 * The lab networks: one namespace holding a bridge per lab network (the lab switch, with the
 * runner's side at the network's gateway), and one namespace per host joined to its network's bridge
 * by a veth pair. Nothing of it is visible in the runner's own network namespace; the runner reaches
 * hosts only through the loopback forwarders.
 *
 * A classroom's pods each get a bridge of their own rather than sharing one: hosts are root and may
 * add any address to their eth0, which on a shared bridge would put them on another pod's /24. The
 * lab namespace, holding every bridge, does not route between them (ip_forward is off there).
 */

const PREFIX = 'rbsbx-';
export const LAB_NAMESPACE = `${PREFIX}lab`;
/** Linux interface names hold at most 15 bytes (IFNAMSIZ 16 with the terminating NUL). */
export const MAX_INTERFACE_NAME_LENGTH = 15;

export function hostNamespace(name: string): string {
  return `${PREFIX}${name}`;
}

export function namespacePath(namespace: string): string {
  return `/run/netns/${namespace}`;
}

export function bridgeName(network: LabNetwork): string {
  return `br-${network.name}`;
}

/** The lab namespace's end of the host's veth pair (the host's end is its eth0). */
export function vethName(host: SandboxHost): string {
  return `v-${host.name}`;
}

const ip = (...args: string[]) => runLocal('ip', args);

export async function createLabNetwork(networks: readonly LabNetwork[]): Promise<void> {
  await ip('netns', 'add', LAB_NAMESPACE);
  // A new namespace starts with a copy of the runner's IPv4 settings, ip_forward=1 included where the runner routes.
  await ip('netns', 'exec', LAB_NAMESPACE, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=0');
  await ip('-n', LAB_NAMESPACE, 'link', 'set', 'lo', 'up');
  for (const network of networks) {
    const bridge = bridgeName(network);
    await ip('-n', LAB_NAMESPACE, 'link', 'add', bridge, 'type', 'bridge');
    await ip('-n', LAB_NAMESPACE, 'address', 'add', `${network.gateway}/${LAB_PREFIX_LENGTH}`, 'dev', bridge);
    await ip('-n', LAB_NAMESPACE, 'link', 'set', bridge, 'up');
  }
}

export async function connectHost(host: SandboxHost): Promise<void> {
  const namespace = hostNamespace(host.name);
  const labSide = vethName(host);
  await ip('netns', 'add', namespace);
  await ip('-n', LAB_NAMESPACE, 'link', 'add', labSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
  await ip('-n', LAB_NAMESPACE, 'link', 'set', labSide, 'master', bridgeName(hostNetwork(host)), 'up');
  await ip('-n', namespace, 'link', 'set', 'lo', 'up');
  await ip('-n', namespace, 'address', 'add', `${host.labAddress}/${LAB_PREFIX_LENGTH}`, 'dev', 'eth0');
  await ip('-n', namespace, 'link', 'set', 'eth0', 'up');
}

/** Names of the sandbox's network namespaces that exist now (after a crash, possibly stale ones). */
export async function sandboxNamespaces(): Promise<string[]> {
  const { stdout } = await runLocal('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(PREFIX));
}

/** Deletes every sandbox namespace; the veth pairs and the bridges go with them. */
export async function deleteLabNetwork(): Promise<void> {
  for (const namespace of await sandboxNamespaces()) await ip('netns', 'delete', namespace);
}
