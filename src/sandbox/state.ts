import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { RunbookError } from '../errors.js';
import type { SandboxPaths } from './paths.js';
import { sandboxPods, type SandboxHost, type SandboxProfile } from './profile.js';
import { isAlive, processStartTime } from './processes.js';

/** What `up` recorded: enough for status and inventory. Processes are found from /proc, not from here. */
export interface SandboxState {
  profile: SandboxProfile;
  imageStamp: string;
  startedAt: string;
  hosts: SandboxHost[];
  /** A classroom's pods, each with its lab network and hosts; absent outside a classroom. */
  pods?: PodRecord[];
}

export interface PodRecord {
  name: string;
  network: string;
  gateway: string;
  hosts: string[];
}

/** The `pods` of a state for these hosts: nothing unless they are a classroom. */
export function podsRecord(hosts: readonly SandboxHost[]): { pods?: PodRecord[] } {
  const pods = sandboxPods(hosts);
  if (pods.length === 0) return {};
  return {
    pods: pods.map(({ network, hosts: members }) => ({ name: network.name, network: network.cidr, gateway: network.gateway, hosts: members.map((host) => host.name) })),
  };
}

export function readState(paths: SandboxPaths): SandboxState | undefined {
  try {
    return JSON.parse(readFileSync(paths.stateFile, 'utf8')) as SandboxState;
  } catch {
    return undefined;
  }
}

export function writeState(paths: SandboxPaths, state: SandboxState): void {
  writeFileSync(paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Who may bring the sandbox up or down right now. `up` and `down` take the lease for their own
 * duration; a test run holds it from its global setup to its teardown, so another run on the same
 * machine fails with a clear reason instead of tearing down hosts in use. Workers of the holding run
 * join it by presenting its token.
 */
export interface SandboxLease {
  token: string;
  release(): void;
}

export class SandboxInUseError extends RunbookError {
  constructor(message: string) {
    super('RB_SANDBOX', message, { hint: 'wait for it to finish, or stop that process' });
    this.name = 'SandboxInUseError';
  }
}

interface LeaseRecord {
  pid: number;
  startTime: string | undefined;
  token: string;
  purpose: string;
  since: string;
}

export function acquireLease(paths: SandboxPaths, purpose: string, token?: string): SandboxLease {
  const current = readLease(paths);
  const held = current !== undefined && isAlive(current.pid) && processStartTime(current.pid) === current.startTime;
  if (current && held && current.token !== token) {
    throw new SandboxInUseError(`the sandbox is in use by ${current.purpose} (pid ${current.pid}, since ${current.since})`);
  }
  if (current && held && current.token === token) {
    // Joining the holder's lease: the holder releases it.
    return { token: current.token, release: () => {} };
  }
  const record: LeaseRecord = {
    pid: process.pid,
    startTime: processStartTime(process.pid),
    token: randomUUID(),
    purpose,
    since: new Date().toISOString(),
  };
  mkdirSync(dirname(paths.lockFile), { recursive: true });
  writeFileSync(paths.lockFile, JSON.stringify(record));
  return {
    token: record.token,
    release: () => {
      if (readLease(paths)?.token === record.token) rmSync(paths.lockFile, { force: true });
    },
  };
}

export async function withLease<T>(paths: SandboxPaths, purpose: string, token: string | undefined, work: () => Promise<T>): Promise<T> {
  const lease = acquireLease(paths, purpose, token);
  try {
    return await work();
  } finally {
    lease.release();
  }
}

function readLease(paths: SandboxPaths): LeaseRecord | undefined {
  try {
    return JSON.parse(readFileSync(paths.lockFile, 'utf8')) as LeaseRecord;
  } catch {
    return undefined;
  }
}
