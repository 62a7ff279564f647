import { expect, test } from 'vitest';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

test('a play with gather_facts: false sees no facts until a play gathers them; later plays keep them', async () => {
  const run = await runFixture('gather-facts.yml', new FakeTransports());
  expect(run.results('before gathering').web1?.message).toBe('False 0');
  expect(run.results('gathered').web1?.message).toBe('Debian');
  expect(run.results('kept').web1?.message).toBe('Debian');
});
