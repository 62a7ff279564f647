import { RunbookError } from '../errors.js';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../facts/host.js';
import type { Play, Task } from '../load/model.js';
import type { Command } from '../shell/command.js';
import { becomeCommand, needsBecome } from '../transport/become.js';
import { createTransport, resolveConnection } from '../transport/settings.js';
import type { ExecOptions, ExecResult } from '../transport/types.js';
import { buildBatch } from './batch.js';
import { exitDescription, tail } from './exec-result.js';
import type { HostState } from './host-state.js';
import type { RunOptions } from './options.js';
import type { ProbeCache } from './probe-cache.js';
import type { Variables } from './vars.js';

/** The host cannot be reached, or its facts cannot be read: it is left out for the rest of the run. */
export class HostUnreachable extends Error {}

/** One transport per host, opened when a task first needs the host; its facts are read at once. */
export class Connections {
  constructor(
    private readonly options: RunOptions,
    private readonly variables: Variables,
    private readonly probeCache: ProbeCache,
  ) {}

  /**
   * Connects and reads the host's facts. `readAhead` (called only when connecting) names probes
   * that need no facts, read in the same exec: a converged play then costs one round trip per host.
   */
  async ensureConnected(host: HostState, play: Play, readAhead?: () => ReadonlyMap<string, Command>): Promise<void> {
    if (host.unreachable) throw new HostUnreachable(`${host.name} is unreachable`);
    if (host.transport && host.facts) return;
    host.connecting ??= (async () => {
      const vars = this.variables.ofHost(host.name);
      const settings = resolveConnection(host.name, play.connection ? { ...vars, ansible_connection: play.connection } : vars, {
        hostKeyPolicy: this.options.hostKeyPolicy,
        connectTimeoutMs: this.options.connectTimeoutMs,
      });
      const transport = (this.options.createTransport ?? createTransport)(settings);
      try {
        await transport.connect();
      } catch (error) {
        throw new HostUnreachable(error instanceof Error ? error.message : String(error));
      }
      host.transport = transport;
      host.learnFacts(await this.readFacts(host, readAhead?.() ?? new Map()));
    })();
    try {
      await host.connecting;
    } catch (error) {
      host.unreachable = true;
      throw error;
    }
  }

  /** Runs a command on a connected host; losing the connection makes the host unreachable. */
  async exec(host: HostState, command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    if (!host.transport) throw new RunbookError('RB_INTERNAL', `no connection to ${host.name}`);
    const timeoutMs = options.timeoutMs ?? this.options.commandTimeoutMs;
    try {
      return await host.transport.exec(command, { ...options, ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    } catch (error) {
      if (error instanceof RunbookError && (error.code === 'RB_CONNECT' || error.code === 'RB_AUTH')) {
        throw new HostUnreachable(error.message);
      }
      throw error;
    }
  }

  /**
   * The host's facts, read with `ahead` (probes computed without them) in the same exec. A read-ahead
   * probe that outlasts the command timeout must not cost the host its facts: they are read alone then.
   */
  private async readFacts(host: HostState, ahead: ReadonlyMap<string, Command>): Promise<HostFacts> {
    const readStart = this.probeCache.readStart();
    const batch = buildBatch([hostFactsCommand(), ...ahead.values()]);
    let results: ExecResult[];
    try {
      results = batch.parse(await this.exec(host, batch.command));
    } catch (error) {
      if (ahead.size === 0 || !(error instanceof RunbookError && error.code === 'RB_TIMEOUT')) throw error;
      results = [await this.exec(host, hostFactsCommand())];
    }
    const facts = results[0]!;
    if (facts.code !== 0) throw new HostUnreachable(`could not read host facts: ${exitDescription(facts)}${tail(facts.stderr)}`);
    [...ahead.keys()].forEach((text, index) => {
      const output = results[index + 1];
      if (output) this.probeCache.remember(host.name, readStart, text, output);
    });
    return parseHostFacts(facts);
  }
}

/** The command as the task's become settings run it on the host: through sudo unless already that user. */
export function withBecome(command: Command, play: Play, task: Task, host: HostState): Command {
  const become = task.become ?? play.become;
  const user = task.becomeUser ?? play.becomeUser;
  if (!become || !needsBecome(host.facts?.user ?? '', user)) return command;
  return becomeCommand(command, user);
}
