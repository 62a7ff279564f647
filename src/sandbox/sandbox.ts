import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import { runLocal } from './exec.js';
import { startAptProxy, startSshForwarders, waitForSsh } from './forwarders.js';
import { hostFailure, mountHostRoot, startHost, waitForHostKeys, writeHostFiles, type SandboxKeys } from './host.js';
import { ensureImage } from './image.js';
import { knownHostsLines, renderInventory } from './inventory.js';
import { removeTree } from './mounts.js';
import { connectHost, createLabNetwork, deleteLabNetwork, sandboxNamespaces } from './network.js';
import { sandboxPaths, type SandboxPaths } from './paths.js';
import { assertPrerequisites } from './prereqs.js';
import { containerLeader, isAlive, sandboxProcesses, signal, waitForExit } from './processes.js';
import { profileHosts, type SandboxHost, type SandboxProfile } from './profile.js';
import { acquireLease, readState, withLease, writeState, type SandboxLease, type SandboxState } from './state.js';

/** `runbook sandbox up|down|status|inventory`: real lab hosts on this machine. */

export interface SandboxOptions {
  /** Progress lines for people (image build, cleanup). */
  progress?: (message: string) => void;
  /** Token of a lease held by a test run, so its workers may bring the sandbox down and up again. */
  leaseToken?: string;
  paths?: SandboxPaths;
}

export interface UpResult {
  inventoryFile: string;
  knownHostsFile: string;
  hosts: SandboxHost[];
  durationMs: number;
}

export interface DownResult {
  /** True when anything of a sandbox was found and removed. */
  removed: boolean;
  durationMs: number;
}

const BOOT_TIMEOUT_MS = 90_000;
/** Sparse: only what hosts write takes space. */
const SHARED_STORAGE_SIZE = '8G';
/** How long an orderly poweroff may take before the container's PID 1 is killed. */
const POWEROFF_GRACE_MS = 5_000;
// systemd powers off on SIGRTMIN+4; glibc's SIGRTMIN is 34.
const SIGRTMIN_PLUS_4 = 38;

export async function sandboxUp(profile: SandboxProfile, options: SandboxOptions = {}): Promise<UpResult> {
  const started = Date.now();
  const paths = options.paths ?? sandboxPaths();
  const progress = options.progress ?? (() => {});
  const hosts = profileHosts(profile);
  assertPrerequisites();
  return withLease(paths, 'runbook sandbox up', options.leaseToken, async () => {
    if ((await teardown(paths, progress)).removed) progress('removed the previous sandbox');
    try {
      const image = await ensureImage(paths, progress);
      for (const dir of [paths.stateDir, paths.sharedDir, paths.hostsDir, paths.socketsDir, paths.logsDir]) mkdirSync(dir, { recursive: true });
      const keys = await generateKeys(paths);
      await createSharedStorage(paths);
      progress(`starting ${hosts.map((host) => host.name).join(', ')}`);
      await createLabNetwork();
      for (const host of hosts) await connectHost(host);
      const [, ...booted] = await allOrFirstFailure([
        startAptProxy(paths),
        ...hosts.map(async (host) => {
          const root = await mountHostRoot(paths, host, image.rootfs);
          writeHostFiles(root, host, hosts, keys);
          const nspawnPid = startHost(paths, host, root);
          const forwarderPids = startSshForwarders(paths, host);
          const hostKeys = await waitForHostKeys(root, nspawnPid, paths, host.name, BOOT_TIMEOUT_MS);
          return { host, root, nspawnPid, forwarderPids, hostKeys };
        }),
      ]);
      // Every host knows every host's real key, by name and lab address, so host-to-host ssh
      // (virsh migrate over qemu+ssh://) runs with host key checking on.
      const labKnownHosts = booted.flatMap(({ host, hostKeys }) => knownHostsLines([host.name, host.labAddress], hostKeys));
      for (const { root } of booted) writeFileSync(join(root, 'root/.ssh/known_hosts'), `${labKnownHosts.join('\n')}\n`, { mode: 0o644 });
      const runnerKnownHosts = booted.flatMap(({ host, hostKeys }) => knownHostsLines([host.loopbackAddress], hostKeys));
      writeFileSync(paths.knownHostsFile, `${runnerKnownHosts.join('\n')}\n`);
      await allOrFirstFailure(
        booted.map(({ host, nspawnPid, forwarderPids }) =>
          waitForSsh(host, [nspawnPid, ...forwarderPids], BOOT_TIMEOUT_MS, () => sshFailure(paths, host)),
        ),
      );
      writeFileSync(paths.inventoryFile, renderInventory(hosts, { knownHostsFile: paths.knownHostsFile, privateKeyFile: paths.privateKeyFile }));
      writeState(paths, { profile, imageStamp: image.stamp, startedAt: new Date(started).toISOString(), hosts });
    } catch (error) {
      progress('start failed; removing what was started');
      await teardown(paths, () => {});
      throw error;
    }
    return { inventoryFile: paths.inventoryFile, knownHostsFile: paths.knownHostsFile, hosts, durationMs: Date.now() - started };
  });
}

