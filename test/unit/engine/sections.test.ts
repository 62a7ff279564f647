import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

test('pre_tasks, tasks, post_tasks run in that order whatever order they are written in; notified handlers run after each', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('sections.yml', fake);
  expect(run.tasks).toEqual(['pre change', 'restart app', 'main change', 'main again', 'restart app', 'post change', 'restart app']);
  const ran = fake.commandsOn('web1').filter((command) => !command.startsWith('FACTS'));
  expect(ran.filter((command) => /change|again|restart/.test(command)).map((command) => command.match(/(pre-change|main-change|main-again|post-change|restart-app)/)?.[1])).toEqual([
    'pre-change',
    'restart-app',
    'main-change',
    'main-again',
    'restart-app',
    'post-change',
    'restart-app',
  ]);
});

test('meta: flush_handlers runs the notified handlers in its place; meta: noop does nothing', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('flush.yml', fake);
  expect(run.tasks).toEqual(['change', 'restart app', 'after the flush', 'meta']);
  expect(run.statuses('meta')).toEqual({ web1: 'ok', web2: 'ok' });
  const ran = fake.commandsOn('web2').map((command) => command.match(/(change-it|restart-app|after-flush)/)?.[1]).filter(Boolean);
  expect(ran).toEqual(['change-it', 'restart-app', 'after-flush']);
});
