// Timing of whole commands, as a user would see them: wall clock from spawn to exit, peak RSS and CPU
// time from GNU time, output kept in a log file. Each command runs in its own process group, killed on
// overrun.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { firstChild, openFds } from './proc.mjs';

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

const FD_SAMPLE_MS = 50;

/**
 * Runs `command args`, returns { ms, peakRssKb, cpuSeconds, peakFds, code, signal, log }. peakRssKb is
 * the largest single process's; cpuSeconds counts the command and the children it waited for;
 * peakFds (with `sampleFds`) is the most descriptors the command's own process held at a sample.
 */
export async function timed(command, args, { env = process.env, cwd, timeoutMs, log, sampleFds = false }) {
  if (aborted) throw new Error('interrupted');
  const rssFile = `${log}.rss`;
  const out = openSync(log, 'w');
  const started = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M %U %S', '-o', rssFile, command, ...args], {
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
  let peakFds;
  const sampler = sampleFds
    ? setInterval(() => {
        const fds = openFds(firstChild(child.pid));
        if (fds !== undefined) peakFds = Math.max(peakFds ?? 0, fds);
      }, FD_SAMPLE_MS)
    : undefined;
  const { code, signal } = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
  });
  const ms = performance.now() - started;
  clearTimeout(timer);
  clearInterval(sampler);
  running.delete(child.pid);
  closeSync(out);
  let peakRssKb;
  let cpuSeconds;
  try {
    // GNU time writes "Command exited with non-zero status N" before the figures when the command fails.
    const [rss, user, system] = readFileSync(rssFile, 'utf8').trim().split('\n').at(-1).split(' ').map(Number);
    peakRssKb = rss;
    cpuSeconds = user + system;
    rmSync(rssFile);
  } catch {
    peakRssKb = undefined;
  }
  if (timedOut) throw new TimeoutError(`${command} ${args.join(' ')} took longer than ${timeoutMs / 1000} s (log: ${log})`);
  return { ms, peakRssKb, cpuSeconds, peakFds, code, signal, log };
}

/** A run that overran its time bound: for a peer, where its curve ends rather than a broken benchmark. */
export class TimeoutError extends Error {}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function summary(values) {
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), count: values.length };
}
