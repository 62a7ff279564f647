import { randomBytes } from 'node:crypto';
import { Command, raw, sh } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';

/**
 * Several read-only commands in one exec: each runs in its own subshell with stdin closed, and a
 * marker carrying a random nonce and the exit status follows its output on stdout and stderr.
 * One round trip instead of one per probe is what makes a no-op run cheap.
 */
export interface Batch {
  command: Command;
  parse(result: ExecResult): ExecResult[];
}

export function buildBatch(commands: readonly Command[]): Batch {
  const nonce = `RB${randomBytes(9).toString('hex')}`;
  const script = Command.join(
    commands.map(
      (command, index) =>
        sh`( ${command} ) </dev/null; rb_rc=$?; printf '\n%s %s %s\n' ${nonce} ${index} "$rb_rc"; printf '\n%s %s\n' ${nonce} ${index} >&2`,
    ),
    '\n',
  );
  return {
    command: sh`${script}${raw('\n')}`,
    parse(result) {
      const stdout = split(result.stdout, nonce, STDOUT_MARKER_FIELDS);
      const stderr = split(result.stderr, nonce, STDERR_MARKER_FIELDS);
      return commands.map((_, index) => {
        const out = stdout.get(index);
        // A missing marker means the batch itself died (killed, disconnected): report that as the probe's failure.
        if (out === undefined) {
          return { code: null, signal: result.signal, stdout: '', stderr: result.stderr || 'probe batch ended early' };
        }
        return { code: out.code, signal: null, stdout: out.text, stderr: stderr.get(index)?.text ?? '' };
      });
    },
  };
}

/**
 * What follows the nonce on a marker line: the index and exit status on stdout, the index alone on
 * stderr (its empty second group stands for the status it does not carry).
 */
const STDOUT_MARKER_FIELDS = /^(\d+) (\d+)$/;
const STDERR_MARKER_FIELDS = /^(\d+)()$/;

/**
 * The text before each marker line (`\nNONCE FIELDS\n`), by index. Found with indexOf: a regular
 * expression holding the nonce would be compiled anew for every batch of every host.
 */
function split(text: string, nonce: string, fields: RegExp): Map<number, { text: string; code: number | null }> {
  const parts = new Map<number, { text: string; code: number | null }>();
  const marker = `\n${nonce} `;
  let start = 0;
  for (let at = text.indexOf(marker); at >= 0; ) {
    const lineEnd = text.indexOf('\n', at + marker.length);
    if (lineEnd < 0) break;
    const match = fields.exec(text.slice(at + marker.length, lineEnd));
    if (!match) {
      at = text.indexOf(marker, at + 1);
      continue;
    }
    parts.set(Number(match[1]), { text: text.slice(start, at), code: match[2] === '' ? null : Number(match[2]) });
    start = lineEnd + 1;
    at = text.indexOf(marker, start);
  }
  return parts;
}
