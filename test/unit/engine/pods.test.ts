import { expect, test } from 'vitest';
import type { RunEvent } from '../../../src/engine/events.js';
import { runPlaybook, type RunOptions } from '../../../src/engine/runner.js';
import { loadInventory } from '../../../src/load/inventory.js';
import { loadPlaybook } from '../../../src/load/playbook.js';

const OPTIONS: RunOptions = {
  check: false,
  diff: false,
  forks: 4,
  limit: undefined,
  tags: [],
  skipTags: [],
  extraVars: {},
  hostKeyPolicy: 'strict',
  connectTimeoutMs: 5_000,
  commandTimeoutMs: undefined,
};

/** Runs a playbook on local hosts and returns each host's debug message. */
async function messages(playbook: string, options: Partial<RunOptions> = {}): Promise<Record<string, string>> {
  const inventory = loadInventory('test/fixtures/engine/classroom-local.yml');
  const loaded = loadPlaybook(playbook, { inventory });
  const seen: Record<string, string> = {};
  await runPlaybook(loaded.playbook, inventory, { ...OPTIONS, ...options }, (event: RunEvent) => {
    if (event.type === 'host:task:end') seen[event.host] = event.result.message;
  });
  return seen;
}

test("in a pod, groups, hostvars, play_hosts and pod-local names resolve inside the pod", async () => {
  expect(await messages('test/fixtures/engine/pod-view.yml')).toEqual({
    'pod01-kvm1': 'dest=pod01-kvm2 kvm2=10.10.1.114 play_hosts=pod01-kvm1,pod01-kvm2 all=pod01-kvm1,pod01-kvm2 self=true',
    'pod01-kvm2': 'dest=pod01-kvm2 kvm2=10.10.1.114 play_hosts=pod01-kvm1,pod01-kvm2 all=pod01-kvm1,pod01-kvm2 self=false',
    'pod02-kvm1': 'dest=pod02-kvm2 kvm2=10.10.2.114 play_hosts=pod02-kvm1,pod02-kvm2 all=pod02-kvm1,pod02-kvm2 self=true',
    'pod02-kvm2': 'dest=pod02-kvm2 kvm2=10.10.2.114 play_hosts=pod02-kvm1,pod02-kvm2 all=pod02-kvm1,pod02-kvm2 self=false',
  });
});

test('a host name given as a variable is the pod\'s own host of that name (-e migration_dest=kvm1)', async () => {
  const seen = await messages('test/fixtures/engine/pod-view.yml', { extraVars: { migration_dest: 'kvm1' } });
  expect(seen['pod02-kvm1']).toContain('self=false');
  expect(seen['pod02-kvm2']).toContain('self=true');
  expect(seen['pod01-kvm1']).toContain('self=false');
});
