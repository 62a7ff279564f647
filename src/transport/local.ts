import { spawn } from 'node:child_process';
import { RunbookError } from '../errors.js';
import type { Command } from '../shell/command.js';
import { OutputCollector, supervise } from './exec.js';
import type { ExecOptions, ExecResult, Transport, TransportStats } from './types.js';

/** Runs commands on this machine with /bin/sh, with the same result semantics as SshTransport. */
export class LocalTransport implements Transport {
  readonly stats: TransportStats = { connections: 0, execs: 0 };
  /** Commands whose stdin stays open (keepStdinOpen): closing ends it, as an ssh connection's end would. */
  private readonly openStdin = new Set<NodeJS.WritableStream>();

  constructor(
    readonly name: string,
    private readonly commandTimeoutMs?: number,
  ) {}

  async connect(): Promise<void> {
    this.stats.connections = 1;
  }

  async exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    const rendered = command.render();
    this.stats.execs += 1;
    const timeoutMs = options.timeoutMs ?? this.commandTimeoutMs;
    return supervise(command, this.name, { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) }, (finish) => {
      // Its own process group, so a timeout can stop everything the command started.
      const child = spawn('/bin/sh', ['-c', rendered], { stdio: 'pipe', detached: true });
      const output = new OutputCollector(options);
      child.stdout.on('data', output.onStdout);
      child.stderr.on('data', output.onStderr);
      // A command that exits without reading its stdin closes the pipe: not an error of ours.
      child.stdin.on('error', () => {});
      if (!options.keepStdinOpen) child.stdin.end(options.stdin);
      else {
        if (options.stdin !== undefined) child.stdin.write(options.stdin);
        this.openStdin.add(child.stdin);
        child.on('close', () => this.openStdin.delete(child.stdin));
      }
      child.on('error', (error) =>
        finish(new RunbookError('RB_COMMAND_FAILED', `cannot start /bin/sh on ${this.name}: ${error.message}`, { cause: error })),
      );
      child.on('close', (code, signal) => finish(output.result(code, signal)));
      return {
        kill: () => {
          if (child.pid === undefined) return;
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // The group is already gone.
          }
        },
      };
    });
  }

  async close(): Promise<void> {
    for (const stdin of this.openStdin) stdin.end();
    this.openStdin.clear();
  }
}
