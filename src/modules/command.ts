import { sh, type Command } from '../shell/command.js';
import type { CommandArgs } from '../schema/generated/command.js';
import { execFields } from './lib/exec-fields.js';
import { guardNoop, guardProbes, type GuardArgs } from './lib/guards.js';
import { expandWord, expansionProbes, expansionRead } from './lib/python-expand.js';
import { splitCommandLine } from './lib/shlex.js';
import type { ModuleDefinition, Plan, ProbeResults, ProbeSet } from './types.js';

/**
 * Ansible's command: the words of the command line, each expanded as Ansible expands them on the
 * host ($VARS and ~, never globs, pipes or redirections), run without a shell.
 */
export const commandModule: ModuleDefinition<CommandArgs> = {
  name: 'command',
  summary: 'Run a program without a shell',
  probe: (args) => firstProbes(args, argvOf(args)),
  plan(args, probes, context) {
    const argv = argvOf(args);
    const [program] = argv;
    if (program === undefined) return { kind: 'fail', message: 'command: no program given' };
    const expanded = argv.map((word) => expandWord(word, probes));
    // `exec` takes no `--` in dash, so a leading dash would be read as an option by bash's exec.
    if (expanded[0]!.startsWith('-')) return { kind: 'fail', message: `command: program name ${JSON.stringify(expanded[0])} starts with "-"` };
    return guardedRun(args, probes, context.check, argv, (guards) =>
      // `exec` runs the program itself, never a builtin, keyword, function or `NAME=value` assignment.
      runPlan(sh`exec ${expanded}`, sh`${expanded}`.redacted(), { ...args, ...guards }, { cmd: argv }),
    );
  },
};

function argvOf(args: CommandArgs): string[] {
  return args.argv ?? splitCommandLine(args.cmd ?? '');
}

/** The arguments of command and shell that Ansible types as paths, and so expands. */
interface RunArgs extends GuardArgs {
  stdin?: string;
  stdin_add_newline?: boolean;
  strip_empty_ends?: boolean;
}

/** The first probe round: the environment when any word needs expanding (the guards come next), else the guards. */
export function firstProbes(args: RunArgs, words: readonly string[]): ProbeSet {
  const expansion = expansionProbes([...words, ...[args.creates, args.removes, args.chdir].filter((path) => path !== undefined)]);
  return Object.keys(expansion).length > 0 ? expansion : guardProbes(args);
}

/** Guards checked on the expanded paths (one more probe round when they waited for the expansion), then the run. */
export function guardedRun(args: RunArgs, probes: ProbeResults, check: boolean, cmd: unknown, run: (paths: GuardArgs) => Plan): Plan {
  const expand = (path: string | undefined) => (path === undefined ? undefined : expandWord(path, probes));
  const paths: GuardArgs = {
    ...(args.creates === undefined ? {} : { creates: expand(args.creates) }),
    ...(args.removes === undefined ? {} : { removes: expand(args.removes) }),
    ...(args.chdir === undefined ? {} : { chdir: expand(args.chdir) }),
  };
  const guardsWanted = paths.creates !== undefined || paths.removes !== undefined;
  if (guardsWanted && expansionRead(probes) && probes.creates === undefined && probes.removes === undefined) {
    return { kind: 'probe', probes: guardProbes(paths) };
  }
  return guardNoop(paths, probes, check, cmd) ?? run(paths);
}

/**
 * The change plan of command and shell: one step, optionally in a directory, stdin closed unless
 * given (with the newline Ansible adds, unless stdin_add_newline is false).
 */
export function runPlan(run: Command, shown: string, args: RunArgs, result: Record<string, unknown>): Plan {
  const stdin = args.stdin === undefined ? undefined : args.stdin_add_newline === false ? args.stdin : `${args.stdin}\n`;
  const withInput = stdin === undefined ? sh`${run} </dev/null` : run;
  const command = args.chdir === undefined ? withInput : sh`cd -- ${args.chdir} && ${withInput}`;
  const keepEnds = args.strip_empty_ends === false;
  return {
    kind: 'change',
    summary: `run: ${shown}`,
    steps: [{ title: `run ${firstLine(shown)}`, command, ...(stdin === undefined ? {} : { stdin }), ...(keepEnds ? { capture: 'run' } : {}) }],
    result: { ...result, msg: '' },
    // Ansible strips trailing newlines from stdout and stderr unless strip_empty_ends is false.
    ...(keepEnds
      ? {
          finish: (captured) => {
            const ran = captured.run!;
            return { result: { ...execFields(ran), stdout: ran.stdout, stderr: ran.stderr } };
          },
        }
      : {}),
  };
}

function firstLine(text: string): string {
  const [first = ''] = text.split('\n');
  return first.length < text.length ? `${first} …` : first;
}
