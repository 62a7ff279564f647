import { factsOfSubset, filteredFacts, moduleFacts, namespacedFacts } from '../facts/ansible.js';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../facts/host.js';
import { UnreadableFacts } from '../facts/probe-output.js';
import type { SetupArgs } from '../schema/generated/setup.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan } from './types.js';

export const setupModule: ModuleDefinition<SetupArgs> = {
  name: 'setup',
  summary: "Read the host's facts again (gather_subset, filter): they become variables and are registered under ansible_facts",
  probe: () => ({ facts: hostFactsCommand() }),
  plan(args, probes, context): Plan {
    const output = probeOutput(probes, 'facts');
    let hostFacts: HostFacts;
    try {
      hostFacts = parseHostFacts(output, context.host);
    } catch (error) {
      if (!(error instanceof UnreadableFacts)) throw error;
      // The end marker, not the exit status, says whether the script finished.
      const ended = output.code === 0 ? '' : `; the script ended with exit ${output.code ?? output.signal ?? 'unknown'}`;
      const said = output.stderr.trim();
      return { kind: 'fail', message: `${error.message}${ended}${said === '' ? '' : `: ${said}`}` };
    }
    const selected = filteredFacts(moduleFacts(factsOfSubset(hostFacts.ansible, listOf(args.gather_subset))), listOf(args.filter));
    const gathered = namespacedFacts(selected);
    // As Ansible caches them, the facts read now are merged into those the host had.
    const known = context.evaluate('ansible_facts | default({})');
    const facts = { ...(typeof known === 'object' && known !== null ? known : {}), ...gathered };
    const count = Object.keys(selected).length;
    return {
      kind: 'noop',
      reason: `read ${count} fact${count === 1 ? '' : 's'}`,
      result: { ansible_facts: selected },
      setFacts: { ansible_facts: facts, ...selected },
    };
  },
};

/** Ansible's list arguments: a list, or a string of items separated by commas (no space trimmed, as Ansible's). */
function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? value.split(',') : value;
}
