import { expect, test } from 'vitest';
import { jsonCollector } from '../../../src/report/json.js';
import { lockLine } from '../../../src/report/lock-line.js';
import { plainReporter } from '../../../src/report/plain.js';
import { createStyle } from '../../../src/report/style.js';

const holder = 'the run of root@ctl pid 1234, playbook lab.yml, since 18:02';

test('the run-lock events as lines: whom a host waits for, for how long at most; when it got the lock; a host without one', () => {
  expect(lockLine({ type: 'host:lock:wait', host: 'kvm1', path: '/run/lock/runbook.lock', holder, timeoutMs: 600_000 })).toBe(
    `waiting: [kvm1] for ${holder} (run lock /run/lock/runbook.lock; at most 600 s, --lock-timeout)`,
  );
  expect(lockLine({ type: 'host:lock:taken', host: 'kvm1', path: '/run/lock/runbook.lock', waitedMs: 3_240 })).toBe(
    'locked: [kvm1] after waiting 3.2 s; reading the host again',
  );
  expect(lockLine({ type: 'host:lock:unavailable', host: 'old', reason: 'flock (util-linux) is not installed' })).toBe(
    'not locked: [old] flock (util-linux) is not installed; this run is not kept apart from others there',
  );
});

test('plain lines show the wait once, and --json keeps whom each host waited for and how long', () => {
  const lines: string[] = [];
  const plain = plainReporter((line) => lines.push(line), createStyle(false));
  const json = jsonCollector();
  for (const event of [
    { type: 'host:lock:wait', host: 'kvm1', path: '/run/lock/runbook.lock', holder, timeoutMs: 1_000 },
    { type: 'host:lock:taken', host: 'kvm1', path: '/run/lock/runbook.lock', waitedMs: 800 },
    { type: 'host:lock:unavailable', host: 'old', reason: 'no flock' },
  ] as const) {
    plain(event);
    json.listener(event);
  }
  expect(lines).toEqual([
    `  waiting: [kvm1] for ${holder} (run lock /run/lock/runbook.lock; at most 1 s, --lock-timeout)`,
    '  locked: [kvm1] after waiting 0.8 s; reading the host again',
    '  not locked: [old] no flock; this run is not kept apart from others there',
  ]);
  expect(json.report().lockWaits).toEqual({ kvm1: { path: '/run/lock/runbook.lock', holder, waitedMs: 800 } });
  expect(json.report().lockUnavailable).toEqual({ old: 'no flock' });
});
