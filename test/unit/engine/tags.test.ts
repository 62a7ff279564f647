import { expect, test } from 'vitest';
import type { RunOptions } from '../../../src/engine/runner.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

/** The tasks of test/fixtures/engine/tags.yml that run with these options, in order. */
async function tasksRun(options: Partial<RunOptions>): Promise<string[]> {
  return (await runFixture('tags.yml', new FakeTransports(), options)).tasks;
}

test('without --tags or --skip-tags every task runs', async () => {
  expect(await tasksRun({})).toEqual(['untagged', 'configure', 'deploy', 'report', 'migrate']);
});

test('--tags runs the tasks with any of the tags, and those tagged always', async () => {
  expect(await tasksRun({ tags: ['config'] })).toEqual(['configure', 'report']);
  expect(await tasksRun({ tags: ['slow', 'config'] })).toEqual(['configure', 'deploy', 'report']);
});

test("a play's tags are its tasks' own", async () => {
  expect(await tasksRun({ tags: ['db'] })).toEqual(['report', 'migrate']);
});

test('--tags untagged runs the tasks without any tag, a play tag counting as one', async () => {
  expect(await tasksRun({ tags: ['untagged'] })).toEqual(['untagged', 'report']);
});

test('--skip-tags leaves out the tasks with any of the tags, but not those tagged always', async () => {
  expect(await tasksRun({ skipTags: ['deploy', 'db'] })).toEqual(['untagged', 'configure', 'report']);
});

test('--skip-tags wins over --tags', async () => {
  expect(await tasksRun({ tags: ['config'], skipTags: ['config'] })).toEqual(['report']);
});

test('a task left out is not counted, and a host none of whose tasks run is never contacted', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('tags.yml', fake, { tags: ['config'] });
  expect(run.summary.recap.web1).toEqual({ ok: 2, changed: 0, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 0 });
  expect(run.summary.recap.db1).toEqual({ ok: 0, changed: 0, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 0 });
  expect(run.summary.transportStats).toEqual({ web1: { connections: 1, execs: 1 }, db1: { connections: 0, execs: 0 } });
  expect(fake.execs.map((exec) => exec.host)).toEqual(['web1']);
});

// Ansible's rules (Taggable.evaluate_tags in ansible-core 2.14), each checked against what
// ansible-playbook runs for the same tags.
test('a task tagged never runs only when asked for by one of its tags', async () => {
  expect(await tasksRun({})).not.toContain('debug dump');
  expect(await tasksRun({ tags: ['debug'] })).toEqual(['report', 'debug dump']);
  expect(await tasksRun({ tags: ['never'] })).toEqual(['report', 'debug dump']);
  expect(await tasksRun({ tags: ['all'] })).not.toContain('debug dump');
});

test('--skip-tags always skips the tasks tagged always; --skip-tags all skips all but them', async () => {
  expect(await tasksRun({ skipTags: ['always'] })).toEqual(['untagged', 'configure', 'deploy', 'migrate']);
  expect(await tasksRun({ skipTags: ['all'] })).toEqual(['report']);
});

test('--tags tagged runs every tagged task (not never); --skip-tags tagged leaves the untagged', async () => {
  expect(await tasksRun({ tags: ['tagged'] })).toEqual(['configure', 'deploy', 'report', 'migrate']);
  expect(await tasksRun({ skipTags: ['tagged'] })).toEqual(['untagged']);
});
