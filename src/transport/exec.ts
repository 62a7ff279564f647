import { StringDecoder } from 'node:string_decoder';
import { RunbookError } from '../errors.js';
import type { Command } from '../shell/command.js';
import type { ExecOptions, ExecResult } from './types.js';

/** A started command, as the supervisor sees it. */
export interface Running {
  /** Stops the command for good (timeout or interruption); best effort. */
  kill(): void;
}

export type Finish = (outcome: ExecResult | Error) => void;

/**
 * Runs one command under ExecOptions' limits, settling exactly once: with the command's result,
 * with RB_TIMEOUT after timeoutMs, or when `signal` aborts. Shared by the ssh and local transports so
 * both fail the same way.
 */
export function supervise(
  command: Command,
  host: string,
  options: ExecOptions,
  start: (finish: Finish) => Running,
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish: Finish = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const stop = (error: RunbookError): void => {
      if (settled) return;
      running.kill();
      finish(error);
    };
    const interrupted = (): RunbookError =>
      new RunbookError('RB_COMMAND_FAILED', `interrupted on ${host}: ${describe(command)}`, { cause: options.signal?.reason });
    const onAbort = (): void => stop(interrupted());
    // A command asked for after the abort never starts: once started, its stdin might never arrive.
    if (options.signal?.aborted) {
      finish(interrupted());
      return;
    }
    const running = start(finish);
    if (options.timeoutMs !== undefined && Number.isFinite(options.timeoutMs)) {
      const timeoutMs = options.timeoutMs;
      timer = setTimeout(
        () => stop(new RunbookError('RB_TIMEOUT', `timed out after ${timeoutMs} ms on ${host}: ${describe(command)}`)),
        timeoutMs,
      );
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The redacted command, first line and at most 120 characters, for messages. */
function describe(command: Command): string {
  const text = command.redacted().trim();
  const firstLine = text.split('\n')[0] ?? '';
  return firstLine === text && firstLine.length <= 120 ? firstLine : `${firstLine.slice(0, 120)}…`;
}

/** Decodes stdout and stderr as UTF-8 without splitting characters across chunks, streaming each piece. */
export class OutputCollector {
  private readonly stdoutDecoder = new StringDecoder('utf8');
  private readonly stderrDecoder = new StringDecoder('utf8');
  private stdout = '';
  private stderr = '';

  constructor(private readonly options: ExecOptions) {}

  readonly onStdout = (chunk: Buffer): void => {
    const text = this.stdoutDecoder.write(chunk);
    this.stdout += text;
    if (text !== '') this.options.onStdout?.(text);
  };

  readonly onStderr = (chunk: Buffer): void => {
    const text = this.stderrDecoder.write(chunk);
    this.stderr += text;
    if (text !== '') this.options.onStderr?.(text);
  };

  /** A missing exit status stays null (a failure); signal names look like `SIGKILL`. */
  result(code: number | null | undefined, signal: string | null | undefined): ExecResult {
    const stdoutTail = this.stdoutDecoder.end();
    const stderrTail = this.stderrDecoder.end();
    if (stdoutTail !== '') this.options.onStdout?.(stdoutTail);
    if (stderrTail !== '') this.options.onStderr?.(stderrTail);
    return {
      code: typeof code === 'number' ? code : null,
      signal: signal ? signal : null,
      stdout: this.stdout + stdoutTail,
      stderr: this.stderr + stderrTail,
    };
  }
}
