import { sh } from '../shell/command.js';
import type { ShellArgs } from '../schema/generated/shell.js';
import { firstProbes, guardedRun, runPlan } from './command.js';
import type { ModuleDefinition } from './types.js';

/** Ansible's shell: the code runs as the script of `/bin/sh -c` (or `executable`); creates, removes and chdir are expanded as paths. */
export const shellModule: ModuleDefinition<ShellArgs> = {
  name: 'shell',
  summary: 'Run shell code with sh -c',
  probe: (args) => firstProbes(args, []),
  plan(args, probes, context) {
    return guardedRun(args, probes, context.check, args.cmd, (paths) =>
      // The user's code is the shell's script: passed as ONE quoted argument, so no raw() is needed.
      runPlan(sh`exec ${args.executable ?? '/bin/sh'} -c ${args.cmd}`, args.cmd, { ...args, ...paths }, { cmd: args.cmd }),
    );
  },
};