export async function sandboxDown(options: SandboxOptions = {}): Promise<DownResult> {
  const started = Date.now();
  const paths = options.paths ?? sandboxPaths();
  return withLease(paths, 'runbook sandbox down', options.leaseToken, async () => {
    const { removed } = await teardown(paths, options.progress ?? (() => {}));
    return { removed, durationMs: Date.now() - started };
  });
}

export type HostState = 'running' | 'degraded' | 'starting' | 'stopping' | 'stopped' | 'unknown';

export interface SandboxStatus {
  up: boolean;
  state?: SandboxState;
  inventoryFile?: string;
  hosts: Array<SandboxHost & { state: HostState; detail?: string }>;
}

export async function sandboxStatus(options: SandboxOptions = {}): Promise<SandboxStatus> {
  const paths = options.paths ?? sandboxPaths();
  const state = readState(paths);
  if (!state) return { up: false, hosts: [] };
  const running = sandboxProcesses(paths.stateDir).filter((info) => info.kind === 'host');
  const hosts = await Promise.all(
    state.hosts.map(async (host) => {
      const nspawn = running.find((info) => info.argv.includes(`--machine=${host.name}`));
      const leader = nspawn && containerLeader(nspawn.pid);
      if (leader === undefined) return { ...host, state: 'stopped' as const };
      return { ...host, ...(await systemState(leader)) };
    }),
  );
  return { up: hosts.every((host) => host.state !== 'stopped'), state, inventoryFile: paths.inventoryFile, hosts };
}

/**
 * Holds the sandbox for a longer job (a test run): until released, `up` and `down` from anywhere
 * else fail with the holder's name, except those presenting this lease's token.
 */
export function acquireSandboxLease(purpose: string, options: SandboxOptions = {}): SandboxLease {
  return acquireLease(options.paths ?? sandboxPaths(), purpose);
}

/** The inventory of the running sandbox; throws when no sandbox is up. */
export function sandboxInventoryFile(options: SandboxOptions = {}): string {
  const paths = options.paths ?? sandboxPaths();
  if (!readState(paths) || !existsSync(paths.inventoryFile)) {
    throw new RunbookError('RB_SANDBOX', 'no sandbox is up', { hint: 'start one with `runbook sandbox up`' });
  }
  return paths.inventoryFile;
}

/**
 * Stops and removes everything a sandbox in this state directory started, whether `up` finished,
 * was interrupted or crashed: hosts (orderly poweroff, then SIGKILL of the container's PID 1, never of
 * nspawn itself first), forwarders and proxy, overlay mounts, network namespaces, state files.
 */
async function teardown(paths: SandboxPaths, progress: (message: string) => void): Promise<{ removed: boolean }> {
  const processes = sandboxProcesses(paths.stateDir);
  const namespaces = await sandboxNamespaces();
  const removed = processes.length > 0 || namespaces.length > 0 || existsSync(paths.stateDir);
  const nspawns = processes.filter((info) => info.kind === 'host').map((info) => info.pid);
  if (nspawns.length > 0) {
    progress(`stopping ${nspawns.length} host${nspawns.length === 1 ? '' : 's'}`);
    await stopHosts(nspawns);
  }
  const others = processes.filter((info) => info.kind !== 'host').map((info) => info.pid);
  for (const pid of others) signal(pid, 'SIGTERM');
  for (const pid of await waitForExit(others, 2_000)) signal(pid, 'SIGKILL');
  await waitForExit(others, 2_000);
  await deleteLabNetwork();
  await removeTree(paths.stateDir);
  return { removed };
}

