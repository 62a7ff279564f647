import { expect, test } from 'vitest';
import type { RunOptions } from '../../../src/engine/runner.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

/** Runs a playbook on the classroom's hosts and returns each host's debug message. */
async function messages(playbook: string, options: Partial<RunOptions> = {}): Promise<Record<string, string>> {
  const run = await runFixture(playbook, new FakeTransports(), options, 'classroom-local.yml');
  return Object.fromEntries(Object.entries(run.results('view')).map(([host, result]) => [host, result.message]));
}

test("in a pod, groups, hostvars, play_hosts and pod-local names resolve inside the pod", async () => {
  expect(await messages('pod-view.yml')).toEqual({
    'pod01-kvm1': 'dest=pod01-kvm2 kvm2=10.10.1.114 play_hosts=pod01-kvm1,pod01-kvm2 all=pod01-kvm1,pod01-kvm2 self=True',
    'pod01-kvm2': 'dest=pod01-kvm2 kvm2=10.10.1.114 play_hosts=pod01-kvm1,pod01-kvm2 all=pod01-kvm1,pod01-kvm2 self=False',
    'pod02-kvm1': 'dest=pod02-kvm2 kvm2=10.10.2.114 play_hosts=pod02-kvm1,pod02-kvm2 all=pod02-kvm1,pod02-kvm2 self=True',
    'pod02-kvm2': 'dest=pod02-kvm2 kvm2=10.10.2.114 play_hosts=pod02-kvm1,pod02-kvm2 all=pod02-kvm1,pod02-kvm2 self=False',
  });
});

test('a host name given as a variable is the pod\'s own host of that name (-e migration_dest=kvm1)', async () => {
  const seen = await messages('pod-view.yml', { extraVars: { migration_dest: 'kvm1' } });
  expect(seen['pod02-kvm1']).toContain('self=False');
  expect(seen['pod02-kvm2']).toContain('self=True');
  expect(seen['pod01-kvm1']).toContain('self=False');
});
