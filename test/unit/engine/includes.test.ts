import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_reuse.html
// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_reuse_includes.html

/** The results of the first task of that name to start (a file included twice holds tasks of the same name). */
function firstResults(run: Awaited<ReturnType<typeof runFixture>>, name: string): Record<string, string> {
  const start = run.events.find((event) => event.type === 'task:start' && event.name === name);
  return Object.fromEntries(
    run.events.flatMap((event) => (event.type === 'host:task:end' && start?.type === 'task:start' && event.taskId === start.taskId ? [[event.host, event.result.status]] : [])),
  );
}

/** The commands each host ran that the fixture's task files name. */
function ran(fake: FakeTransports, host: string): string[] {
  return fake
    .commandsOn(host)
    .map((command) => command.match(/\b(first \w+|second|nested|item \w|after-done)\b/)?.[1])
    .filter((command): command is string => command !== undefined);
}

test('import_tasks: the imported tasks take its place, each inheriting its when, tags and vars', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('includes.yml', fake);
  // "Ansible applies the condition to every imported task": web2's copy is skipped.
  expect(firstResults(run, 'first task')).toEqual({ web1: 'changed', web2: 'skipped' });
  expect(ran(fake, 'web1')[0]).toBe('first imported');
  const tagged = await runFixture('includes.yml', new FakeTransports(), { tags: ['imported'] });
  expect(tagged.tasks).toEqual(['first task']);
});

test('include_tasks: a templated file runs at its place; a relative import inside it is found beside it', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('includes.yml', fake);
  expect(run.results('include by template')).toEqual({
    web1: expect.objectContaining({ status: 'ok', message: expect.stringMatching(/^included: includes\/second\.yml$/) }),
    web2: expect.objectContaining({ status: 'ok' }),
  });
  expect(ran(fake, 'web2')).toEqual(['second', 'nested', 'item a', 'item b', 'first applied', 'after-done']);
});

test('include_tasks with loop: the whole file runs once per item, with the loop variable set', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('includes.yml', fake);
  expect(ran(fake, 'web1').filter((command) => command.startsWith('item'))).toEqual(['item a', 'item b']);
  const ids = run.events.flatMap((event) => (event.type === 'task:start' && event.name === 'item task' ? [event.taskId] : []));
  expect(new Set(ids).size).toBe(2);
});

test("include_tasks: apply gives the included tasks keywords, the include's own vars reach them", async () => {
  const fake = new FakeTransports();
  await runFixture('includes.yml', fake);
  const applied = fake.commandsOn('web1').find((command) => command.includes('first applied'));
  expect(applied).toMatch(/sudo .*-u app/);
  const imported = fake.commandsOn('web1').find((command) => command.includes('first imported'));
  expect(imported).not.toMatch(/sudo /);
});

test("include_tasks' when is evaluated once, on the include; import_tasks' on each imported task", async () => {
  const run = await runFixture('includes.yml', new FakeTransports());
  // include once: set done, then after done still runs although done is now defined.
  // import once: its when is copied to both tasks, and done is defined by then: both skipped.
  const afterDone = run.events.filter((event) => event.type === 'task:start' && event.name === 'after done');
  expect(afterDone).toHaveLength(2);
  const results = run.events.flatMap((event) => (event.type === 'host:task:end' && afterDone.some((start) => start.type === 'task:start' && start.taskId === event.taskId) ? [event.result.status] : []));
  expect(results).toEqual(['changed', 'changed', 'skipped', 'skipped']);
});

test('a templated include file is validated when included: its problems fail the include on those hosts', async () => {
  const run = await runFixture('includes-runtime.yml', new FakeTransports());
  expect(run.statuses('include broken')).toEqual({ web1: 'failed', web2: 'failed' });
  expect(run.results('include broken').web1?.message).toMatch(/includes\/broken\.yml:2:25 .*contents/);
  expect(run.statuses('after')).toEqual({});
});
