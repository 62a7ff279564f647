import { sh } from '../shell/command.js';
import type { ShellArgs } from '../schema/generated/shell.js';
import { runPlan } from './command.js';
import { guardNoop, guardProbes } from './lib/guards.js';
import type { ModuleDefinition } from './types.js';

export const shellModule: ModuleDefinition<ShellArgs> = {
  name: 'shell',
  summary: 'Run shell code with sh -c',
  probe: (args) => guardProbes(args),
  plan(args, probes) {
    const skip = guardNoop(args, probes);
    if (skip) return skip;
    // The user's code is the shell's script: passed as ONE quoted argument, so no raw() is needed.
    return runPlan(sh`exec ${args.executable ?? '/bin/sh'} -c ${args.cmd}`, args.cmd, args, { cmd: args.cmd });
  },
};
