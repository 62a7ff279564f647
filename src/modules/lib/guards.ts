import { posix } from 'node:path';
import { sh } from '../../shell/command.js';
import type { NoopPlan, ProbeResults, ProbeSet } from '../types.js';

/** The `creates` / `removes` arguments shared by command and shell, already expanded (python-expand.ts). */
export interface GuardArgs {
  creates?: string;
  removes?: string;
  chdir?: string;
}

// Relative guard paths are relative to chdir: Ansible changes into it before globbing them.
function guardPath(path: string, chdir: string | undefined): string {
  return chdir === undefined || posix.isAbsolute(path) ? path : posix.join(chdir, path);
}

/**
 * Whether anything matches a glob, as Python's glob.glob sees it (broken links count). The pattern
 * is a quoted value in a variable; expanding it unquoted with IFS empty does pathname expansion only,
 * never command substitution or splitting. An unmatched pattern stays itself, hence the test.
 */
function globProbe(pattern: string) {
  return sh`rb_pattern=${pattern}
IFS=
for rb_match in $rb_pattern; do
  if [ -e "$rb_match" ] || [ -L "$rb_match" ]; then echo found; exit 0; fi
done
echo none`;
}

/** Probes reading whether the guard globs match anything. */
export function guardProbes(args: GuardArgs): ProbeSet {
  const probes: ProbeSet = {};
  if (args.creates !== undefined) probes.creates = globProbe(guardPath(args.creates, args.chdir));
  if (args.removes !== undefined) probes.removes = globProbe(guardPath(args.removes, args.chdir));
  return probes;
}

function matched(probes: ProbeResults, key: 'creates' | 'removes'): boolean {
  return probes[key]?.stdout.trim() === 'found';
}

/**
 * A no-op when a guard holds (creates matches, removes matches nothing), registered as Ansible's
 * command module returns it; undefined when the command must run.
 */
export function guardNoop(args: GuardArgs, probes: ProbeResults, check: boolean, cmd: unknown): NoopPlan | undefined {
  const verb = check ? 'Would' : 'Did';
  const skipped = (reason: string, msg: string, stdout: string): NoopPlan => ({
    kind: 'noop',
    reason,
    result: { rc: 0, cmd, msg, stdout, stderr: '', stdout_lines: [stdout], stderr_lines: [] },
  });
  if (args.creates !== undefined && matched(probes, 'creates')) {
    return skipped(`creates ${guardPath(args.creates, args.chdir)} exists`, `${verb} not run command since '${args.creates}' exists`, `skipped, since ${args.creates} exists`);
  }
  if (args.removes !== undefined && !matched(probes, 'removes')) {
    return skipped(
      `removes ${guardPath(args.removes, args.chdir)} does not exist`,
      `${verb} not run command since '${args.removes}' does not exist`,
      `skipped, since ${args.removes} does not exist`,
    );
  }
  return undefined;
}
