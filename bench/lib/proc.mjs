// Local processes for the benchmark: argument arrays only (no shell), bounded in time, killed by pid.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Runs a command to completion and returns its output; throws with stderr on a non-zero exit. */
export function run(command, args, { timeoutMs = 60_000, input, env, cwd, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if ((code === 0 || allowFailure) && signal === null) resolve({ code, stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${stderr.trim() || stdout.trim()}`));
    });
    if (input !== undefined) {
      // A command that exits without reading its input is not an error of ours.
      child.stdin.on('error', () => {});
      child.stdin.end(input);
    }
  });
}

// Linux reports CPU times in /proc in clock ticks of 1/100 s (USER_HZ) on every architecture.
const TICKS_PER_SECOND = 100;

/** Parent pid and CPU ticks (own user + system, and reaped children's) of every process, from /proc. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[11..14]: utime, stime, cutime, cstime (stat fields 14–17)
      table.set(Number(entry), { parent: Number(fields[1]), ticks: fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0) });
    } catch {
      // the process ended while we were reading
    }
  }
  return table;
}

/** The pids of all descendants of `pids`, children before grandchildren, from one pass over /proc. */
export function descendantsOf(pids, table = processTable()) {
  const children = new Map();
  for (const [pid, { parent }] of table) children.set(parent, [...(children.get(parent) ?? []), pid]);
  const found = [];
  let frontier = pids;
  while (frontier.length > 0) {
    frontier = frontier.flatMap((pid) => children.get(pid) ?? []);
    found.push(...frontier);
  }
  return found;
}

/**
 * CPU seconds of the process trees under `pids`: each process's own times plus those of the children
 * it has reaped, which covers sessions that have ended; live descendants are added on their own.
 */
export function cpuSecondsOfTrees(pids) {
  const table = processTable();
  const ticks = [...pids, ...descendantsOf(pids, table)].reduce((sum, pid) => sum + (table.get(pid)?.ticks ?? 0), 0);
  return ticks / TICKS_PER_SECOND;
}

/** Open file descriptors of a process right now (undefined once it has gone). */
export function openFds(pid) {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** The first child of `pid` (e.g. the command GNU time runs), or undefined. */
export function firstChild(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** Pids of processes whose real uid is `uid`. */
export function processesOfUid(uid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) pids.push(Number(entry));
    } catch {
      // ended meanwhile
    }
  }
  return pids;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function signal(pid, name) {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}

/** SIGTERM the given pids, wait up to `graceMs`, then SIGKILL whatever is left. */
export async function terminate(pids, graceMs = 3000) {
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  for (const pid of pids.filter(isAlive)) signal(pid, 'SIGKILL');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over items with at most `limit` in flight. */
export async function mapLimit(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Asks every OpenSSH ControlMaster listening on a socket in these directories to exit. */
export async function stopControlMasters(dirs) {
  const sockets = dirs.filter((dir) => existsSync(dir)).flatMap((dir) => readdirSync(dir).map((name) => join(dir, name)));
  // The host name is required by the syntax and ignored: ControlPath names the master.
  await mapLimit(sockets, 8, (socket) => run('ssh', ['-o', `ControlPath=${socket}`, '-O', 'exit', 'control-master'], { timeoutMs: 10_000, allowFailure: true }).catch(() => undefined));
}
