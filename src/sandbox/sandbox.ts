import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunbookError } from '../errors.js';
import { removeSandboxCgroups } from './cgroups.js';
import { runLocal } from './exec.js';
import { startAptProxy, startSshForwarders, waitForSsh } from './forwarders.js';
import { hostFailure, hostKeys, mountHostRoot, startHost, waitForHostKeys, writeHostFiles, type SandboxKeys } from './host.js';
import { ensureImage } from './image.js';
import { knownHostsLines, renderInventory } from './inventory.js';
import { removeTree } from './mounts.js';
import { connectHost, createLabNetwork, deleteLabNetwork, sandboxNamespaces } from './network.js';
import { ensureInotifyInstances } from './limits.js';
import { hostDirs, sandboxPaths, sharedStorage, type SandboxPaths } from './paths.js';
import { assertPrerequisites } from './prereqs.js';
import { containerLeader, isAlive, sandboxProcesses, signal, waitForExit, type ProcessInfo } from './processes.js';
import { hostNetwork, labNames, labNetworks, networkPeers, profileHosts, sandboxPods, type LabNetwork, type SandboxHost, type SandboxProfile } from './profile.js';
import { acquireLease, podsRecord, readState, SandboxInUseError, withLease, writeState, type SandboxLease, type SandboxState } from './state.js';

/** `runbook sandbox up|down|reset|status|inventory`: real lab hosts on this machine. */

export interface SandboxOptions {
  /** Progress lines for people (image build, cleanup). */
  progress?: (message: string) => void;
  /** Token of a lease held by a test run, so its workers may bring the sandbox down and up again. */
  leaseToken?: string;
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
  const paths = sandboxPaths();
  const progress = options.progress ?? (() => {});
  const hosts = profileHosts(profile);
  const networks = labNetworks(hosts);
  assertPrerequisites();
  return withLease(paths, 'runbook sandbox up', options.leaseToken, async () => {
    if ((await teardown(paths, progress)).removed) progress('removed the previous sandbox');
    try {
      const image = await ensureImage(paths, progress);
      for (const dir of [paths.stateDir, paths.sharedDir, paths.hostsDir, paths.socketsDir, paths.logsDir]) mkdirSync(dir, { recursive: true });
      ensureInotifyInstances(hosts.length, progress);
      const keys = await generateKeys(paths);
      await Promise.all(networks.map((network) => createSharedStorage(paths, network)));
      progress(`starting ${hostList(hosts)}`);
      await createLabNetwork(networks);
      for (const host of hosts) await connectHost(host);
      await startAptProxy(paths);
      const booted = await allSettledOrFirstFailure(
        hosts.map(async (host) => {
          const forwarderPids = startSshForwarders(paths, host);
          return { host, forwarderPids, nspawnPid: await bootHost(paths, host, hosts, image.rootfs, keys) };
        }),
      );
      writeKnownHosts(paths, hosts);
      await allSettledOrFirstFailure(
        booted.map(({ host, nspawnPid, forwarderPids }) =>
          waitForSsh(host, [nspawnPid, ...forwarderPids], BOOT_TIMEOUT_MS, () => sshFailure(paths, host, forwarderPids)),
        ),
      );
      writeFileSync(paths.inventoryFile, renderInventory(hosts, { knownHostsFile: paths.knownHostsFile, privateKeyFile: paths.privateKeyFile }));
      writeState(paths, { profile, imageStamp: image.stamp, startedAt: new Date(started).toISOString(), hosts, ...podsRecord(hosts) });
    } catch (error) {
      progress('start failed; removing what was started');
      await teardown(paths, () => {});
      throw error;
    }
    return { inventoryFile: paths.inventoryFile, knownHostsFile: paths.knownHostsFile, hosts, durationMs: Date.now() - started };
  });
}

/**
 * Replaces one host by a freshly booted one (a new overlay over the image: its files, packages and
 * host keys are new), keeping its name, addresses and the shared storage. The known_hosts of every
 * host on its lab network are updated with its new keys.
 */
export async function sandboxReset(name: string, options: SandboxOptions = {}): Promise<{ durationMs: number }> {
  const started = Date.now();
  const paths = sandboxPaths();
  const progress = options.progress ?? (() => {});
  return withLease(paths, `runbook sandbox reset ${name}`, options.leaseToken, async () => {
    const state = readState(paths);
    if (!state) throw noSandbox();
    const host = state.hosts.find((candidate) => candidate.name === name);
    if (!host) {
      throw new RunbookError('RB_USAGE', `the sandbox has no host ${name}; its hosts: ${state.hosts.map((candidate) => candidate.name).join(', ')}`);
    }
    await replaceHosts(paths, state.hosts, [host], progress);
    return { durationMs: Date.now() - started };
  });
}

/**
 * Gives a classroom's pod a fresh start: every host of the pod is replaced by a freshly booted one
 * and the pod gets a new, empty shared storage. Other pods are not touched (neither their hosts nor
 * their files nor their storage).
 */
