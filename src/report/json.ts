import type { HostRecap, RunEvent, TaskResult } from '../engine/events.js';
import type { SourcePosition } from '../errors.js';
import type { TransportStats } from '../transport/types.js';

export interface JsonReport {
  playbook: string;
  check: boolean;
  startedAt: string;
  durationMs: number;
  interrupted: boolean;
  plays: Array<{
    name: string;
    hosts: string[];
    tasks: Array<{ name: string; module: string; handler: boolean; position: SourcePosition; results: Record<string, TaskResult> }>;
  }>;
  unreachable: Record<string, string>;
  /** Hosts where another run held the run lock: whom this run waited for, and how long (absent: it never got it). */
  lockWaits: Record<string, { path: string; holder: string; waitedMs?: number }>;
  /** Hosts where no run lock could be taken, and why. */
  lockUnavailable: Record<string, string>;
  recap: Record<string, HostRecap>;
  /** Host -> classroom pod, for hosts in a pod. */
  pods: Record<string, string>;
  /** Per host: SSH connections opened and commands executed (local hosts count their commands). */
  transportStats: Record<string, TransportStats>;
}

/** Collects events into the machine-readable report written by --json. Results are already redacted. */
export function jsonCollector(): { listener: (event: RunEvent) => void; report(): JsonReport } {
  const report: JsonReport = {
    playbook: '',
    check: false,
    startedAt: new Date().toISOString(),
    durationMs: 0,
    interrupted: false,
    plays: [],
    unreachable: {},
    lockWaits: {},
    lockUnavailable: {},
    recap: {},
    pods: {},
    transportStats: {},
  };
  const tasks = new Map<string, JsonReport['plays'][number]['tasks'][number]>();
  return {
    listener(event) {
      switch (event.type) {
        case 'run:start':
          report.playbook = event.playbook;
          report.check = event.check;
          break;
        case 'play:start':
          report.plays.push({ name: event.name, hosts: event.hosts, tasks: [] });
          break;
        case 'task:start': {
          const task = { name: event.name, module: event.module, handler: event.handler, position: event.position, results: {} };
          tasks.set(event.taskId, task);
          report.plays.at(-1)?.tasks.push(task);
          break;
        }
        case 'host:task:end':
          tasks.get(event.taskId)!.results[event.host] = event.result;
          break;
        case 'host:unreachable':
          report.unreachable[event.host] = event.message;
          break;
        case 'host:lock:wait':
          report.lockWaits[event.host] = { path: event.path, holder: event.holder };
          break;
        case 'host:lock:taken': {
          const wait = report.lockWaits[event.host];
          if (wait) wait.waitedMs = event.waitedMs;
          break;
        }
        case 'host:lock:unavailable':
          report.lockUnavailable[event.host] = event.reason;
          break;
        case 'run:end':
          report.recap = event.recap;
          report.pods = event.pods;
          report.durationMs = event.durationMs;
          report.interrupted = event.interrupted;
          report.transportStats = event.transportStats;
          break;
        default:
          break;
      }
    },
    report: () => report,
  };
}
