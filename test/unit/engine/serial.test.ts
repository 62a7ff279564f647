import { expect, test } from 'vitest';
import { playBatches } from '../../../src/engine/serial.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

const INVENTORY = 'keyword-hosts.yml';
const APP = ['app1', 'app2', 'app3', 'app4', 'app5'];

/** `check` fails on these hosts. */
function failingOn(...hosts: string[]): FakeTransports {
  return new FakeTransports((command, host) => (command.includes('check') && hosts.includes(host) ? { code: 1, stderr: 'not ready' } : undefined));
}

/** Each task or handler started, with the hosts it started on. */
function started(events: Awaited<ReturnType<typeof runFixture>>['events']): string[] {
  return events.flatMap((event) => (event.type === 'task:start' ? [`${event.name} ${event.hosts.join(',')}`] : []));
}

// PlaybookExecutor._get_serialized_batches and utils.helpers.pct_to_int: each size in turn, a
// percentage of all the play's hosts rounded down (at least 1), the last size repeating; 0 or none: all.
test('serial cuts the hosts in batches as Ansible does', () => {
  expect(playBatches(APP, [])).toEqual([APP]);
  expect(playBatches(APP, [2])).toEqual([['app1', 'app2'], ['app3', 'app4'], ['app5']]);
  expect(playBatches(APP, [1, '40%'])).toEqual([['app1'], ['app2', 'app3'], ['app4', 'app5']]);
  expect(playBatches(APP, ['10%'])).toEqual(APP.map((host) => [host]));
  expect(playBatches(APP, [1, 0])).toEqual([['app1'], ['app2', 'app3', 'app4', 'app5']]);
  expect(playBatches(APP, [10])).toEqual([APP]);
});

// Ansible's docs (Setting the batch size with serial): the play runs from start to finish, handlers
// included, on each batch before the next starts; ansible_play_batch holds the batch's hosts.
test('a serial play runs all its tasks and handlers on each batch before the next', async () => {
  const run = await runFixture('serial.yml', new FakeTransports(), {}, INVENTORY);
  expect(started(run.events)).toEqual([
    'step app1', 'batch app1', 'restart app1',
    'step app2,app3', 'batch app2,app3', 'restart app2,app3',
    'step app4,app5', 'batch app4,app5', 'restart app4,app5',
  ]);
  expect(run.results('batch').app2?.message).toBe('app2,app3 of 5');
  expect(run.events.filter((event) => event.type === 'play:start')).toHaveLength(1);
});

// PlaybookExecutor.run: when every host of a batch failed, the play ends and so does the run.
test('a batch whose every host failed ends the run', async () => {
  const run = await runFixture('serial-batch-fails.yml', failingOn('app1', 'app2'), {}, INVENTORY);
  expect(started(run.events)).toEqual(['check app1,app2']);
  expect(Object.keys(run.summary.recap)).not.toContain('app3');
});

test('a batch where some hosts failed lets the next batches run', async () => {
  const run = await runFixture('serial-batch-fails.yml', failingOn('app1'), {}, INVENTORY);
  expect(started(run.events)).toEqual(['check app1,app2', 'next app2', 'check app3,app4', 'next app3,app4', 'check app5', 'next app5', 'later db1']);
});

// Ansible's docs (Aborting a play on all hosts): with any_errors_fatal, a failure on one host fails
// every host after that task, and the play (and run) ends.
test('any_errors_fatal ends the play on every host after the failing task', async () => {
  const run = await runFixture('serial-any-errors-fatal.yml', failingOn('app3'), {}, INVENTORY);
  expect(run.statuses('check')).toEqual({ app1: 'changed', app2: 'changed', app3: 'failed', app4: 'changed', app5: 'changed' });
  expect(run.tasks).toEqual(['check']);
  expect(run.summary.recap.app1).toMatchObject({ changed: 1, failed: 0 });
});

// StrategyModule.run (linear): a host whose failure a block's rescue handles is not failed, so
// any_errors_fatal does not end the play for it.
test('any_errors_fatal leaves a failure that a rescue catches to the rescue', async () => {
  const run = await runFixture('serial-rescued.yml', failingOn('app1'), {}, INVENTORY);
  expect(run.statuses('rescued')).toEqual({ app1: 'ok' });
  expect(run.statuses('next')).toEqual({ app1: 'ok', app2: 'ok' });
});

// Ansible's docs (Setting a maximum failure percentage): the play aborts once more than that
// percentage of the batch's hosts failed; exactly that percentage does not abort it.
test('max_fail_percentage aborts the play only once more than that share of hosts failed', async () => {
  const within = await runFixture('serial-max-fail-percentage.yml', failingOn('app1'), {}, INVENTORY);
  expect(within.tasks).toEqual(['check', 'next', 'later']);
  const beyond = await runFixture('serial-max-fail-percentage.yml', failingOn('app1', 'app2'), {}, INVENTORY);
  expect(beyond.tasks).toEqual(['check']);
});
