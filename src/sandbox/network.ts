import { runLocal } from './exec.js';
import { LAB_GATEWAY, LAB_PREFIX_LENGTH, type SandboxHost } from './profile.js';

/**
 * The lab network: one namespace holding a bridge (the lab switch, with the runner's side at
 * LAB_GATEWAY), and one namespace per host joined to it by a veth pair. Nothing of it is visible in
 * the runner's own network namespace; the runner reaches hosts only through the loopback forwarders.
 */

const PREFIX = 'rbsbx-';
export const LAB_NAMESPACE = `${PREFIX}lab`;
const BRIDGE = 'br-lab';

export function hostNamespace(name: string): string {
  return `${PREFIX}${name}`;
}

export function namespacePath(namespace: string): string {
  return `/run/netns/${namespace}`;
}

const ip = (...args: string[]) => runLocal('ip', args);

export async function createLabNetwork(): Promise<void> {
  await ip('netns', 'add', LAB_NAMESPACE);
  await ip('-n', LAB_NAMESPACE, 'link', 'set', 'lo', 'up');
  await ip('-n', LAB_NAMESPACE, 'link', 'add', BRIDGE, 'type', 'bridge');
  await ip('-n', LAB_NAMESPACE, 'address', 'add', `${LAB_GATEWAY}/${LAB_PREFIX_LENGTH}`, 'dev', BRIDGE);
  await ip('-n', LAB_NAMESPACE, 'link', 'set', BRIDGE, 'up');
}

export async function connectHost(host: SandboxHost): Promise<void> {
  const namespace = hostNamespace(host.name);
  const labSide = `v-${host.name}`;
  await ip('netns', 'add', namespace);
  await ip('-n', LAB_NAMESPACE, 'link', 'add', labSide, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace);
  await ip('-n', LAB_NAMESPACE, 'link', 'set', labSide, 'master', BRIDGE, 'up');
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

/** Deletes every sandbox namespace; the veth pairs and the bridge go with them. */
export async function deleteLabNetwork(): Promise<void> {
  for (const namespace of await sandboxNamespaces()) await ip('netns', 'delete', namespace);
}