export async function sandboxResetPod(pod: string, options: SandboxOptions = {}): Promise<{ durationMs: number }> {
  const started = Date.now();
  const paths = sandboxPaths();
  const progress = options.progress ?? (() => {});
  return withLease(paths, `runbook sandbox reset --pod ${pod}`, options.leaseToken, async () => {
    const state = readState(paths);
    if (!state) throw noSandbox();
    const pods = sandboxPods(state.hosts);
    const found = pods.find((candidate) => candidate.network.name === pod);
    if (!found) {
      const known = pods.length === 0 ? 'it has no pods (start a classroom with `runbook sandbox up --pods N`)' : `its pods: ${pods.map((candidate) => candidate.network.name).join(', ')}`;
      throw new RunbookError('RB_USAGE', `the sandbox has no pod ${pod}; ${known}`);
    }
    await replaceHosts(paths, state.hosts, found.hosts, progress, { freshStorage: found.network });
    return { durationMs: Date.now() - started };
  });
}

export async function sandboxDown(options: SandboxOptions = {}): Promise<DownResult> {
  const started = Date.now();
  const paths = sandboxPaths();
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

export async function sandboxStatus(): Promise<SandboxStatus> {
  const paths = sandboxPaths();
  const state = readState(paths);
  if (!state) return { up: false, hosts: [] };
  const hosts = await Promise.all(
    state.hosts.map(async (host) => {
      const nspawn = hostProcess(paths, host.name);
      const leader = nspawn && containerLeader(nspawn.pid);
      if (leader === undefined) return { ...host, state: 'stopped' as const };
      return { ...host, ...(await systemState(leader)) };
    }),
  );
  return { up: hosts.every((host) => host.state !== 'stopped'), state, inventoryFile: paths.inventoryFile, hosts };
}

/**
 * Holds the sandbox for a longer job (a test run): until released, `up` and `down` from anywhere
 * else fail with the holder's name, except those presenting this lease's token. While someone else
 * holds it (another run on a shared machine), waits up to `waitMs`, telling `onWait` once.
 */
export async function acquireSandboxLease(
  purpose: string,
  options: { waitMs?: number; onWait?: (holder: string) => void } = {},
): Promise<SandboxLease> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  let told = false;
  for (;;) {
    try {
      return acquireLease(sandboxPaths(), purpose);
    } catch (error) {
      if (!(error instanceof SandboxInUseError) || Date.now() >= deadline) throw error;
      if (!told) options.onWait?.(error.message);
      told = true;
      await sleep(2_000);
    }
  }
}

/** The inventory of the running sandbox; throws when no sandbox is up. */
export function sandboxInventoryFile(): string {
  const paths = sandboxPaths();
  if (!readState(paths) || !existsSync(paths.inventoryFile)) throw noSandbox();
  return paths.inventoryFile;
}

function noSandbox(): RunbookError {
  return new RunbookError('RB_SANDBOX', 'no sandbox is up', { hint: 'start one with `runbook sandbox up`' });
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
  removeSandboxCgroups();
  await deleteLabNetwork();
  await removeTree(paths.stateDir);
  return { removed };
}

/**
 * Stops these hosts and boots fresh ones in their place (new overlays; with `freshStorage`, that lab
 * network's shared storage is replaced by an empty one while they are stopped); then the known_hosts
 * of their lab networks and the runner's are rewritten with the new keys.
 */
async function replaceHosts(
  paths: SandboxPaths,
  allHosts: readonly SandboxHost[],
  replaced: readonly SandboxHost[],
  progress: (message: string) => void,
  { freshStorage }: { freshStorage?: LabNetwork } = {},
): Promise<void> {
  const names = replaced.map((host) => host.name).join(', ');
  const running = replaced.flatMap((host) => hostProcess(paths, host.name) ?? []);
  if (running.length > 0) {
    progress(`stopping ${names}`);
    await stopHosts(running.map((info) => info.pid));
  }
  for (const host of replaced) await removeTree(hostDirs(paths, host.name).root);
  if (freshStorage) {
    await removeSharedStorage(paths, freshStorage);
    await createSharedStorage(paths, freshStorage);
  }
  const image = await ensureImage(paths, progress);
  const keys = readKeys(paths);
  progress(`starting a fresh ${names}`);
  const booted = await allSettledOrFirstFailure(
    replaced.map(async (host) => ({ host, nspawnPid: await bootHost(paths, host, allHosts, image.rootfs, keys) })),
  );
  writeKnownHosts(paths, allHosts, labNetworks(replaced));
  await allSettledOrFirstFailure(booted.map(({ host, nspawnPid }) => waitForSsh(host, [nspawnPid], BOOT_TIMEOUT_MS, () => sshFailure(paths, host, []))));
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
async function allSettledOrFirstFailure<T>(promises: ReadonlyArray<Promise<T>>): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}

