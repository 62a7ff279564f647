import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

/** optional-tool is missing everywhere; required-tool fails on web1. */
function failingHosts(): FakeTransports {
  return new FakeTransports((command, host) => {
    if (command.includes('optional-tool')) return { code: 127, stderr: 'sh: 1: optional-tool: not found\n' };
    if (command.includes('required-tool') && host === 'web1') return { code: 2, stderr: 'missing input\n' };
    return undefined;
  });
}

test('ignore_errors counts a failure as ignored (and ok), and the host goes on', async () => {
  const run = await runFixture('failures.yml', failingHosts());
  expect(run.results('optional').web1).toMatchObject({
    status: 'ok',
    ignored: true,
    message: 'run optional-tool failed: exit 127 (command not found)\nsh: 1: optional-tool: not found',
  });
  expect(run.statuses('required')).toEqual({ web1: 'failed', web2: 'changed' });
  expect(run.results('required').web1?.message).toBe('run required-tool failed: exit 2\nmissing input');
  expect(run.summary.recap.web2).toEqual({ ok: 2, changed: 1, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 1 });
});

test('a failed task stops its host only', async () => {
  const run = await runFixture('failures.yml', failingHosts());
  expect(run.events.find((event) => event.type === 'task:start' && event.name === 'last')).toMatchObject({ hosts: ['web2'] });
  expect(run.statuses('last')).toEqual({ web2: 'ok' });
  expect(run.summary.recap.web1).toEqual({ ok: 1, changed: 0, skipped: 0, failed: 1, unreachable: 0, rescued: 0, ignored: 1 });
});

test('keepGoing: a host goes on after a failed task (grading reads every step)', async () => {
  const run = await runFixture('failures.yml', failingHosts(), { keepGoing: true });
  expect(run.statuses('last')).toEqual({ web1: 'ok', web2: 'ok' });
  expect(run.summary.recap.web1).toEqual({ ok: 2, changed: 0, skipped: 0, failed: 1, unreachable: 0, rescued: 0, ignored: 1 });
});

test('an unreachable host is reported once, then left out of every later task and play', async () => {
  const fake = new FakeTransports(undefined, { db1: { unreachable: 'connect ECONNREFUSED 192.0.2.7:22' } });
  const run = await runFixture('unreachable.yml', fake);
  expect(run.results('one').db1).toMatchObject({ status: 'unreachable', message: 'connect ECONNREFUSED 192.0.2.7:22' });
  expect(run.events.filter((event) => event.type === 'host:unreachable')).toEqual([
    { type: 'host:unreachable', host: 'db1', message: 'connect ECONNREFUSED 192.0.2.7:22' },
  ]);
  const hostsOf = (task: string) => run.events.find((event) => event.type === 'task:start' && event.name === task);
  expect(hostsOf('two')).toMatchObject({ hosts: ['web1', 'web2'] });
  expect(hostsOf('three')).toMatchObject({ hosts: ['web1', 'web2'] });
  expect(run.summary.recap.db1).toEqual({ ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 1, rescued: 0, ignored: 0 });
  expect(run.summary.transportStats.db1).toEqual({ connections: 0, execs: 0 });
  expect(fake.execs.filter((exec) => exec.host === 'db1')).toEqual([]);
  expect(run.summary.recap.web1).toMatchObject({ changed: 2, ok: 1, unreachable: 0 });
});

test('a host whose facts output is truncated is unreachable with the reason; the others go on', async () => {
  const fake = new FakeTransports(undefined, { db1: { facts: 'facts_start=1\nosrel=ID=debian\nhostname=db1\n' } });
  const run = await runFixture('unreachable.yml', fake);
  const message = 'facts output from db1 is truncated (no end marker after 3 lines; the last: "hostname=db1")';
  expect(run.results('one').db1).toMatchObject({ status: 'unreachable', message });
  expect(run.events.filter((event) => event.type === 'host:unreachable')).toEqual([{ type: 'host:unreachable', host: 'db1', message }]);
  expect(run.summary.recap.db1).toMatchObject({ ok: 0, failed: 0, unreachable: 1 });
  expect(run.summary.recap.web1).toMatchObject({ changed: 2, ok: 1, unreachable: 0 });
  expect(run.summary.recap.web2).toMatchObject({ changed: 2, ok: 1, unreachable: 0 });
});
