import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

// The hosts answer with the sandbox's Debian 12 facts (test/unit/facts/fixtures/debian-12-sandbox-kvm1.txt).
test('gather_subset selects the facts a play sees; a later play adds to them; setup reads them again', async () => {
  const run = await runFixture('facts-ansible.yml', new FakeTransports());
  expect(run.results('min only').web1?.message).toBe("Debian bookworm False ['!all'] True");
  expect(run.results('magic variables').web1?.message).toBe('2.14.18 2 False');
  expect(run.results('now hardware').web1?.message).toBe("24105 2 ['hardware'] True");
  expect(run.results('nothing yet').web2?.message).toBe('count 0');
  expect(run.results('read again').web2?.status).toBe('ok');
  expect(run.results('after setup').web2?.message).toBe('web2 web2 web2 True 2');
});

test('ansible_check_mode is true under --check', async () => {
  const run = await runFixture('facts-ansible.yml', new FakeTransports(), { check: true });
  expect(run.results('magic variables').web1?.message).toBe('2.14.18 2 True');
});
