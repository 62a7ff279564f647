import { spawnSync } from 'node:child_process';
import type { Command } from '../../src/shell/command.js';
import type { ExecResult } from '../../src/transport/types.js';

/** Runs a rendered Command through the machine's real /bin/sh (dash on Debian), as a host would. */
export function runShell(command: Command, stdin?: string | Buffer, cwd?: string): ExecResult {
  const result = spawnSync('/bin/sh', ['-c', command.render()], {
    input: stdin ?? '',
    encoding: 'utf8',
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}
