import { readdirSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The sandbox's processes are found in /proc rather than trusted from a pid file: every process it
 * starts on the runner (systemd-nspawn, the socat forwarders, the apt proxy) names a path inside the
 * state directory on its command line, so a crashed or interrupted run can still be cleaned up.
 */

export interface ProcessInfo {
  pid: number;
  argv: string[];
}

export type SandboxProcessKind = 'host' | 'forwarder' | 'apt-proxy';

const KINDS: ReadonlyArray<{ program: RegExp; kind: SandboxProcessKind }> = [
  { program: /^systemd-nspawn$/, kind: 'host' },
  { program: /^socat$/, kind: 'forwarder' },
  { program: /^node(js)?(\d+)?$/, kind: 'apt-proxy' },
];

/** Running, not a zombie: processes orphaned by an earlier `up` may wait unreaped for a parent that never reaps. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** When the process started (clock ticks since boot): tells a process from a later one that reused its pid. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces, start at field 3; starttime is field 22.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.length > 0) processes.push({ pid: Number(entry), argv });
    } catch {
      // exited while we looked
    }
  }
  return processes;
}

/** Processes the sandbox in `stateDir` started on the runner, by kind. */
export function sandboxProcesses(stateDir: string, processes = listProcesses()): Array<ProcessInfo & { kind: SandboxProcessKind }> {
  const marker = `${stateDir}/`;
  return processes.flatMap((info) => {
    if (info.pid === process.pid || !info.argv.some((arg) => arg.includes(marker))) return [];
    const program = basename(info.argv[0] ?? '');
    const kind = KINDS.find((candidate) => candidate.program.test(program))?.kind;
    return kind === undefined ? [] : [{ ...info, kind }];
  });
}

/** The container's PID 1 (systemd), a child of systemd-nspawn that is PID 1 in its own PID namespace. */
export function containerLeader(nspawnPid: number): number | undefined {
  for (const child of childrenOf(nspawnPid)) {
    try {
      const status = readFileSync(`/proc/${child}/status`, 'utf8');
      const nspid = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
      if (nspid.length > 1 && nspid[nspid.length - 1] === '1') return child;
    } catch {
      // exited while we looked
    }
  }
  return undefined;
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Waits until every pid has exited or the time is up; returns those still alive. */
export async function waitForExit(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(50);
    alive = alive.filter(isAlive);
  }
  return alive;
}

export function signal(pid: number, sig: NodeJS.Signals | number): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
