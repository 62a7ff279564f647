import { spawnSync } from 'node:child_process';
import type { ModuleContext, ModuleDefinition, Plan, ProbeResults, ProbeSet } from '../../src/modules/types.js';
import { Command, sh } from '../../src/shell/command.js';
import type { ExecResult } from '../../src/transport/types.js';

/** The shells a host may interpret commands with: dash (Debian's /bin/sh) and bash (RHEL's, and most login shells). */
export const SHELLS = ['/bin/sh', '/bin/bash'] as const;

/** Runs a rendered Command through a real shell of this machine (default /bin/sh, dash on Debian), as a host would. */
export function runShell(command: Command, stdin?: string | Buffer, cwd?: string, shell: string = '/bin/sh'): ExecResult {
  const result = spawnSync(shell, ['-c', command.render()], {
    input: stdin ?? '',
    encoding: 'utf8',
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.error) throw result.error;
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** What applyLocally did: the final plan and each step's result. */
export interface LocalRun {
  plan: Exclude<Plan, { kind: 'probe' }>;
  steps: ExecResult[];
}

/**
 * Plans a module with probes answered by the local /bin/sh and runs the plan's steps there, stopping at
 * the first failing step (thrown). A unit-level stand-in for the engine, never for a remote host.
 */
export function applyLocally(module: ModuleDefinition<any>, args: unknown, context: ModuleContext, shell: string = '/bin/sh'): LocalRun {
  const results: ProbeResults = {};
  let wanted: ProbeSet = module.probe?.(args, context) ?? {};
  for (let round = 0; round < 8; round += 1) {
    for (const [key, probe] of Object.entries(wanted)) {
      if (!(probe instanceof Command)) throw new Error(`probe ${key} targets another host`);
      // Spaces inside the parentheses: "((" would be bash arithmetic.
      results[key] = runShell(sh`( ${probe} ) </dev/null`, undefined, undefined, shell);
    }
    const plan = module.plan(args, results, context);
    if (plan.kind === 'probe') {
      wanted = plan.probes;
      continue;
    }
    const steps: ExecResult[] = [];
    for (const step of plan.kind === 'change' ? plan.steps : []) {
      const result = runShell(step.command, step.stdin, undefined, shell);
      if (result.code !== 0) throw new Error(`step "${step.title}" failed (${result.code}): ${result.stderr}`);
      steps.push(result);
    }
    return { plan, steps };
  }
  throw new Error('the module kept asking for more probes');
}
