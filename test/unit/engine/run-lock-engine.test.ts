import { describe, expect, test } from 'vitest';
import type { RunEvent } from '../../../src/engine/events.js';
import type { RunLockOptions } from '../../../src/engine/options.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FACTS, FakeTransports, GUARD_MATCHES, guardPath } from '../../helpers/fake-transport.js';
import type { ConnectionSettings, ExecOptions, ExecResult, Transport } from '../../../src/transport/types.js';
import type { Command } from '../../../src/shell/command.js';

// The engine's side of the run lock, over fake transports whose lock channel is scripted per host.

const OWN = { who: 'me@here', pid: 1, playbook: 'converged.yml', token: 'own-token' };
const lock = (timeoutMs: number): RunLockOptions => ({ owner: OWN, timeoutMs });
const PATH = '/run/lock/runbook.lock';
const busyLine = (token = 'other', who = 'root@ctl', pid = 1234, playbook = 'lab.yml') =>
  `runbook-lock busy ${PATH}\t1700000100\t1\t777\t1700000000\t${token}\t${who}\t${pid}\t${playbook}\n`;

type LockScript = 'free' | 'busy' | 'busy-then-free' | 'own';

/** FakeTransports, with each host's lock channel answering as `locks` says; `stopped` lists the hosts whose channel was stopped. */
function lockingTransports(locks: Record<string, LockScript>) {
  const fake = new FakeTransports((command) => (guardPath(command) ? GUARD_MATCHES : undefined));
  const stopped: string[] = [];
  const lockChannels: string[] = [];
  const createTransport = (settings: ConnectionSettings): Transport => {
    const inner = fake.createTransport(settings);
    const closers: Array<() => void> = [];
    return {
      name: inner.name,
      stats: inner.stats,
      connect: () => inner.connect(),
      close: async () => closers.forEach((close) => close()),
      exec: (command: Command, options: ExecOptions = {}): Promise<ExecResult> => {
        if (!command.render().startsWith('rb_lock=')) return inner.exec(command, options);
        lockChannels.push(settings.name);
        expect(options.keepStdinOpen).toBe(true);
        const say = (line: string) => setTimeout(() => options.onStdout?.(line), 5);
        const script = locks[settings.name] ?? 'free';
        if (script === 'free') say(`runbook-lock held ${PATH}\n`);
        if (script === 'busy' || script === 'busy-then-free') say(busyLine());
        if (script === 'own') say(busyLine(OWN.token, OWN.who, OWN.pid, OWN.playbook));
        if (script === 'busy-then-free') setTimeout(() => options.onStdout?.(`runbook-lock held ${PATH}\n`), 60);
        return new Promise((resolve) => {
          const end = () => resolve({ code: 0, signal: null, stdout: '', stderr: '' });
          closers.push(end);
          options.signal?.addEventListener('abort', () => {
            stopped.push(settings.name);
            end();
          });
        });
      },
    };
  };
  return { fake, stopped, lockChannels, createTransport };
}

const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) => events.filter((event): event is Extract<RunEvent, { type: T }> => event.type === type);

