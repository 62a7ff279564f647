import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

const ROCKY_FACTS = 'facts_start=1\nosrel=ID=rocky\nosrel=ID_LIKE="rhel centos fedora"\nosrel=VERSION_ID=9.3\nhostname=db1\npm=dnf\ninit=systemd\nuser=root\nuid=0\narch=x86_64\nfacts_end=1\n';

test('when: every condition must hold, with facts, inventory variables and group names in scope', async () => {
  const run = await runFixture('when.yml', new FakeTransports(undefined, { db1: { facts: ROCKY_FACTS } }));
  expect(run.statuses('debian only')).toEqual({ web1: 'ok', web2: 'ok', db1: 'skipped' });
  expect(run.results('debian only').db1?.message).toBe("when: ansible_os_family == 'Debian' is false");
  expect(run.statuses('web only')).toEqual({ web1: 'ok', web2: 'ok', db1: 'skipped' });
  expect(run.results('every condition')).toMatchObject({
    web1: { status: 'ok', message: 'port 8080' },
    web2: { status: 'skipped', message: 'when: http_port is defined is false' },
  });
  expect(run.summary.recap.db1).toEqual({ ok: 0, changed: 0, skipped: 3, failed: 0, unreachable: 0, rescued: 0, ignored: 0 });
});

/** Answers of the hosts to test/fixtures/engine/results.yml: web1 is unhealthy. */
function resultsHosts(): FakeTransports {
  return new FakeTransports((command, host) => {
    if (command.includes('app --version')) return { stdout: '1.2.3\n' };
    if (command.includes('grep -q debug')) return { code: 1 };
    if (command.includes('app health')) return { stdout: host === 'web1' ? 'unhealthy: disk full\n' : 'healthy\n' };
    return undefined;
  });
}

test('register: a later task reads the registered result; changed_when: false reports ok', async () => {
  const run = await runFixture('results.yml', resultsHosts());
  expect(run.results('read version').web1).toMatchObject({ status: 'ok', message: 'run: app --version' });
  expect(run.results('show version').web1?.message).toBe('version 1.2.3 rc=0 changed=False');
});

test('failed_when decides failure: a non-zero exit it does not match passes, output it matches fails', async () => {
  const fake = resultsHosts();
  const run = await runFixture('results.yml', fake);
  expect(run.statuses('look for debug')).toEqual({ web1: 'changed', web2: 'changed' });
  expect(run.shown('show grep', 'web1')).toMatchObject({ rc: 1, changed: true, failed: false });
  expect(run.results('health').web1).toMatchObject({ status: 'failed', message: "failed_when matched: 'unhealthy' in result.stdout" });
  expect(run.statuses('health')).toEqual({ web1: 'failed', web2: 'changed' });
  // The failure stops web1 only.
  expect(run.statuses('after health')).toEqual({ web2: 'ok' });
  expect(fake.commandsOn('web1')).toEqual(['exec app --version </dev/null', 'exec grep -q debug /etc/app.conf </dev/null', 'exec app health </dev/null']);
  expect(run.summary.recap).toEqual({
    web1: { ok: 3, changed: 1, skipped: 0, failed: 1, unreachable: 0, rescued: 0, ignored: 0 },
    web2: { ok: 4, changed: 2, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 0 },
  });
});

test('a loop runs each item (when per item) and registers every result', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('loop.yml', fake);
  expect(run.results('add users').web1).toMatchObject({
    status: 'changed',
    message: '3 items: 2 changed, 1 skipped',
    items: [
      { item: 'alice', status: 'changed', message: 'run: useradd alice' },
      { item: 'bob', status: 'skipped', message: "when: item != 'bob' is false" },
      { item: 'carol', status: 'changed', message: 'run: useradd carol' },
    ],
    commands: ['exec useradd alice </dev/null', 'exec useradd carol </dev/null'],
  });
  expect(fake.commandsOn('web1')).toEqual(['exec useradd alice </dev/null', 'exec useradd carol </dev/null']);
  expect(run.shown('show users', 'web1')).toMatchObject({
    changed: true,
    failed: false,
    skipped: false,
    results: [
      { item: 'alice', rc: 0, changed: true },
      { item: 'bob', skipped: true },
      { item: 'carol', rc: 0, changed: true },
    ],
  });
  expect(run.results('ports').web1?.items?.map((item) => item.message)).toEqual(['port 80', 'port 443']);
});

test('until retries a task until its condition holds, and fails it after the last retry', async () => {
  let serviceChecks = 0;
  const fake = new FakeTransports((command) => {
    if (command.includes('check-service')) return { code: ++serviceChecks < 3 ? 1 : 0 };
    if (command.includes('check-other')) return { stdout: 'starting\n' };
    return undefined;
  });
  const run = await runFixture('until.yml', fake);
  expect(run.statuses('wait for service')).toEqual({ web1: 'changed' });
  expect(run.results('never ready').web1).toMatchObject({
    status: 'failed',
    message: 'run: check-other (until condition not met after 2 attempts)',
  });
  expect(fake.commandsOn('web1')).toEqual([
    ...Array(3).fill('exec check-service </dev/null'),
    ...Array(2).fill('exec check-other </dev/null'),
  ]);
  expect(run.summary.recap.web1).toMatchObject({ changed: 1, failed: 1 });
});

test('with_items flattens one level, as Ansible\'s items lookup does; loop does not', async () => {
  const run = await runFixture('loop.yml', new FakeTransports());
  const items = (task: string) => run.results(task).web1?.items?.map((each) => each.item);
  expect(items('with_items of a templated list')).toEqual(['x', 'y', 'z']);
  expect(items('with_items of nested lists')).toEqual([1, 2, 3, [4]]);
  expect(items('loop of nested lists')).toEqual([[1, 2], [3, [4]]]);
});