async function stopHosts(nspawnPids: readonly number[]): Promise<void> {
  const leaders = new Map(nspawnPids.map((pid) => [pid, containerLeader(pid)]));
  for (const leader of leaders.values()) if (leader !== undefined) signal(leader, SIGRTMIN_PLUS_4);
  const hanging = await waitForExit(nspawnPids, POWEROFF_GRACE_MS);
  // Killing the container's PID 1 ends its whole PID namespace; nspawn then exits by itself.
  for (const pid of hanging) {
    const leader = containerLeader(pid) ?? leaders.get(pid);
    if (leader !== undefined) signal(leader, 'SIGKILL');
  }
  const stuck = await waitForExit(hanging, 5_000);
  // Only a nspawn whose container is already gone (or never started) is killed itself.
  for (const pid of stuck) if (containerLeader(pid) === undefined) signal(pid, 'SIGKILL');
  const left = await waitForExit(stuck, 2_000);
  if (left.length > 0) throw new RunbookError('RB_SANDBOX', `systemd-nspawn ${left.join(', ')} did not stop`);
}

/** Like Promise.all, but waits for every promise to settle before failing, so cleanup never races work still running. */
async function allOrFirstFailure<T extends readonly unknown[]>(promises: readonly [...{ [K in keyof T]: Promise<T[K]> }]): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/**
 * The shared storage gets a filesystem of its own rather than a directory of the runner's: hosts are
 * root, and a `mount -o remount,ro` of a bind mount inside a host would otherwise reach the runner's
 * root filesystem. ext4 (not overlayfs, not tmpfs) because nfs-ganesha exports it by file handle.
 */
async function createSharedStorage(paths: SandboxPaths): Promise<void> {
  await runLocal('truncate', ['--size', SHARED_STORAGE_SIZE, paths.sharedImage]);
  await runLocal('mkfs.ext4', ['-q', '-F', '-m', '0', '-L', 'runbook-shared', paths.sharedImage]);
  await runLocal('mount', ['-o', 'loop', paths.sharedImage, paths.sharedDir]);
}

async function generateKeys(paths: SandboxPaths): Promise<SandboxKeys> {
  await runLocal('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'runbook-sandbox', '-f', paths.privateKeyFile]);
  return { privateKey: readFileSync(paths.privateKeyFile, 'utf8'), publicKey: readFileSync(`${paths.privateKeyFile}.pub`, 'utf8') };
}

function sshFailure(paths: SandboxPaths, host: SandboxHost): RunbookError {
  let forwarders = '';
  try {
    forwarders = readFileSync(join(paths.logsDir, `${host.name}.forwarders.log`), 'utf8').trim();
  } catch {
    // nothing logged
  }
  if (forwarders) {
    return new RunbookError('RB_SANDBOX', `the ssh forwarder of ${host.name} (${host.loopbackAddress}:22) failed:\n${forwarders}`, {
      hint: `is something else listening on ${host.loopbackAddress}:22 or 0.0.0.0:22? (ss -ltnp)`,
    });
  }
  return hostFailure(paths, host.name, `does not answer ssh on ${host.labAddress}:22`);
}

/** What systemd inside the host says (is-system-running), read by entering its namespaces. */
async function systemState(leader: number): Promise<{ state: HostState; detail?: string }> {
  if (!isAlive(leader)) return { state: 'stopped' };
  const { stdout } = await runLocal('nsenter', [`--target=${leader}`, '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'systemctl', 'is-system-running'], {
    allowFailure: true,
    timeoutMs: 5_000,
  });
  const state = stdout.trim();
  if (state === 'running' || state === 'degraded' || state === 'starting' || state === 'stopping') return { state };
  return { state: 'unknown', detail: state || 'no answer from systemd' };
}
