import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { withEnvironment } from '../../../src/engine/environment.js';
import { sh } from '../../../src/shell/command.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

const INVENTORY = 'keyword-hosts.yml';

// Ansible's environment keyword (playbook/base.py: a list extended with the parents' first) and
// ActionBase._compute_environment_string: the play's, block's and task's mappings (or templates
// giving one) merged in that order, the later winning; each value rendered and written as Python's
// str(); anything else fails the task with "environment must be a dictionary".
test('environment merges the play, block and task settings and sets them for the module commands', async () => {
  const fake = new FakeTransports();
  const run = await runFixture('environment.yml', fake, {}, INVENTORY);
  const ran = fake.commandsOn('app1');
  expect(ran).toEqual([
    "env LANG=C.UTF-8 PROXY=http://proxy.example:3128 sh -c 'exec build </dev/null'",
    "env LANG=C.UTF-8 PROXY= BLOCK=1 'QUOTE=it'\\''s $HOME' DEBUG=True sh -c 'exec deploy </dev/null'",
    "env LANG=C.UTF-8 PROXY=http://proxy.example:3128 BLOCK=1 NODE_ENV=production sh -c 'exec serve </dev/null'",
  ]);
  expect(run.results('not a mapping').app1).toMatchObject({ status: 'failed' });
  expect(run.results('not a mapping').app1?.message).toMatch(/^environment must be a mapping, received LANG=C \(str\)/);
});

test('a value reaches the command exactly as written, whatever shell characters it holds', () => {
  const value = `it's "$HOME" \\ $(id) \`id\` ; * \n next line`;
  const command = withEnvironment(sh`printenv QUOTE`, { QUOTE: value, EMPTY: '' });
  expect(execFileSync('sh', ['-c', command.render()], { encoding: 'utf8' })).toBe(`${value}\n`);
});
