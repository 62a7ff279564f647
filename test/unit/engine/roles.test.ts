import { resolve } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_reuse_roles.html
// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_variables.html#understanding-variable-precedence

beforeEach(() => vi.stubEnv('ANSIBLE_ROLES_PATH', resolve('test/fixtures/roles')));
afterEach(() => vi.unstubAllEnvs());

/** Each command the fixture's tasks ran on the host, in order. */
function ran(fake: FakeTransports, host: string): string[] {
  return fake
    .commandsOn(host)
    .map((command) => command.match(/exec (.*) <\/dev\/null/)?.[1] ?? command)
    .filter((command) => /^(pre|web|param|common|main|extra|restart-web)\b/.test(command));
}

test('pre_tasks, then each role after its dependencies, then tasks; a role with the same parameters runs once', async () => {
  const fake = new FakeTransports();
  await runFixture('roles.yml', fake);
  // "Ansible only allows a role to execute once, even if defined multiple times, if the parameters
  // defined on the role are not different"; dependencies run before the role, once.
  expect(ran(fake, 'web1')).toEqual([
    'pre 80',
    'common common-default 8000',
    'web 80 role-vars web web',
    'param one',
    'web 80 role-vars web web',
    'param two',
    'main role-vars',
    // Role defaults lie under the inventory: web1's http_port is the inventory's.
    'extra 80 8080',
    'common passed 8000',
    'restart-web',
  ]);
  // The third entry's when applies to its tasks: skipped on web2.
  expect(ran(fake, 'web2')).toEqual(['pre 80', 'common common-default 8000', 'web 80 role-vars web web', 'param one', 'main role-vars', 'extra 80 1', 'common passed 8000', 'restart-web']);
});

test("a role's handlers join the play's, and run once at the end of the section that notified them", async () => {
  const run = await runFixture('roles.yml', new FakeTransports());
  expect(run.statuses('restart web')).toEqual({ web1: 'changed', web2: 'changed' });
  expect(run.tasks.filter((name) => name === 'restart web')).toHaveLength(1);
});
