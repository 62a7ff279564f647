import type { SetFactArgs } from '../schema/generated/set_fact.js';
import type { ModuleDefinition } from './types.js';

/** Ansible's set_fact reads these strings, in any case, as booleans (`set_fact: ready=no` is false). */
const BOOLEAN_WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['yes', true],
  ['false', false],
  ['no', false],
]);

export const setFactModule: ModuleDefinition<SetFactArgs> = {
  name: 'set_fact',
  summary: 'Set variables for the rest of the play on this host',
  plan(args) {
    // `cacheable` only matters to Ansible's fact cache, which runbook does not have.
    const { cacheable: _ignored, ...written } = args;
    const facts = Object.fromEntries(
      Object.entries(written).map(([name, value]) => [name, typeof value === 'string' ? (BOOLEAN_WORDS.get(value.toLowerCase()) ?? value) : value]),
    );
    const names = Object.keys(facts);
    return { kind: 'noop', reason: `set ${names.join(', ')}`, setFacts: facts, result: { ansible_facts: facts } };
  },
};
