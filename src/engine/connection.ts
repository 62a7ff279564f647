import { RunbookError } from '../errors.js';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../facts/host.js';
import { UnreadableFacts } from '../facts/probe-output.js';
import type { Play, Task } from '../load/model.js';
import type { Command } from '../shell/command.js';
import { becomeCommand, needsBecome } from '../transport/become.js';
import { createTransport, resolveConnection } from '../transport/settings.js';
import type { ConnectionSettings, ExecOptions, ExecResult } from '../transport/types.js';
import { buildBatch } from './batch.js';
import { exitDescription, tail } from './exec-result.js';
import type { RunEventListener } from './events.js';
import { flagValue } from './flags.js';
import type { HostState } from './host-state.js';
import type { RunLockOptions, RunOptions } from './options.js';
import type { ProbeCache } from './probe-cache.js';
import { describeHolder, lockCommand, TargetLock, type LockReport } from './run-lock.js';
import type { Variables } from './vars.js';

/** The host cannot be reached, or its facts cannot be read: it is left out for the rest of the run. */
export class HostUnreachable extends Error {}

/**
 * Another run held the host's run lock for longer than --lock-timeout, or the run was interrupted
 * while it waited: the host fails (it is not unreachable) and nothing runs on it.
 */
export class HostLocked extends Error {}

/** One transport per host, opened when a task first needs the host; its facts are read at once. */
export class Connections {
  constructor(
    private readonly options: RunOptions,
    private readonly variables: Variables,
    private readonly probeCache: ProbeCache,
    private readonly emit: RunEventListener,
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
      // A connection that dropped took the run lock with it: connect (and lock) again.
      const lockLost = host.lock?.state === 'lost';
      if (!lockLost && host.login?.remoteUser === remoteUser) return;
      const user = this.settings(host, play, remoteUser).user;
      if (!lockLost && host.login?.user === user) {
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
      // The lock is asked for in parallel with the facts: no round trip more when it is free.
      const lock = this.options.lock ? new TargetLock((command, options) => transport.exec(command, options), lockCommand(this.options.lock.owner)) : undefined;
      host.lock = lock;
      let facts: HostFacts;
      try {
        facts = await this.readFacts(host, readAhead?.() ?? new Map());
      } catch (error) {
        lock?.stop();
        throw error;
      }
      if (lock && this.options.lock && (await this.awaitLock(host, lock, this.options.lock)) === 'waited') {
        // What was read while another run was writing may be stale.
        this.probeCache.forget(host.name);
        facts = await this.readFacts(host, readAhead?.() ?? new Map());
      }
      host.learnFacts(facts);
    })();
    try {
      await host.connecting;
    } catch (error) {
      if (error instanceof HostLocked) {
        const transport = host.transport;
        host.transport = undefined;
        await transport?.close().catch(() => undefined);
      } else {
        host.unreachable = true;
      }
      throw error;
    }
  }

  /**
   * Until the host's lock is held by this run: at once when it was free ('free'), after another run
   * let go of it ('waited'). A lock this run already holds through another name of the same machine
   * counts as held; a host that cannot lock goes on without (and says so). Throws HostLocked after
   * --lock-timeout or when the run is interrupted, HostUnreachable when the connection ends.
   */
  private awaitLock(host: HostState, lock: TargetLock, settings: RunLockOptions): Promise<'free' | 'waited'> {
    const signal = this.options.signal;
    return new Promise((resolve, reject) => {
      let waitStarted: number | undefined;
      let busy: Extract<LockReport, { kind: 'busy' }> | undefined;
      let timer: NodeJS.Timeout | undefined;
      const settle = (outcome: 'free' | 'waited' | Error): void => {
        unwatch();
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const holderText = (): string => (busy ? describeHolder(busy.holder, busy.now) : 'another run');
      const onAbort = (): void => {
        lock.stop();
        settle(new HostLocked(`interrupted while waiting for the run lock on ${host.name}, held by ${holderText()}`));
      };
      const onReport = (report: LockReport | 'ended'): void => {
        if (report === 'ended') {
          settle(new HostUnreachable(`the connection to ${host.name} ended while taking the run lock`));
        } else if (report.kind === 'held') {
          if (waitStarted !== undefined) this.emit({ type: 'host:lock:taken', host: host.name, path: report.path, waitedMs: Date.now() - waitStarted });
          settle(waitStarted === undefined ? 'free' : 'waited');
        } else if (report.kind === 'unusable') {
          this.emit({ type: 'host:lock:unavailable', host: host.name, reason: report.reason });
          settle('free');
        } else if (report.holder?.token === settings.owner.token) {
          // This run holds it already, over another name of the same machine.
          lock.stop('shared');
          settle(waitStarted === undefined ? 'free' : 'waited');
        } else {
          busy = report;
          if (waitStarted !== undefined) return;
          waitStarted = Date.now();
          if (settings.timeoutMs <= 0) {
            lock.stop();
            settle(new HostLocked(`the run lock ${report.path} on ${host.name} is held by ${holderText()}; not waiting (--lock-timeout 0)`));
            return;
          }
          this.emit({ type: 'host:lock:wait', host: host.name, path: report.path, holder: holderText(), timeoutMs: settings.timeoutMs });
          timer = setTimeout(() => {
            lock.stop();
            settle(
              new HostLocked(
                `the run lock ${report.path} on ${host.name} is held by ${holderText()}; gave up after waiting ${settings.timeoutMs / 1000} s (--lock-timeout)`,
              ),
            );
          }, settings.timeoutMs);
        }
      };
      const unwatch = lock.watch(onReport);
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (lock.latest?.kind === 'held' || lock.latest?.kind === 'unusable') onReport(lock.latest);
      else if (lock.ended) onReport('ended');
      else if (lock.latest) onReport(lock.latest);
    });
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
    // Nothing runs on a host whose run lock went with a dropped connection (another run may hold it now).
    if (host.lock?.state === 'lost') throw new HostUnreachable(`the connection to ${host.name} dropped, and with it this run's lock there`);
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
    let parsed: HostFacts;
    try {
      parsed = parseHostFacts(facts, host.name);
    } catch (error) {
      if (!(error instanceof UnreadableFacts)) throw error;
      // The end marker, not the exit status, says whether the script finished.
      const ended = facts.code === 0 ? '' : `; the script ended with ${exitDescription(facts)}`;
      throw new HostUnreachable(`${error.message}${ended}${tail(facts.stderr)}`);
    }
    [...ahead.keys()].forEach((text, index) => {
      const output = results[index + 1];
      if (output) this.probeCache.remember(host.name, readStart, text, output);
    });
    return parsed;
  }
}

/** The command as the task's become settings (read with the task's variables) run it on the host: through sudo unless already that user. */
export function withBecome(command: Command, play: Play, task: Task, host: HostState, vars: Record<string, unknown>): Command {
  const become = flagValue(task.become ?? play.become, vars, 'become');
  const user = task.becomeUser ?? play.becomeUser;
  if (!become || !needsBecome(host.facts?.user ?? '', user)) return command;
  return becomeCommand(command, user, { ...play.becomeMethod, ...task.becomeMethod });
}
