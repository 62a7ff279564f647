import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

// https://docs.ansible.com/ansible/latest/collections/ansible/builtin/include_vars_module.html
// https://docs.ansible.com/ansible/latest/playbook_guide/playbooks_variables.html#understanding-variable-precedence
// (14 play vars_files < 17 task vars < 18 include_vars < 19 set_facts / registered vars)

test('include_vars: its variables win over play and task vars, and lose to set_fact', async () => {
  const run = await runFixture('include-vars.yml', new FakeTransports());
  expect(run.results('read the file').web1).toMatchObject({ status: 'ok' });
  expect(run.results('task vars lose to include_vars').web1?.message).toBe('included');
  expect(run.results('still the fact').web1?.message).toBe('fact');
});

test('include_vars: name, and a directory read level by level, filtered by extension', async () => {
  const run = await runFixture('include-vars.yml', new FakeTransports());
  // depth 1 leaves sub/ out; b.yml, read after a.yml, wins; notes.txt is skipped.
  expect(run.results('show').web1?.message).toBe('main 1 b False');
});

test('include_vars: a file it cannot find fails the task, naming where it looked', async () => {
  const run = await runFixture('include-vars.yml', new FakeTransports());
  expect(run.results('a file that is missing fails').web1).toMatchObject({ status: 'failed', message: expect.stringMatching(/^Could not find or access 'absent\.yml'\nSearched in:\n\t.*vars\/absent\.yml/) });
});
