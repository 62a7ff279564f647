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
