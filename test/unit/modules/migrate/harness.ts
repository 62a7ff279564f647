import type { HostFacts } from '../../../../src/facts/host.js';
import { DEBIAN_FACTS } from '../../../helpers/module-fixtures.js';
import type { ModuleContext, ModuleDefinition, Plan, Probe, ProbeResults } from '../../../../src/modules/types.js';
import { Command } from '../../../../src/shell/command.js';
import type { ExecResult } from '../../../../src/transport/types.js';

/** Shared by the libvirt module tests: a module context and an engine-like loop over probe rounds. */

const FACTS: HostFacts = { ...DEBIAN_FACTS, hostname: 'kvm1' };

export const INVENTORY = ['nfs', 'kvm1', 'kvm2'];

export function context(overrides: Partial<ModuleContext> = {}): ModuleContext {
  return {
    host: 'kvm1',
    facts: FACTS,
    check: false,
    hostVars: (name) => (INVENTORY.includes(name) ? { inventory_hostname: name } : undefined),
    resolveHost: (name) => name,
    playbookDir: '/playbooks',
    renderTemplate: (text) => text,
    readLocalFile: (path) => {
      throw new Error(`no local file ${path} in this test`);
    },
    evaluate: () => undefined,
    nonce: '0123456789abcdef',
    ...overrides,
  };
}

export const ok = (stdout = ''): ExecResult => ({ code: 0, signal: null, stdout, stderr: '' });
export const failed = (stderr: string, code = 1): ExecResult => ({ code, signal: null, stdout: '', stderr });

export interface Planned {
  plan: Exclude<Plan, { kind: 'probe' }>;
  /** Every probe the module asked for, by key, with the host it targets. */
  asked: Record<string, { host: string; command: string }>;
  rounds: number;
}

/** Plans like the engine: probes, then plan(), then more probe rounds while the module asks. */
export function planWith<Args>(module: ModuleDefinition<Args>, args: Args, ctx: ModuleContext, answers: ProbeResults): Planned {
  const probes: ProbeResults = {};
  const asked: Planned['asked'] = {};
  let wanted: Record<string, Probe> = module.probe?.(args, ctx) ?? {};
  for (let round = 1; round <= 8; round += 1) {
    for (const [key, probe] of Object.entries(wanted)) {
      const { host, command } = probe instanceof Command ? { host: ctx.host, command: probe } : probe;
      asked[key] = { host, command: command.render() };
      const answer = answers[key];
      if (answer === undefined) throw new Error(`test has no answer for probe "${key}"`);
      probes[key] = answer;
    }
    const plan = module.plan(args, probes, ctx);
    if (plan.kind !== 'probe') return { plan, asked, rounds: round };
    wanted = plan.probes;
  }
  throw new Error('module kept asking for more probes');
}
