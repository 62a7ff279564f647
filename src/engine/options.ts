import type { ConnectionDefaults, ConnectionSettings, HostKeyPolicy, Transport, TransportStats } from '../transport/types.js';
import type { HostRecap } from './events.js';

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
