import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunbookError } from '../errors.js';
import { createHostCgroups } from './cgroups.js';
import { runLocal, startDetached } from './exec.js';
import { hostNamespace, namespacePath } from './network.js';
import { APT_CONFIG_FILE, aptConfig } from './image.js';
import { hostDirs, sharedStorage, type SandboxPaths } from './paths.js';
import { isAlive } from './processes.js';
import { hostNetwork, labNames, NFS_EXPORT_PATH, SHARED_STORAGE_PATH, type SandboxHost } from './profile.js';

/** One sandbox host: an overlay over the image, booted by systemd-nspawn in its own network namespace. */

const HOST_KEY_TYPES = ['rsa', 'ecdsa', 'ed25519'];

export interface SandboxKeys {
  privateKey: string;
  publicKey: string;
}

export async function mountHostRoot(paths: SandboxPaths, host: SandboxHost, lowerDir: string): Promise<string> {
  const dirs = hostDirs(paths, host.name);
  for (const dir of [dirs.upper, dirs.work, dirs.merged]) mkdirSync(dir, { recursive: true });
  await runLocal('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lowerDir},upperdir=${dirs.upper},workdir=${dirs.work}`, dirs.merged]);
  return dirs.merged;
}

/** Files that differ per host, written into its overlay before it boots. */
export function writeHostFiles(root: string, host: SandboxHost, peers: readonly SandboxHost[], keys: SandboxKeys): void {
  const write = (path: string, content: string, mode = 0o644) => {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { mode });
    chmodSync(target, mode);
  };
  write('etc/hostname', `${host.name}\n`);
  write('etc/hosts', hostsFile(peers));
  write(APT_CONFIG_FILE.slice(1), aptConfig(hostNetwork(host).gateway));
  // One key pair for the runner and every host, so hosts reach each other as root (qemu+ssh://).
  write('root/.ssh/authorized_keys', keys.publicKey, 0o600);
  write('root/.ssh/id_ed25519', keys.privateKey, 0o600);
  write('root/.ssh/id_ed25519.pub', keys.publicKey);
  chmodSync(join(root, 'root/.ssh'), 0o700);
  // libvirt needs a distinct host UUID per host and there is no SMBIOS to read one from.
  write('etc/libvirt/libvirtd.conf', `# runbook sandbox: a distinct UUID for this host\nhost_uuid = "${randomUUID()}"\n`);
}

/** The hosts of a lab network by every name they answer to on it (in a pod, also kvm1 for pod03-kvm1). */
export function hostsFile(peers: readonly SandboxHost[]): string {
  return [
    '127.0.0.1 localhost',
    '::1 localhost ip6-localhost ip6-loopback',
    ...peers.map((host) => [host.labAddress, ...labNames(host)].join(' ')),
    '',
  ].join('\n');
}

/** Boots the host; systemd-nspawn runs detached in its own session so it outlives `up`. Returns its pid. */
export function startHost(paths: SandboxPaths, host: SandboxHost, root: string): number {
  // Its own lab network's storage: pods never share storage.
  const storage = sharedStorage(paths, hostNetwork(host)).dir;
  const args = [
    '--quiet',
    `--directory=${root}`,
    `--machine=${host.name}`,
    // Without systemd as the runner's PID 1 there is no machined to register with.
    '--register=no',
    '--keep-unit',
    '--boot',
    '--console=read-only',
    '--resolv-conf=off',
    '--link-journal=no',
    `--network-namespace-path=${namespacePath(hostNamespace(host.name))}`,
    `--bind=${storage}:${SHARED_STORAGE_PATH}`,
    // nspawn drops CAP_NET_ADMIN with --network-namespace-path; the host's own namespace is where it
    // acts (nftables for firewalld, bridges for libvirt), never the runner's.
    '--capability=CAP_NET_ADMIN',
  ];
  if (host.nfsServer) {
    // nfs-ganesha (FSAL VFS) needs handles, and a real filesystem to export: the shared ext4 directory.
    args.push(`--bind=${storage}:${NFS_EXPORT_PATH}`, '--system-call-filter=open_by_handle_at', '--capability=CAP_DAC_READ_SEARCH');
  }
  if (existsSync('/dev/kvm')) args.push('--bind=/dev/kvm');
  // sh moves itself into the host's own cgroups, then becomes nspawn (see cgroups.ts). The script is
  // constant; the cgroup files and nspawn's command line are its arguments.
  const enterCgroups = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 1; shift; done; shift; exec "$@"';
  return startDetached('sh', ['-c', enterCgroups, 'sh', ...createHostCgroups(host.name), '--', 'systemd-nspawn', ...args], consoleLog(paths, host.name));
}

export function consoleLog(paths: SandboxPaths, name: string): string {
  return join(paths.logsDir, `${name}.console.log`);
}

/** The public host keys sshd generated on first boot, read from the host's own filesystem; undefined until all exist. */
export function hostKeys(root: string): string[] | undefined {
  const keys = HOST_KEY_TYPES.map((type) => readComplete(join(root, `etc/ssh/ssh_host_${type}_key.pub`)));
  return keys.every((key): key is string => key !== undefined) ? keys : undefined;
}

export async function waitForHostKeys(root: string, nspawnPid: number, paths: SandboxPaths, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (hostKeys(root) === undefined) {
    if (!isAlive(nspawnPid)) throw hostFailure(paths, name, 'stopped while booting');
    if (Date.now() > deadline) throw hostFailure(paths, name, `has no ssh host keys after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

export function hostFailure(paths: SandboxPaths, name: string, what: string): RunbookError {
  let tail = '';
  try {
    const output = readFileSync(consoleLog(paths, name), 'utf8').replace(/\x1b\[[0-9;]*m/g, '');
    tail = output.trimEnd().split('\n').slice(-15).join('\n');
  } catch {
    // no console output yet
  }
  return new RunbookError('RB_SANDBOX', `sandbox host ${name} ${what}${tail ? `; its console said:\n${tail}` : ''}`);
}

function readComplete(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text.endsWith('\n') ? text.trim() : undefined;
  } catch {
    return undefined;
  }
}
