import { randomBytes } from 'node:crypto';
import { Command, raw, sh } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';

/**
 * Several commands in one exec: each runs in its own subshell, and a marker carrying a random nonce
 * and the exit status follows its output on stdout and stderr. One round trip instead of one per
 * probe is what makes a no-op run cheap; one per task instead of one per step, a changed run.
 */
export interface Batch {
  command: Command;
  parse(result: ExecResult): ExecResult[];
}

export function buildBatch(commands: readonly Command[]): Batch {
  return markedParts(commands.map((command) => ({ command })));
}

/** One step of a sequence: its command, whether it reads the exec's stdin, the exit codes that let the next step run. */
export interface SequencePart {
  command: Command;
  readsStdin?: boolean;
  okCodes?: readonly number[];
}

/**
 * Steps of one task in one exec, in order, as a batch is parsed: the first step whose exit status is
 * not one of its ok codes ends the sequence (the steps after it never run and have no marker). At
 * most one step reads the exec's stdin; the others have it closed, as in a batch.
 */
export function buildSequence(parts: readonly SequencePart[]): Batch {
  return markedParts(parts.map((part) => ({ ...part, okCodes: part.okCodes ?? [0] })));
}

function markedParts(parts: ReadonlyArray<SequencePart>): Batch {
  const nonce = `RB${randomBytes(9).toString('hex')}`;
  const commands = parts.map((part) => part.command);
  const script = Command.join(
    parts.map(({ command, readsStdin, okCodes }, index) => {
      const run = readsStdin ? sh`( ${command} )` : sh`( ${command} ) </dev/null`;
      const marked = sh`${run}; rb_rc=$?; printf '\n%s %s %s\n' ${nonce} ${index} "$rb_rc"; printf '\n%s %s\n' ${nonce} ${index} >&2`;
      // Exit codes come from the module's plan, never from user data; checked to be whole numbers all the same.
      if (okCodes && !okCodes.every(Number.isInteger)) throw new RangeError(`exit codes must be whole numbers: ${okCodes.join(', ')}`);
      return okCodes ? sh`${marked}; case $rb_rc in ${raw(okCodes.map(String).join('|'))}) ;; *) exit "$rb_rc" ;; esac` : marked;
    }),
    '\n',
  );
  return {
    command: sh`${script}${raw('\n')}`,
    parse(result) {
      const stdout = split(result.stdout, nonce, STDOUT_MARKER_FIELDS);
      const stderr = split(result.stderr, nonce, STDERR_MARKER_FIELDS);
      return commands.map((_, index) => {
        const out = stdout.get(index);
        // A missing marker means the exec itself died (killed, disconnected): report that as this part's failure.
        if (out === undefined) {
          return { code: null, signal: result.signal, stdout: '', stderr: result.stderr || 'the exec ended before this command finished' };
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
