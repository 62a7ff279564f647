import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { describeHolder, LOCK_FILE, lockCommand, parseLockLine, type LockOwner } from '../../../src/engine/run-lock.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';

const OWNER: LockOwner = { who: 'root@ctl', pid: 1234, playbook: 'lab.yml', token: 'tok-a' };

describe('the lock command', () => {
  test('takes /run/lock/runbook.lock (or /tmp/runbook.lock where /run/lock is not world-writable) with flock, and holds it on stdin', () => {
    const text = lockCommand(OWNER).render();
    expect(text.startsWith(`rb_lock=${LOCK_FILE}\n`)).toBe(true);
    expect(text).toContain("rb_record='tok-a\troot@ctl\t1234\tlab.yml'\n");
    expect(text).toContain('rb_lock=/tmp/runbook.lock ;;');
    expect(text).toContain('flock -n 9');
    expect(text).toContain('exec cat >/dev/null');
  });

  test('every value of the record is quoted, with its control characters (tabs and newlines separate fields) replaced', () => {
    for (const value of HOSTILE_VALUES) {
      const text = lockCommand({ ...OWNER, playbook: value, who: value }).render();
      const record = /^rb_record=(.*)$/m.exec(text)?.[1];
      expect(record, JSON.stringify(value)).toBeDefined();
      // One line, one shell word: a single-quoted string or a plain safe word.
      expect(record!, JSON.stringify(value)).toMatch(/^(?:'(?:[^']|'\\'')*'|[A-Za-z0-9_@%+=:,./?\t-]+)$/);
      expect(record!).not.toMatch(/[\n\r\0]/);
    }
  });
});

describe('the lock channel lines', () => {
  test('held, unusable, and others ignored', () => {
    expect(parseLockLine('runbook-lock held /run/lock/runbook.lock')).toEqual({ kind: 'held', path: '/run/lock/runbook.lock' });
    expect(parseLockLine('runbook-lock unusable flock (util-linux) is not installed')).toEqual({ kind: 'unusable', reason: 'flock (util-linux) is not installed' });
    expect(parseLockLine('some other output')).toBeUndefined();
    expect(parseLockLine('runbook-lock what')).toBeUndefined();
  });

  test('busy: the holder as it recorded itself, when its process is alive', () => {
    expect(parseLockLine('runbook-lock busy /run/lock/runbook.lock\t1700000100\t1\t4242\t1700000000\ttok-b\tstudent@laptop\t999\tplaybooks/lab.yml')).toEqual({
      kind: 'busy',
      path: '/run/lock/runbook.lock',
      now: 1700000100,
      holder: { since: 1700000000, token: 'tok-b', who: 'student@laptop', pid: 999, playbook: 'playbooks/lab.yml' },
    });
  });

  test('busy with a stale record (its process gone), an empty or a garbled one: holder unknown', () => {
    expect(parseLockLine('runbook-lock busy /tmp/runbook.lock\t1700000100\t0\t4242\t1700000000\ttok-b\ts@l\t999\tlab.yml')).toMatchObject({ holder: undefined });
    expect(parseLockLine('runbook-lock busy /tmp/runbook.lock\t1700000100\t0\t')).toMatchObject({ kind: 'busy', holder: undefined });
    expect(parseLockLine('runbook-lock busy /tmp/runbook.lock\t1700000100\t1\tnonsense')).toMatchObject({ kind: 'busy', holder: undefined });
    expect(parseLockLine('runbook-lock busy /tmp/runbook.lock\t1700000100\t1\t1\tx\ttok\tw\tnot-a-pid\tp')).toMatchObject({ holder: undefined });
  });

  test('the holder in words, its start in local time by the elapsed time on the target (a skewed target clock does not matter)', () => {
    const localNow = new Date(2026, 0, 5, 18, 30, 0).getTime();
    const holder = { since: 5_000, token: 't', who: 'root@ctl', pid: 1234, playbook: 'lab.yml' };
    // Started 28 minutes before the target's "now": 18:02 here.
    expect(describeHolder(holder, 5_000 + 28 * 60, localNow)).toBe('the run of root@ctl pid 1234, playbook lab.yml, since 18:02');
    expect(describeHolder(undefined, 0, localNow)).toBe('another run (it did not record who it is)');
  });
});

describe('the lock command in a real shell', () => {
  const work = mkdtempSync(join(tmpdir(), 'runbook-run-lock-'));
  // World-writable and sticky, as /run/lock on Debian: the lock file is made there.
  chmodSync(work, 0o1777);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** The script on a lock file in `work`, its stdin held open until `release()`; its lines as they come. */
  function start(owner: LockOwner) {
    const script = lockCommand(owner).render().replace(`rb_lock=${LOCK_FILE}\n`, `rb_lock=${join(work, 'runbook.lock')}\n`);
    const child = spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const ended = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const line = async (pattern: RegExp): Promise<string> => {
      for (let waited = 0; waited < 10_000; waited += 20) {
        const found = out.split('\n').find((each) => pattern.test(each));
        if (found) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      throw new Error(`no line ${pattern} in ${JSON.stringify(out)}`);
    };
    return { line, release: () => child.stdin.end(), ended, kill: () => child.kill('SIGKILL') };
  }

  test('a second taker is told who holds the lock, and holds it once the first one lets go', async () => {
    const first = start(OWNER);
    expect(parseLockLine(await first.line(/held/))).toEqual({ kind: 'held', path: join(work, 'runbook.lock') });
    expect(readFileSync(join(work, 'runbook.lock'), 'utf8')).toMatch(/^\d+\t\d+\ttok-a\troot@ctl\t1234\tlab\.yml\n/);
    const second = start({ ...OWNER, token: 'tok-b', who: "o'hara@ctl", playbook: 'two words.yml' });
    const busy = parseLockLine(await second.line(/busy/));
    expect(busy).toMatchObject({ kind: 'busy', holder: { token: 'tok-a', who: 'root@ctl', pid: 1234, playbook: 'lab.yml' } });
    first.release();
    await first.ended;
    expect(parseLockLine(await second.line(/held/))).toMatchObject({ kind: 'held' });
    expect(readFileSync(join(work, 'runbook.lock'), 'utf8')).toMatch(/^\d+\t\d+\ttok-b\to'hara@ctl\t1234\ttwo words\.yml\n/);
    second.release();
    await second.ended;
  });
});
