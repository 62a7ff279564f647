import { RunbookError } from '../errors.js';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../facts/host.js';
import type { Play, Task } from '../load/model.js';
import type { Command } from '../shell/command.js';
import { becomeCommand, needsBecome } from '../transport/become.js';
import { createTransport, resolveConnection } from '../transport/settings.js';
import type { ConnectionSettings, ExecOptions, ExecResult } from '../transport/types.js';
import { buildBatch } from './batch.js';
import { exitDescription, tail } from './exec-result.js';
import { flagValue } from './flags.js';
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
   * A task gives its `login`: its remote_user keyword, rendered (undefined when it has none), logs in
   * as that user where the inventory sets no ansible_user, and a host reached as another user is
   * reached again. Without `login` (a step or probe on another host) the connection there is kept.
   */
  async ensureConnected(
    host: HostState,
    play: Play,
    readAhead?: () => ReadonlyMap<string, Command>,
    login?: { remoteUser: string | undefined },
  ): Promise<void> {
    if (host.unreachable) throw new HostUnreachable(`${host.name} is unreachable`);
    const remoteUser = login ? login.remoteUser : host.login?.remoteUser;
    if (host.transport && host.facts) {
      if (host.login?.remoteUser === remoteUser) return;
      const user = this.settings(host, play, remoteUser).user;
      if (host.login?.user === user) {
        host.login = { remoteUser, user };
        return;
      }
      const previous = host.transport;
      host.transport = undefined;
      host.connecting = undefined;
      // What was read as the other user may read otherwise now.
      this.probeCache.forget(host.name);
      await previous.close().catch(() => undefined);
    }
    host.connecting ??= (async () => {
      const settings = this.settings(host, play, remoteUser);
      const transport = (this.options.createTransport ?? createTransport)(settings);
      try {
        await transport.connect();
      } catch (error) {
        throw new HostUnreachable(error instanceof Error ? error.message : String(error));
      }
      host.transport = transport;
      host.login = { remoteUser, user: settings.user };
      host.learnFacts(await this.readFacts(host, readAhead?.() ?? new Map()));
    })();
    try {
      await host.connecting;
    } catch (error) {
      host.unreachable = true;
      throw error;
    }
  }

  /**
   * How to reach the host. As in Ansible (PlayContext.set_task_and_variable_override), the host's
   * variables win over the keywords: ansible_connection over `connection`, ansible_user over
   * `remote_user`, which wins over ansible.cfg's remote_user.
   */
  private settings(host: HostState, play: Play, remoteUser: string | undefined): ConnectionSettings {
    const vars = this.variables.ofHost(host.name);
    const defaults = { ...this.options.connectionDefaults, ...(remoteUser === undefined ? {} : { user: remoteUser }) };
    return resolveConnection(host.name, play.connection ? { ansible_connection: play.connection, ...vars } : vars, {
      hostKeyPolicy: this.options.hostKeyPolicy,
      connectTimeoutMs: this.options.connectTimeoutMs,
      defaults,
    });
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

/** The command as the task's become settings (read with the task's variables) run it on the host: through sudo unless already that user. */
export function withBecome(command: Command, play: Play, task: Task, host: HostState, vars: Record<string, unknown>): Command {
  const become = flagValue(task.become ?? play.become, vars, 'become');
  const user = task.becomeUser ?? play.becomeUser;
  if (!become || !needsBecome(host.facts?.user ?? '', user)) return command;
  return becomeCommand(command, user, { ...play.becomeMethod, ...task.becomeMethod });
}
