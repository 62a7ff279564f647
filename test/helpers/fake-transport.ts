import { readFileSync } from 'node:fs';
import { RunbookError } from '../../src/errors.js';
import { hostFactsCommand } from '../../src/facts/host.js';
import type { Command } from '../../src/shell/command.js';
import type { ConnectionSettings, ExecResult, Transport, TransportStats } from '../../src/transport/types.js';

/** What a command answers; missing fields mean a silent success (exit 0, no output). */
export type Reply = Partial<ExecResult>;

/** Answers a command, given its exact text as the host receives it. */
export type Script = (command: string, host: string) => Reply | undefined;

export interface FakeHost {
  /** Output of the host-facts command; default a Debian 12 host logged in as root, named after the host. */
  facts?: string;
  /** Connecting fails with this message: the host is unreachable. */
  unreachable?: string;
}

/** One exec as a host received it. */
export interface FakeExec {
  host: string;
  /** The commands it held: each probe of a batch, else the one command; the facts command as FACTS. */
  commands: string[];
}

/** Stands for the host-facts command in FakeExec.commands. */
export const FACTS = '<host facts>';

/** Replies of the file-state probe (src/modules/lib/remote-file.ts), e.g. for `creates`: root's 12-byte file, mode 0644. */
export const FILE_EXISTS: Reply = { stdout: '81a4\nroot\n0\nroot\n0\n12\n' };
export const FILE_ABSENT: Reply = { code: 3 };

/** The path a file-state probe reads; undefined for any other command. */
export function statPath(command: string): string | undefined {
  return /LC_ALL=C stat --printf=\S+ -- (\S+) 2>&1/.exec(command)?.[1];
}

/** Replies of the creates/removes glob probe (src/modules/lib/guards.ts). */
export const GUARD_MATCHES: Reply = { stdout: 'found\n' };
export const GUARD_MATCHES_NOTHING: Reply = { stdout: 'none\n' };

/** The glob a creates/removes probe reads; undefined for any other command. */
export function guardPath(command: string): string | undefined {
  return /^rb_pattern=(\S+)\n/.exec(command)?.[1];
}

const DEBIAN_FACTS = readFileSync(new URL('../unit/facts/fixtures/debian-12-sandbox-kvm1.txt', import.meta.url), 'utf8');
const FACTS_TEXT = hostFactsCommand().render();

/**
 * A Transport double for the engine's unit tests (RunOptions.createTransport): hosts answer the
 * host-facts command by themselves and every other command (a step, or each probe of a batch) by a
 * scripted function; every exec is recorded. It runs nothing and speaks no SSH.
 */
export class FakeTransports {
  readonly execs: FakeExec[] = [];

  constructor(
    private readonly script: Script = () => undefined,
    private readonly hosts: Record<string, FakeHost> = {},
  ) {}

  /** For RunOptions.createTransport. */
  readonly createTransport = (settings: ConnectionSettings): Transport => {
    const host = settings.name;
    const stats: TransportStats = { connections: 0, execs: 0 };
    return {
      name: host,
      stats,
      connect: async () => {
        const failure = this.hosts[host]?.unreachable;
        if (failure !== undefined) throw new RunbookError('RB_CONNECT', failure);
        stats.connections += 1;
      },
      exec: async (command: Command) => {
        stats.execs += 1;
        return this.answer(host, command.render());
      },
      close: async () => {},
    };
  };

  /** The commands a host ran (probes and steps), in order, without the facts command. */
  commandsOn(host: string): string[] {
    return this.execs.filter((exec) => exec.host === host).flatMap((exec) => exec.commands.filter((command) => command !== FACTS));
  }

  private answer(host: string, text: string): ExecResult {
    const batch = splitBatch(text);
    const commands = batch?.commands ?? [text];
    this.execs.push({ host, commands: commands.map((command) => (command === FACTS_TEXT ? FACTS : command)) });
    const replies = commands.map((command) => this.reply(host, command));
    if (!batch) return replies[0]!;
    // What the batch's script prints (src/engine/batch.ts): each output followed by a marker line.
    return {
      code: 0,
      signal: null,
      stdout: replies.map((reply, index) => `${reply.stdout}\n${batch.nonce} ${index} ${exitCode(reply, commands[index]!)}\n`).join(''),
      stderr: replies.map((reply, index) => `${reply.stderr}\n${batch.nonce} ${index}\n`).join(''),
    };
  }

  private reply(host: string, command: string): ExecResult {
    if (command === FACTS_TEXT) {
      const facts = this.hosts[host]?.facts ?? DEBIAN_FACTS.replace(/^hostname=.*$/m, `hostname=${host}`);
      return { code: 0, signal: null, stdout: facts, stderr: '' };
    }
    return { code: 0, signal: null, stdout: '', stderr: '', ...this.script(command, host) };
  }
}

// One command of a batch: `( COMMAND ) </dev/null; rb_rc=$?; printf '\n%s %s %s\n' NONCE INDEX "$rb_rc"; printf …`.
const BATCH_ENTRY = /\( ([\s\S]*?) \) <\/dev\/null; rb_rc=\$\?; printf '\n%s %s %s\n' (RB[0-9a-f]+) (\d+) "\$rb_rc"; printf '\n%s %s\n' \2 \3 >&2\n/;

/** The probes of a batch built by src/engine/batch.ts, and its nonce; undefined for any other command. */
function splitBatch(text: string): { nonce: string; commands: string[] } | undefined {
  const entry = new RegExp(BATCH_ENTRY.source, 'y');
  const commands: string[] = [];
  let nonce: string | undefined;
  while (entry.lastIndex < text.length) {
    const match = entry.exec(text);
    if (!match || Number(match[3]) !== commands.length || (nonce !== undefined && match[2] !== nonce)) return undefined;
    nonce = match[2]!;
    commands.push(match[1]!);
  }
  return nonce === undefined ? undefined : { nonce, commands };
}

function exitCode(reply: ExecResult, command: string): number {
  if (reply.code === null) throw new Error(`fake transport: a probe of a batch always has an exit status (${command})`);
  return reply.code;
}
