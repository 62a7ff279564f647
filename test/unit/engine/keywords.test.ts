import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FILE_ABSENT, FakeTransports, statPath } from '../../helpers/fake-transport.js';

const INVENTORY = 'keyword-hosts.yml';

function failsOnFails(): FakeTransports {
  return new FakeTransports((command) => (command.includes('fails') ? { code: 1, stderr: 'no' } : undefined));
}

// Ansible reads a boolean keyword given as a template with module_utils.parsing.convert_bool.boolean
// once rendered: yes/no, on/off, true/false, y/n, t/f, 1/0 in any case; anything else is an error.
test('boolean keywords given as templates are rendered on the host and read by Ansible rules', async () => {
  const fake = failsOnFails();
  const run = await runFixture('keywords.yml', fake, {}, INVENTORY);
  // become: "{{ use_sudo }}" with use_sudo "yes" (the fake logs in as root, so only another user needs sudo).
  expect(fake.commandsOn('app1')).toContain(`sudo -n -H -u postgres -- timeout -k 3 0 sh -c 'exec whoami </dev/null'`);
  expect(run.results('tolerated').app1).toMatchObject({ status: 'ok', ignored: true });
  expect(run.results('not a boolean').app1).toMatchObject({ status: 'failed' });
  expect(run.results('not a boolean').app1?.message).toContain(`ignore_errors: "perhaps" (from "{{ 'perhaps' }}") is not a boolean`);
});

// A play keyword is templated with the play's variables and the extra vars (PlaybookExecutor: play.post_validate).
test('gather_facts given as a template decides whether facts are variables', async () => {
  const without = await runFixture('keywords.yml', failsOnFails(), {}, INVENTORY);
  expect(without.results('facts known').app1?.message).toBe('0 facts');
  const gathered = await runFixture('keywords.yml', failsOnFails(), { extraVars: { gather: 'yes' } }, INVENTORY);
  expect(Number.parseInt(gathered.results('facts known').app1?.message ?? '', 10)).toBeGreaterThan(0);
});

// Ansible's docs (Validating tasks: check mode and diff mode): check_mode: true runs the task in
// check mode even without --check; check_mode: false runs it for real even with --check. A task
// without it follows the play's, else the run's.
test('check_mode on a task or a play forces check mode on or off', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('keywords.yml', fake, { keepGoing: true }, INVENTORY);
  const ran = fake.commandsOn('app1');
  expect(run.results('always checked').app1).toMatchObject({ status: 'changed', message: 'would run: change-a' });
  expect(ran.some((command) => command.includes('change-a'))).toBe(false);
  expect(ran).toContain('exec change-b </dev/null');
  expect(ran).toContain('exec change-c </dev/null');
  expect(ran.some((command) => command.includes('change-d'))).toBe(false);
  expect(ran).toContain('exec change-e </dev/null');

  const checkedFake = new FakeTransports();
  const checked = await runFixture('keywords.yml', checkedFake, { check: true, keepGoing: true }, INVENTORY);
  const checkedRan = checkedFake.commandsOn('app1');
  expect(checkedRan).toContain('exec change-b </dev/null');
  expect(checkedRan.some((command) => /change-[acd]/.test(command))).toBe(false);
  expect(checkedRan).toContain('exec change-e </dev/null');
  expect(checked.results('never checked').app1).toMatchObject({ status: 'changed', message: 'run: change-b' });
});

// StrategyBase._process_pending_results: with ignore_unreachable the host counts ok and ignored and
// stays in the play; without it the host is left out of the rest of the run.
test('ignore_unreachable keeps an unreachable host in the play', async () => {
  const fake = new FakeTransports(() => undefined, { app2: { unreachable: 'connection refused' } });
  const run = await runFixture('ignore-unreachable.yml', fake, {}, INVENTORY);
  expect(run.results('first').app2).toMatchObject({ status: 'unreachable', ignored: true });
  expect(run.results('second').app2).toMatchObject({ status: 'unreachable' });
  expect(run.summary.recap.app2).toMatchObject({ ok: 1, ignored: 1, unreachable: 1 });
  expect(run.statuses('second')).toEqual({ app1: 'ok', app2: 'unreachable' });
});

// PlayContext.set_task_and_variable_override: connection variables (ansible_connection) override the
// connection keyword; a delegated host without its own takes the keyword.
test("a host's ansible_connection wins over the play's connection keyword", async () => {
  const fake = new FakeTransports();
  const connections = new Map<string, string>();
  await runFixture('connection.yml', fake, {
    createTransport: (settings) => {
      connections.set(settings.name, settings.connection);
      return fake.createTransport(settings);
    },
  }, INVENTORY);
  expect(Object.fromEntries(connections)).toEqual({ app1: 'local', db1: 'ssh', '198.51.100.7': 'local' });
});

// Ansible's docs (Validating tasks: check mode and diff mode): diff: true on a task reports its
// diff without --diff, diff: false keeps it out even with --diff.
test('the diff keyword decides whether a task reports its diff', async () => {
  // /etc is root's directory (mode 040755); the files are absent.
  const absent = () => new FakeTransports((command) => (statPath(command) === '/etc' ? { stdout: '41ed\nroot\n0\nroot\n0\n4096\n' } : statPath(command) ? FILE_ABSENT : undefined));
  const plain = await runFixture('diff.yml', absent(), {}, INVENTORY);
  expect(plain.results('with diff').app1?.diff).toHaveLength(1);
  expect(plain.results('without diff').app1?.diff).toBeUndefined();
  const diffing = await runFixture('diff.yml', absent(), { diff: true }, INVENTORY);
  expect(diffing.results('with diff').app1?.diff).toHaveLength(1);
  expect(diffing.results('without diff').app1?.diff).toBeUndefined();
});

// PlayContext: remote_user (play or task) is the login user unless the host's ansible_user says
// otherwise (variables win over keywords); a local connection is the controller's own user.
test('remote_user logs in as that user where the inventory names none, reconnecting when a task differs', async () => {
  const fake = new FakeTransports();
  const logins: string[] = [];
  await runFixture('remote-user.yml', fake, {
    createTransport: (settings) => {
      logins.push(`${settings.name} ${settings.connection === 'local' ? 'local' : settings.user}`);
      return fake.createTransport(settings);
    },
  }, INVENTORY);
  expect(logins.filter((login) => login.startsWith('ssh1'))).toEqual(['ssh1 deploy', 'ssh1 admin', 'ssh1 deploy']);
  expect(logins.filter((login) => !login.startsWith('ssh1')).sort()).toEqual(['app1 local', 'db1 dbadmin']);
});
