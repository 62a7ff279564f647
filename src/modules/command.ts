import { sh, type Command } from '../shell/command.js';
import type { CommandArgs } from '../schema/generated/command.js';
import { guardNoop, guardProbes } from './lib/guards.js';
import { splitCommandLine } from './lib/shlex.js';
import type { ModuleDefinition, Plan } from './types.js';

export const commandModule: ModuleDefinition<CommandArgs> = {
  name: 'command',
  summary: 'Run a program without a shell',
  probe: (args) => guardProbes(args),
  plan(args, probes) {
    const argv = args.argv ?? splitCommandLine(args.cmd ?? '');
    const [program] = argv;
    if (program === undefined) return { kind: 'fail', message: 'command: no program given' };
    // `exec` takes no `--` in dash, so a leading dash would be read as an option by bash's exec.
    if (program.startsWith('-')) return { kind: 'fail', message: `command: program name ${JSON.stringify(program)} starts with "-"` };
    const skip = guardNoop(args, probes);
    if (skip) return skip;
    // `exec` runs the program itself, never a builtin, keyword, function or `NAME=value` assignment.
    return runPlan(sh`exec ${argv}`, sh`${argv}`.redacted(), args, { cmd: argv });
  },
};

/** The change plan of command and shell: one step, optionally in a directory, stdin closed unless given. */
export function runPlan(
  run: Command,
  shown: string,
  args: { chdir?: string; stdin?: string },
  result: Record<string, unknown>,
): Plan {
  const withInput = args.stdin === undefined ? sh`${run} </dev/null` : run;
  const command = args.chdir === undefined ? withInput : sh`cd -- ${args.chdir} && ${withInput}`;
  return {
    kind: 'change',
    summary: `run: ${shown}`,
    steps: [{ title: `run ${firstLine(shown)}`, command, ...(args.stdin === undefined ? {} : { stdin: args.stdin }) }],
    result,
  };
}

function firstLine(text: string): string {
  const [first = ''] = text.split('\n');
  return first.length < text.length ? `${first} …` : first;
}
