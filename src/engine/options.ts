import type { ConnectionDefaults, ConnectionSettings, HostKeyPolicy, Transport, TransportStats } from '../transport/types.js';
import type { HostRecap } from './events.js';
import type { LockOwner } from './run-lock.js';

/** The per-host run lock (apply): who this run is, and how long to wait for another run's lock. */
export interface RunLockOptions {
  owner: LockOwner;
  /** Give up on a host after waiting this long for its lock (0: do not wait). */
  timeoutMs: number;
}

export interface RunOptions {
  check: boolean;
  diff: boolean;
  forks: number;
  limit: string | undefined;
  tags: string[];
  skipTags: string[];
  extraVars: Record<string, unknown>;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  /** ansible.cfg's remote_user, remote_port and private_key_file, under the inventory's variables. */
  connectionDefaults?: ConnectionDefaults;
  commandTimeoutMs: number | undefined;
  signal?: AbortSignal;
  /** A failed task does not stop its host (grading reads every step, in check mode). */
  keepGoing?: boolean;
  /** Stop the run once this task (by id) and its play's notified handlers have run (apply --up-to). */
  lastTask?: string;
  /** Hold the run lock on every host reached (apply); none in check mode, grading and validation. */
  lock?: RunLockOptions;
  /** Opens a host's transport; default createTransport (SSH or local). The engine's unit tests pass a fake. */
  createTransport?: (settings: ConnectionSettings) => Transport;
}

export interface RunSummary {
  recap: Record<string, HostRecap>;
  durationMs: number;
  interrupted: boolean;
  /** Connections opened and execs used per host (benchmarks, tests). */
  transportStats: Record<string, TransportStats>;
}

export function isInterrupted(options: RunOptions): boolean {
  return options.signal?.aborted ?? false;
}
