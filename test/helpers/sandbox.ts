/**
 * Access to the lab sandbox that test/global-setup/sandbox.ts brings up for the integration project
 * (hosts nfs, kvm1, kvm2). Commands run over the system ssh client with strict host key checking
 * against the known_hosts the sandbox generated from the hosts' real keys. Every file that uses
 * these helpers starts with fresh hosts.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { expect, inject } from 'vitest';
import { loadInventory } from '../../src/load/inventory.js';
import { processHierarchies } from '../../src/sandbox/cgroups.js';
import { mountsBelow } from '../../src/sandbox/mounts.js';
import { sandboxPaths } from '../../src/sandbox/paths.js';
import { sandboxProcesses } from '../../src/sandbox/processes.js';
import { PODS_GROUP } from '../../src/sandbox/inventory.js';
import { sandboxReset, sandboxResetPod } from '../../src/sandbox/sandbox.js';
import type { Command } from '../../src/shell/command.js';

export interface SandboxHostAccess {
  name: string;
  groups: string[];
  /** Loopback address on the runner, forwarded to the host's sshd. */
  address: string;
  port: number;
  user: string;
  privateKeyFile: string;
  knownHostsFile: string;
  /** The host's address on the lab network, as the other hosts see it. */
  labAddress: string;
}

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

let used = false;

/**
 * Whether this test file has used the sandbox through these helpers. After such a file, the harness
 * (test/global-setup/fresh-sandbox.ts) replaces the hosts, so no file sees what another did to them.
 */
export function sandboxWasUsed(): boolean {
  return used;
}

export function sandboxInventoryPath(): string {
  used = true;
  return inject('sandboxInventory');
}

/** The token of the run's sandbox lease: pass it to sandboxUp/sandboxDown to restart the shared sandbox. */
export function sandboxLeaseToken(): string {
  used = true;
  return inject('sandboxLeaseToken');
}

/** Replaces a host of the run's sandbox by a freshly booted one (new files, packages and host keys). */
export async function resetHost(name: string): Promise<void> {
  await sandboxReset(name, { leaseToken: sandboxLeaseToken() });
}

/** Replaces every host of a classroom pod by freshly booted ones, with a fresh, empty shared storage. */
export async function resetPod(pod: string): Promise<void> {
  await sandboxResetPod(pod, { leaseToken: sandboxLeaseToken() });
}

/**
 * Every host of the sandbox's inventory, read afresh (host keys change whenever the sandbox restarts)
 * with runbook's own loader, so a classroom's hosts (variables under their pod) read like the lab's.
 * `groups` are the groups a host is in, other than `all` and `runbook_pods`: its roles and its pod.
 */
export function sandboxHosts(): SandboxHostAccess[] {
  const inventory = loadInventory(sandboxInventoryPath());
  return [...inventory.hosts.values()].map(({ name, vars }) => ({
    name,
    groups: [...inventory.groups].filter(([group, members]) => members.includes(name) && group !== 'all' && group !== PODS_GROUP).map(([group]) => group),
    address: String(vars.ansible_host),
    port: Number(vars.ansible_port),
    user: String(vars.ansible_user),
    privateKeyFile: String(vars.ansible_ssh_private_key_file),
    knownHostsFile: String(vars.runbook_known_hosts_file),
    labAddress: String(vars.lab_address),
  }));
}

export function sandboxHost(name: string): SandboxHostAccess {
  const host = sandboxHosts().find((candidate) => candidate.name === name);
  if (!host) throw new Error(`no host ${name} in the sandbox inventory ${sandboxInventoryPath()}`);
  return host;
}

/**
 * Runs a command on a sandbox host as root over ssh, host key checked strictly. Never throws for a
 * non-zero exit: the caller asserts on the result.
 */
export function sshToHost(name: string, command: Command, options: { knownHostsFile?: string; timeoutMs?: number } = {}): Promise<SshResult> {
  const host = sandboxHost(name);
  const args = [
    '-F', '/dev/null',
    '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${options.knownHostsFile ?? host.knownHostsFile}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'ConnectTimeout=15',
    '-o', 'LogLevel=ERROR',
    '-i', host.privateKeyFile,
    '-p', String(host.port),
    '--', `${host.user}@${host.address}`,
    command.render(),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 240_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

/** Whether something accepts TCP connections on port 22 of `address` (a forwarder, a host's sshd). */
export function sshPortOpen(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22 });
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * After `sandbox down`: nothing of the sandbox is left on the machine: no process, mount, loop
 * device, network namespace or cgroup, no forwarder listening, no state directory.
 */
export async function expectNothingLeft(hosts: readonly SandboxHostAccess[]): Promise<void> {
  const { stateDir } = sandboxPaths();
  expect(sandboxProcesses(stateDir)).toEqual([]);
  expect(mountsBelow(stateDir)).toEqual([]);
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(stateDir);
  expect(execFileSync('losetup', ['--list', '--noheadings', '--output', 'BACK-FILE'], { encoding: 'utf8' })).not.toContain(stateDir);
  expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toMatch(/^rbsbx-/m);
  expect(processHierarchies().filter((hierarchy) => existsSync(join(hierarchy, 'runbook-sandbox')))).toEqual([]);
  for (const host of hosts) expect(await sshPortOpen(host.address), host.name).toBe(false);
  expect(existsSync(stateDir)).toBe(false);
}
