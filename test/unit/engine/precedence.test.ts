import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

test("task vars win over play vars, set_fact wins over task vars, extra vars over everything", async () => {
  const run = await runFixture('precedence.yml', new FakeTransports());
  expect(run.results('before set_fact').web1?.message).toBe('task');
  expect(run.results('task vars after set_fact').web1?.message).toBe('set_fact');
  const extra = await runFixture('precedence.yml', new FakeTransports(), { extraVars: { level: 'extra' } });
  expect(extra.results('task vars after set_fact').web1?.message).toBe('extra');
});
