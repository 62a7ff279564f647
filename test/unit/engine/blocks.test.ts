import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

/** `fail-on-HOST` fails with exit 3 on that host only; every other command succeeds. */
function failOn(): FakeTransports {
  return new FakeTransports((command, host) => (command.includes(`fail-on-${host}`) ? { code: 3, stderr: 'broken\n' } : undefined));
}

// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_blocks.html
test("a block's keywords apply to every task in it, its rescue and its always", async () => {
  const fake = failOn();
  const run = await runFixture('blocks.yml', fake);
  // "All tasks in a block inherit directives applied at the block level": become, become_user, when, vars.
  const first = fake.commandsOn('web2').find((command) => command.includes('first'));
  expect(first).toMatch(/sudo .*-u app/);
  expect(first).toContain('hello');
  expect(run.statuses('always')).toEqual({ web1: 'changed', web2: 'changed' });
});

test('rescue runs only on the hosts where a task of the block failed, and they are rescued, not failed', async () => {
  const run = await runFixture('blocks.yml', failOn());
  expect(run.statuses('fails on web1')).toEqual({ web1: 'failed', web2: 'changed' });
  // The failed host leaves the block's tasks; the others go on.
  expect(run.statuses('after the failure')).toEqual({ web2: 'changed' });
  // "ansible_failed_task: the task that returned 'failed' and triggered the rescue";
  // "ansible_failed_result: the captured return result of the failed task".
  expect(run.results('rescue')).toEqual({ web1: expect.objectContaining({ status: 'ok', message: 'rescued fails on web1: 3' }) });
  // A rescued host carries on with the play.
  expect(run.statuses('after the block')).toEqual({ web1: 'changed', web2: 'changed' });
  // As Ansible's recap: the failure a rescue handled counts as rescued.
  expect(run.summary.recap.web1).toMatchObject({ failed: 0, rescued: 1 });
  expect(run.summary.recap.web2).toMatchObject({ failed: 0, rescued: 0 });
  expect(run.summary.recap.web1!.changed + run.summary.recap.web1!.ok).toBe(4);
});

test('nested blocks: the inner always runs, then the outer rescue; without rescue, always runs and the host stays failed', async () => {
  const run = await runFixture('blocks-nested.yml', failOn());
  expect(run.statuses('inner always')).toEqual({ web1: 'changed', web2: 'changed' });
  expect(run.statuses('outer after inner')).toEqual({ web2: 'changed' });
  expect(run.statuses('outer rescue')).toEqual({ web1: 'changed' });
  // web2 fails in a block without rescue: its always still runs on every host that entered.
  expect(run.statuses('fails on web2')).toEqual({ web1: 'changed', web2: 'failed' });
  expect(run.statuses('always after an unrescued failure')).toEqual({ web1: 'changed', web2: 'changed' });
  // web1's rescue fails too: "If an error occurs in the rescue section, the host fails" (web2 stopped earlier).
  expect(run.statuses('rescue fails too')).toEqual({ web1: 'failed' });
  expect(run.statuses('last')).toEqual({});
  expect(run.summary.recap.web1).toMatchObject({ failed: 1, rescued: 2 });
  expect(run.summary.recap.web2).toMatchObject({ failed: 1, rescued: 0 });
});

test('--tags selects the tasks inside a block by the tags they inherit from it', async () => {
  const run = await runFixture('blocks.yml', failOn(), { tags: ['nothing-has-this'] });
  expect(run.tasks).toEqual([]);
});
