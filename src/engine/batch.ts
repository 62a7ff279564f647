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
      const stdout = split(result.stdout, new RegExp(`\\n${nonce} (\\d+) (\\d+)\\n`, 'g'));
      const stderr = split(result.stderr, new RegExp(`\\n${nonce} (\\d+)\\n`, 'g'));
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

function split(text: string, marker: RegExp): Map<number, { text: string; code: number | null }> {
  const parts = new Map<number, { text: string; code: number | null }>();
  let start = 0;
  for (const match of text.matchAll(marker)) {
    const index = Number(match[1]);
    parts.set(index, { text: text.slice(start, match.index), code: match[2] === undefined ? null : Number(match[2]) });
    start = match.index + match[0].length;
  }
  return parts;
}
