import type { SetFactArgs } from '../schema/generated/set_fact.js';
import type { ModuleDefinition } from './types.js';

export const setFactModule: ModuleDefinition<SetFactArgs> = {
  name: 'set_fact',
  summary: 'Set variables for the rest of the play on this host',
  plan(args) {
    // `cacheable` only matters to Ansible's fact cache, which runbook does not have.
    const { cacheable: _ignored, ...facts } = args;
    const names = Object.keys(facts);
    return { kind: 'noop', reason: `set ${names.join(', ')}`, setFacts: facts, result: { ansible_facts: facts } };
  },
};
