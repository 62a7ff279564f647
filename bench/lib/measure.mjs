// Timing of whole commands, as a user would see them: wall clock from spawn to exit, peak RSS from
// GNU time, output kept in a log file. Each command runs in its own process group, killed on overrun.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const running = new Set();
let aborted = false;

/** After an interrupt: kills the commands still running, and no new one starts. */
export function abortRuns() {
  aborted = true;
  killRunning();
}

export const isAborted = () => aborted;

/** Kills the process groups of commands still running. */
export function killRunning() {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Runs `command args`, returns { ms, peakRssKb, code, signal, log }. */
export async function timed(command, args, { env = process.env, cwd, timeoutMs, log }) {
  if (aborted) throw new Error('interrupted');
  const rssFile = `${log}.rss`;
  const out = openSync(log, 'w');
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, ...args], {
    env,
    cwd,
    detached: true,
    stdio: ['ignore', out, out],
  });
  running.add(child.pid);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // ended meanwhile
    }
  }, timeoutMs);
  const { code, signal } = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
  });
  const ms = performance.now() - started;
  clearTimeout(timer);
  running.delete(child.pid);
  closeSync(out);
  let peakRssKb;
  try {
    // GNU time writes "Command exited with non-zero status N" before the figure when the command fails.
    peakRssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
    rmSync(rssFile);
  } catch {
    peakRssKb = undefined;
  }
  if (timedOut) throw new Error(`${command} ${args.join(' ')} took longer than ${timeoutMs / 1000} s (log: ${log})`);
  return { ms, peakRssKb, code, signal, log };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summary(values) {
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), count: values.length };
}
