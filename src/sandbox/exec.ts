import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { RunbookError } from '../errors.js';

/** Local commands on the runner: always a program and an argument array, never shell text. */

export interface LocalResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LocalOptions {
  /** Resolve with the result instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
  /** Called with each complete line of stdout and stderr as it arrives (progress). */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

export function runLocal(file: string, args: readonly string[], options: LocalOptions = {}): Promise<LocalResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    const stdoutLines = lineSplitter(options.onLine);
    const stderrLines = lineSplitter(options.onLine);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      stdoutLines(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      stderrLines(chunk);
    });
    child.on('error', (error) => reject(new RunbookError('RB_SANDBOX', `cannot run ${file}: ${error.message}`, { cause: error })));
    child.on('close', (code, signal) => {
      const result = { code: code ?? -1, stdout, stderr };
      if (result.code === 0 || options.allowFailure) {
        resolve(result);
        return;
      }
      const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-8).join('\n');
      const status = signal === null ? `exit ${code}` : `killed by ${signal}`;
      reject(new RunbookError('RB_SANDBOX', `${[file, ...args].join(' ')} failed (${status})${detail ? `:\n${detail}` : ''}`));
    });
  });
}

/**
 * Starts a process in its own session, outliving this one (setsid), with output appended to a log
 * file. Returns its pid.
 */
export function startDetached(file: string, args: readonly string[], logFile: string): number {
  const log = openSync(logFile, 'a');
  try {
    const child = spawn(file, args, { detached: true, stdio: ['ignore', log, log] });
    // A failed start shows as a missing pid below; the event itself must not crash this process.
    child.once('error', () => {});
    if (child.pid === undefined) throw new RunbookError('RB_SANDBOX', `cannot start ${file}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(log);
  }
}

function lineSplitter(onLine: ((line: string) => void) | undefined): (chunk: string) => void {
  if (!onLine) return () => {};
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line);
  };
}
