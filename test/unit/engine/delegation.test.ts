import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';
import type { ConnectionSettings } from '../../../src/transport/types.js';

const INVENTORY = 'keyword-hosts.yml';

/** Fake hosts that record how each one was reached; `once ...` prints its host. */
function recordingHosts(script?: (command: string, host: string) => { code?: number; stdout?: string } | undefined) {
  const fake = new FakeTransports((command, host) => script?.(command, host) ?? (command.includes('once ') ? { stdout: `ran on ${host}\n` } : undefined));
  const settings = new Map<string, ConnectionSettings>();
  const createTransport = (each: ConnectionSettings) => {
    settings.set(each.name, each);
    return fake.createTransport(each);
  };
  return { fake, settings, createTransport };
}

// Ansible's docs (Controlling where tasks run: delegation and local actions): delegate_to runs the task
// on another host, with that host's connection, its templates still read with the delegating host's
// variables; a host not in the inventory is reached at that address (VariableManager._get_delegated_vars
// gives it no inventory variables).
test('delegate_to runs the task on the delegated host, with its connection and the original host variables', async () => {
  const { fake, settings, createTransport } = recordingHosts();
  const run = await runFixture('delegation.yml', fake, { createTransport }, INVENTORY);
  expect(run.statuses('on db1')).toEqual({ app1: 'changed', app2: 'changed' });
  expect(fake.commandsOn('db1')).toEqual(['exec record app1 </dev/null', 'exec record app2 </dev/null']);
  expect(fake.commandsOn('198.51.100.7')).toEqual(['exec ping-from app1 </dev/null', 'exec ping-from app2 </dev/null']);
  // Delegated to itself, it runs where it would have; nothing else of the first play ran on app1 or app2.
  for (const host of ['app1', 'app2']) {
    expect(fake.commandsOn(host).filter((command) => /record|ping-from|self/.test(command))).toEqual([`exec self ${host} </dev/null`]);
  }
  expect(settings.get('db1')).toMatchObject({ connection: 'ssh', address: '192.0.2.10', user: 'dbadmin' });
  // Not the group variables of the delegating host (ansible_connection: local): ssh to the address.
  expect(settings.get('198.51.100.7')).toMatchObject({ connection: 'ssh', address: '198.51.100.7' });
  expect(settings.get('app1')).toMatchObject({ connection: 'local' });
});

// Ansible's docs (Delegating facts): with delegate_facts: true the facts go to the delegated host;
// without it they belong to the host the task is for.
test('set_fact delegated keeps the fact on the original host unless delegate_facts', async () => {
  const { fake, createTransport } = recordingHosts();
  const run = await runFixture('delegation.yml', fake, { createTransport }, INVENTORY);
  expect(run.results('facts').app1?.message).toBe('app1 none from app2');
  expect(run.results('facts').app2?.message).toBe('app2 none from app2');
});

// Ansible's docs (Running on a single machine with run_once): the task runs on the first host of the
// batch and its results and facts apply to all the hosts of the batch; the strategy registers the
// result on every host (StrategyBase.get_task_hosts), counts it and notifies handlers for the first only.
test('run_once runs on the first host and gives its result and facts to every host of the batch', async () => {
  const { fake, createTransport } = recordingHosts();
  const run = await runFixture('delegation.yml', fake, { createTransport }, INVENTORY);
  expect(run.statuses('once')).toEqual({ app1: 'changed' });
  expect(['app2', 'app3', 'app4', 'app5'].map((host) => fake.commandsOn(host).filter((command) => command.includes('once')))).toEqual([[], [], [], []]);
  expect(Object.values(run.results('shared')).map((result) => result.message)).toEqual(Array(5).fill('ran on app1'));
  // A templated run_once is read with Ansible's boolean rules ('y' is true).
  expect(run.statuses('once fact')).toEqual({ app1: 'ok' });
  expect(Object.values(run.results('chosen')).map((result) => result.message)).toEqual(Array(5).fill('app1'));
  expect(run.statuses('after once')).toEqual({ app1: 'changed' });
  // app3 is only in the second play: its two debug tasks count, the run_once tasks do not.
  expect(run.summary.recap.app3).toMatchObject({ ok: 2, changed: 0 });
});

// StrategyBase._process_pending_results: a failed run_once task fails every host of the play, and
// the linear strategy treats run_once as any_errors_fatal: the run ends (PlaybookExecutor break_play).
test('a failed run_once task fails every host and ends the run', async () => {
  const { fake, createTransport } = recordingHosts((command) => (command.includes('fails') ? { code: 1 } : undefined));
  const run = await runFixture('run-once-fails.yml', fake, { createTransport }, INVENTORY);
  expect(run.statuses('once')).toEqual({ app1: 'failed' });
  expect(run.tasks).toEqual(['once']);
});

test('the recap lists the hosts of the plays, not a host a task was only delegated to', async () => {
  const { fake, createTransport } = recordingHosts();
  const run = await runFixture('delegation.yml', fake, { createTransport }, INVENTORY);
  expect(Object.keys(run.summary.recap).sort()).toEqual(['app1', 'app2', 'app3', 'app4', 'app5']);
  expect(run.summary.transportStats['198.51.100.7']).toMatchObject({ connections: 1, execs: 3 });
});
