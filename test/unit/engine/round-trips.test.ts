import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FACTS, GUARD_MATCHES_NOTHING, GUARD_MATCHES, FakeTransports, guardPath } from '../../helpers/fake-transport.js';

test('a converged play costs one connection and one exec per host: the facts exec reads every probe ahead, each once', async () => {
  const fake = new FakeTransports((command) => (guardPath(command) ? GUARD_MATCHES : undefined));
  const run = await runFixture('converged.yml', fake);
  expect(run.statuses('install')).toEqual({ web1: 'ok', web2: 'ok' });
  expect(run.results('same guard').web1?.message).toBe('creates /opt/app/installed exists');
  expect(run.summary.transportStats).toEqual({ web1: { connections: 1, execs: 1 }, web2: { connections: 1, execs: 1 } });
  const [exec] = fake.execs.filter((each) => each.host === 'web1');
  expect(exec?.commands[0]).toBe(FACTS);
  expect(exec?.commands.slice(1).map(guardPath)).toEqual(['/opt/app/installed', '/opt/app/seeded']);
});

test('a step forgets what was read ahead: the next task reads again', async () => {
  const fake = new FakeTransports((command) => {
    const path = guardPath(command);
    if (path) return path === '/opt/app/seeded' ? GUARD_MATCHES_NOTHING : GUARD_MATCHES;
    return undefined;
  });
  const run = await runFixture('converged.yml', fake, { limit: 'web1' });
  expect(run.statuses('seed')).toEqual({ web1: 'changed' });
  expect(fake.execs.map((exec) => exec.commands.map((command) => guardPath(command) ?? command))).toEqual([
    [FACTS, '/opt/app/installed', '/opt/app/seeded'],
    ["exec /bin/sh -c 'seed-app > /opt/app/seeded' </dev/null"],
    ['/opt/app/installed'],
  ]);
});

test('a converged playbook of several plays costs one exec per host: the first read covers the later plays too', async () => {
  const fake = new FakeTransports((command) => (guardPath(command) ? GUARD_MATCHES : undefined));
  const run = await runFixture('converged-plays.yml', fake);
  expect(run.statuses('seed')).toEqual({ web1: 'ok' });
  expect(run.summary.transportStats).toEqual({ web1: { connections: 1, execs: 1 }, web2: { connections: 1, execs: 1 }, db1: { connections: 1, execs: 1 } });
  const reads = (host: string) => fake.execs.filter((exec) => exec.host === host).map((exec) => exec.commands.map((command) => guardPath(command) ?? command));
  expect(reads('web1')).toEqual([[FACTS, '/opt/app/installed', '/opt/app/seeded']]);
  expect(reads('db1')).toEqual([[FACTS, '/var/lib/db/ready']]);
});
