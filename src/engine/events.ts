import type { Diff } from '../modules/types.js';
import type { SourcePosition } from '../errors.js';
import type { TransportStats } from '../transport/types.js';

/** The engine reports only through these events; src/report renders them (listr2, plain lines, JSON). */

export type TaskStatus = 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';

export interface TaskResult {
  status: TaskStatus;
  /** Why nothing changed (ok), what changed (changed), why skipped, or what failed. Never holds secrets. */
  message: string;
  diff?: Diff[];
  /** Commands run or, in check mode, that would run; redacted. */
  commands?: string[];
  /** Per-item results of a loop. */
  items?: Array<{ item: unknown; status: TaskStatus; message: string }>;
  /** True when the task's output is hidden (no_log). */
  hidden?: boolean;
  /** Failure that ignore_errors turned into a pass. */
  ignored?: boolean;
  /** Skipped in check mode because an earlier task would first install or create what this one reads. */
  awaitsEarlierTask?: boolean;
  durationMs: number;
}

export interface HostRecap {
  ok: number;
  changed: number;
  skipped: number;
  failed: number;
  unreachable: number;
  /** Failures a block's rescue handled (Ansible's recap counts them here, not as failed). */
  rescued: number;
  ignored: number;
}

export interface RunEventMap {
  'run:start': { playbook: string; check: boolean; diff: boolean; hosts: string[] };
  'play:start': { playIndex: number; name: string; hosts: string[] };
  'task:start': { taskId: string; name: string; module: string; hosts: string[]; position: SourcePosition; handler: boolean };
  'host:task:start': { taskId: string; host: string };
  'host:task:progress': { taskId: string; host: string; message?: string; percent?: number };
  'host:task:end': { taskId: string; host: string; result: TaskResult };
  'task:end': { taskId: string };
  'host:unreachable': { host: string; message: string };
  /**
   * Another run holds the host's run lock: this run waits (at most `timeoutMs`, 0: it does not),
   * then reads the host's facts again. `holder` says who, e.g. "the run of root@ctl pid 1234,
   * playbook lab.yml, since 18:02". Emitted once per host.
   */
  'host:lock:wait': { host: string; path: string; holder: string; timeoutMs: number };
  /** The run lock was taken after waiting. */
  'host:lock:taken': { host: string; path: string; waitedMs: number };
  /** No run lock can be taken on the host (no flock there, no usable lock file): the run goes on without it. */
  'host:lock:unavailable': { host: string; reason: string };
  'play:end': { playIndex: number };
  'run:end': {
    recap: Record<string, HostRecap>;
    /** Host -> its classroom pod, for hosts in a pod (the recap groups them); empty otherwise. */
    pods: Record<string, string>;
    durationMs: number;
    interrupted: boolean;
    /** Connections opened and execs used per host (benchmarks). */
    transportStats: Record<string, TransportStats>;
  };
}

export type RunEventName = keyof RunEventMap;
export type RunEvent = { [K in RunEventName]: { type: K } & RunEventMap[K] }[RunEventName];

export type RunEventListener = (event: RunEvent) => void;
