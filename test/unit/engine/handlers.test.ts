import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { GUARD_MATCHES_NOTHING, GUARD_MATCHES, FakeTransports, guardPath } from '../../helpers/fake-transport.js';

/** web1 lacks the files test/fixtures/engine/handlers.yml creates (and fails to verify); web2 has them. */
function handlerHosts(): FakeTransports {
  return new FakeTransports((command, host) => {
    if (guardPath(command)) return host === 'web1' ? GUARD_MATCHES_NOTHING : GUARD_MATCHES;
    if (command.includes('verify-app') && host === 'web1') return { code: 1 };
    return undefined;
  });
}

test('handlers run once at the end of the play, on the hosts that notified them, even one whose later task failed', async () => {
  const fake = handlerHosts();
  const run = await runFixture('handlers.yml', fake);
  expect(run.statuses('write config')).toEqual({ web1: 'changed', web2: 'ok' });
  expect(run.results('write config').web2?.message).toBe('creates /etc/app/config exists');
  expect(run.statuses('verify')).toEqual({ web1: 'failed', web2: 'changed' });
  // Notified twice on web1 (by name and through `listen`), never on web2; the other handler never.
  expect(run.tasks).toEqual(['write config', 'write plugins', 'verify', 'restart app', 'after']);
  expect(run.events.find((event) => event.type === 'task:start' && event.name === 'restart app')).toMatchObject({ handler: true, hosts: ['web1'] });
  expect(run.statuses('restart app')).toEqual({ web1: 'changed' });
  expect(fake.commandsOn('web1').filter((command) => command.includes('systemctl'))).toEqual(['exec systemctl restart app </dev/null']);
  expect(fake.commandsOn('web2').filter((command) => command.includes('systemctl'))).toEqual([]);
  // The failure still stops web1 for the rest of the run.
  expect(run.statuses('after')).toEqual({ web2: 'ok' });
});

test('check mode runs nothing and reports what would change', async () => {
  const fake = handlerHosts();
  const run = await runFixture('handlers.yml', fake, { check: true });
  for (const host of ['web1', 'web2']) expect(fake.commandsOn(host).every((command) => guardPath(command) !== undefined)).toBe(true);
  expect(run.results('write config').web1).toMatchObject({ status: 'changed', message: 'would run: write-config', commands: ['exec write-config </dev/null'] });
  expect(run.statuses('verify')).toEqual({ web1: 'changed', web2: 'changed' });
  expect(run.results('restart app')).toEqual({ web1: expect.objectContaining({ status: 'changed', message: 'would run: systemctl restart app' }) });
  expect(run.statuses('after')).toEqual({ web1: 'ok', web2: 'ok' });
});

test('check mode skips a task that reads the registered result of a command that did not run', async () => {
  const run = await runFixture('results.yml', new FakeTransports(), { check: true });
  expect(run.results('show version').web1).toMatchObject({
    status: 'skipped',
    message: 'check mode: depends on the result of "version", which check mode did not produce',
    awaitsEarlierTask: true,
  });
});

test("lastTask stops the run after that task and its play's notified handlers (apply --up-to)", async () => {
  const run = await runFixture('handlers.yml', handlerHosts(), { lastTask: 'p0.t1' });
  expect(run.tasks).toEqual(['write config', 'write plugins', 'restart app']);
  expect(run.summary.interrupted).toBe(false);
});