describe('the run lock in the engine', () => {
  test('free: asked for beside the facts, nothing waits, the facts are read once', async () => {
    const locking = lockingTransports({});
    const run = await runFixture('converged.yml', locking.fake, { lock: lock(5_000), createTransport: locking.createTransport });
    expect(run.statuses('install')).toEqual({ web1: 'ok', web2: 'ok' });
    expect(locking.lockChannels.sort()).toEqual(['web1', 'web2']);
    expect(ofType(run.events, 'host:lock:wait')).toEqual([]);
    expect(locking.fake.execs.filter((exec) => exec.host === 'web1' && exec.commands[0] === FACTS)).toHaveLength(1);
  });

  test('held by another run: one wait event naming the holder, then the host is read again and the play goes on', async () => {
    const locking = lockingTransports({ web1: 'busy-then-free' });
    const run = await runFixture('converged.yml', locking.fake, { lock: lock(5_000), createTransport: locking.createTransport });
    expect(run.statuses('install')).toEqual({ web1: 'ok', web2: 'ok' });
    const waits = ofType(run.events, 'host:lock:wait');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toMatchObject({ host: 'web1', path: PATH, timeoutMs: 5_000 });
    expect(waits[0]!.holder).toMatch(/^the run of root@ctl pid 1234, playbook lab\.yml, since \d\d:\d\d$/);
    expect(ofType(run.events, 'host:lock:taken')).toMatchObject([{ host: 'web1', path: PATH }]);
    // Facts (and the probes read ahead) read twice on web1: what was read while the other run wrote may be stale.
    expect(locking.fake.execs.filter((exec) => exec.host === 'web1' && exec.commands[0] === FACTS)).toHaveLength(2);
    expect(locking.fake.execs.filter((exec) => exec.host === 'web2' && exec.commands[0] === FACTS)).toHaveLength(1);
  });

  test('held past --lock-timeout: that host fails naming the holder (not unreachable), its lock request is stopped, the others go on', async () => {
    const locking = lockingTransports({ web1: 'busy' });
    const run = await runFixture('converged.yml', locking.fake, { lock: lock(100), createTransport: locking.createTransport });
    expect(run.statuses('install')).toEqual({ web1: 'failed', web2: 'ok' });
    expect(run.results('install').web1!.message).toMatch(
      /^the run lock \/run\/lock\/runbook\.lock on web1 is held by the run of root@ctl pid 1234, playbook lab\.yml, since \d\d:\d\d; gave up after waiting 0\.1 s \(--lock-timeout\)$/,
    );
    expect(run.statuses('report')).toEqual({ web2: 'ok' });
    expect(run.summary.recap.web1).toMatchObject({ failed: 1, unreachable: 0 });
    expect(locking.stopped).toEqual(['web1']);
    // Nothing but the facts read on web1.
    expect(locking.fake.commandsOn('web1').filter((command) => !guardPath(command))).toEqual([]);
  });

  test('--lock-timeout 0: fails at once, without waiting', async () => {
    const locking = lockingTransports({ web1: 'busy' });
    const run = await runFixture('converged.yml', locking.fake, { lock: lock(0), createTransport: locking.createTransport, limit: 'web1' });
    expect(run.results('install').web1!.message).toContain('not waiting (--lock-timeout 0)');
    expect(ofType(run.events, 'host:lock:wait')).toEqual([]);
  });

  test('held by this very run (one machine under two names): no wait', async () => {
    const locking = lockingTransports({ web2: 'own' });
    const run = await runFixture('converged.yml', locking.fake, { lock: lock(60_000), createTransport: locking.createTransport });
    expect(run.statuses('install')).toEqual({ web1: 'ok', web2: 'ok' });
    expect(ofType(run.events, 'host:lock:wait')).toEqual([]);
    expect(locking.stopped).toEqual(['web2']);
  });

  test('interrupted while waiting: the wait ends at once and the run stops', async () => {
    const locking = lockingTransports({ web1: 'busy' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const run = await runFixture('converged.yml', locking.fake, { lock: lock(60_000), createTransport: locking.createTransport, signal: controller.signal, limit: 'web1' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.summary.interrupted).toBe(true);
    expect(run.results('install').web1).toMatchObject({ status: 'failed' });
    expect(run.results('install').web1!.message).toContain('interrupted while waiting for the run lock on web1, held by the run of root@ctl');
  });

  test('no lock asked for without the lock option (check mode, grading)', async () => {
    const locking = lockingTransports({ web1: 'busy' });
    const run = await runFixture('converged.yml', locking.fake, { createTransport: locking.createTransport });
    expect(run.statuses('install')).toEqual({ web1: 'ok', web2: 'ok' });
    expect(locking.lockChannels).toEqual([]);
  });
});