/**
 * Each lab network's shared storage gets a filesystem of its own rather than a directory of the
 * runner's: hosts are root, and a `mount -o remount,ro` of a bind mount inside a host would otherwise
 * reach the runner's root filesystem (or, in a classroom, another pod's files). ext4 (not overlayfs,
 * not tmpfs) because nfs-ganesha exports it by file handle.
 */
async function createSharedStorage(paths: SandboxPaths, network: LabNetwork): Promise<void> {
  const storage = sharedStorage(paths, network);
  mkdirSync(storage.dir, { recursive: true });
  await runLocal('truncate', ['--size', SHARED_STORAGE_SIZE, storage.image]);
  await runLocal('mkfs.ext4', ['-q', '-F', '-m', '0', '-L', 'runbook-shared', storage.image]);
  await runLocal('mount', ['-o', 'loop', storage.image, storage.dir]);
}

/** Unmounts a lab network's shared storage (its loop device goes with it) and deletes it. */
async function removeSharedStorage(paths: SandboxPaths, network: LabNetwork): Promise<void> {
  const storage = sharedStorage(paths, network);
  await removeTree(storage.dir);
  rmSync(storage.image, { force: true });
}

/** Mounts a fresh overlay for the host, writes its own files and boots it; resolves with nspawn's pid once sshd has host keys. */
async function bootHost(paths: SandboxPaths, host: SandboxHost, allHosts: readonly SandboxHost[], lowerDir: string, keys: SandboxKeys): Promise<number> {
  const root = await mountHostRoot(paths, host, lowerDir);
  writeHostFiles(root, host, networkPeers(host, allHosts), keys);
  const nspawnPid = startHost(paths, host, root);
  await waitForHostKeys(root, nspawnPid, paths, host.name, BOOT_TIMEOUT_MS);
  return nspawnPid;
}

/**
 * The runner's known_hosts (by loopback address) and, on the lab networks given, every host's
 * /root/.ssh/known_hosts (its network's hosts by every name and lab address, so host-to-host ssh such
 * as `virsh migrate` over qemu+ssh:// checks host keys), from the keys each host generated on its own
 * filesystem. Hosts on other lab networks (other pods) are left as they are.
 */
function writeKnownHosts(paths: SandboxPaths, hosts: readonly SandboxHost[], networks: readonly LabNetwork[] = labNetworks(hosts)): void {
  const keys = new Map(hosts.map((host) => [host.name, hostKeys(hostDirs(paths, host.name).merged) ?? []]));
  const lines = (host: SandboxHost, names: readonly string[]) => knownHostsLines(names, keys.get(host.name) ?? []);
  for (const network of networks) {
    const members = hosts.filter((host) => hostNetwork(host).name === network.name);
    const lab = members.flatMap((host) => lines(host, [...labNames(host), host.labAddress]));
    for (const host of members) writeFileSync(join(hostDirs(paths, host.name).merged, 'root/.ssh/known_hosts'), `${lab.join('\n')}\n`, { mode: 0o644 });
  }
  const runner = hosts.flatMap((host) => lines(host, [host.loopbackAddress]));
  writeFileSync(paths.knownHostsFile, `${runner.join('\n')}\n`);
}

/** The hosts by name, or for a classroom how many pods and hosts. */
function hostList(hosts: readonly SandboxHost[]): string {
  const pods = sandboxPods(hosts).length;
  return pods === 0 ? hosts.map((host) => host.name).join(', ') : `${pods} pod${pods === 1 ? '' : 's'} (${hosts.length} hosts)`;
}

function hostProcess(paths: SandboxPaths, name: string): ProcessInfo | undefined {
  return sandboxProcesses(paths.stateDir).find((info) => info.kind === 'host' && info.argv.includes(`--machine=${name}`));
}

async function generateKeys(paths: SandboxPaths): Promise<SandboxKeys> {
  await runLocal('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'runbook-sandbox', '-f', paths.privateKeyFile]);
  return readKeys(paths);
}

function readKeys(paths: SandboxPaths): SandboxKeys {
  return { privateKey: readFileSync(paths.privateKeyFile, 'utf8'), publicKey: readFileSync(`${paths.privateKeyFile}.pub`, 'utf8') };
}

function sshFailure(paths: SandboxPaths, host: SandboxHost, forwarderPids: readonly number[]): RunbookError {
  if (forwarderPids.every(isAlive)) return hostFailure(paths, host.name, `does not answer ssh on ${host.labAddress}:22`);
  let log = '';
  try {
    log = readFileSync(join(paths.logsDir, `${host.name}.forwarders.log`), 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    // nothing logged
  }
  return new RunbookError('RB_SANDBOX', `the ssh forwarder of ${host.name} (${host.loopbackAddress}:22) stopped${log ? `:\n${log}` : ''}`, {
    hint: `is something else listening on ${host.loopbackAddress}:22 or 0.0.0.0:22? (ss -ltnp)`,
  });
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
