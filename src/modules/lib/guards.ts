import { posix } from 'node:path';
import type { NoopPlan, ProbeResults, ProbeSet } from '../types.js';
import { fileStateProbe, parseFileState } from './remote-file.js';

/** The `creates` / `removes` arguments shared by command and shell. */
export interface GuardArgs {
  creates?: string;
  removes?: string;
  chdir?: string;
}

// Relative guard paths are relative to chdir, as the command would see them.
function guardPath(path: string, chdir: string | undefined): string {
  return chdir === undefined || posix.isAbsolute(path) ? path : posix.join(chdir, path);
}

/** Probes reading whether the guard paths exist. */
export function guardProbes(args: GuardArgs): ProbeSet {
  const probes: ProbeSet = {};
  if (args.creates !== undefined) probes.creates = fileStateProbe(guardPath(args.creates, args.chdir));
  if (args.removes !== undefined) probes.removes = fileStateProbe(guardPath(args.removes, args.chdir));
  return probes;
}

/** A no-op when a guard holds (creates exists, removes missing); undefined when the command must run. */
export function guardNoop(args: GuardArgs, probes: ProbeResults): NoopPlan | undefined {
  const skipped = (reason: string): NoopPlan => ({
    kind: 'noop',
    reason,
    // Registered like a run that printed nothing, so `result.stdout` still works in later tasks.
    result: { rc: 0, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] },
  });
  if (args.creates !== undefined && probes.creates && parseFileState(probes.creates) !== null) {
    return skipped(`creates ${guardPath(args.creates, args.chdir)} exists`);
  }
  if (args.removes !== undefined && probes.removes && parseFileState(probes.removes) === null) {
    return skipped(`removes ${guardPath(args.removes, args.chdir)} does not exist`);
  }
  return undefined;
}
