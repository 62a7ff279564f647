import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { RunbookError, ValidationError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { EXIT } from './exit-codes.js';
import { DEFAULT_CONNECT_TIMEOUT_S, DEFAULT_FORKS, DEFAULT_LOCK_TIMEOUT_S } from './run-settings.js';

// Heavy modules (ssh2, ajv, listr2) are imported inside actions so `runbook --version` starts fast.

/** Loads what the first SSH connection loads: the build runs it before it writes the bundle's code cache. */
export async function loadSsh2(): Promise<typeof import('ssh2')> {
  return (await import('../transport/ssh.js')).loadSsh2();
}

const version = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return number;
}

function wholeSeconds(value: string): number {
  const number = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(number)) throw new InvalidArgumentError('expected a whole number of seconds (0 or more)');
  return number;
}

function percentage(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0 || number > 100) throw new InvalidArgumentError('expected a percentage from 0 to 100');
  return number;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function commaList(value: string, previous: string[]): string[] {
  return [...previous, ...value.split(',').map((tag) => tag.trim()).filter(Boolean)];
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('runbook')
    .description('Apply YAML playbooks idempotently over SSH. Everything is validated before any host is contacted.')
    .version(version, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  const runOptions = (command: Command): Command =>
    command
      .option('-i, --inventory <file>', "Ansible-style inventory (YAML or INI); default: ansible.cfg's inventory, else only localhost")
      .option('-l, --limit <pattern>', 'further limit the hosts (Ansible pattern, e.g. kvm1 or kvm_hosts:!kvm2)')
      .option('-e, --extra-vars <vars>', 'key=value, a JSON/YAML mapping, or @file.yml (repeatable; highest precedence)', collect, [])
      .option('-t, --tags <tags>', 'run only tasks with these tags (comma-separated)', commaList, [])
      .option('--skip-tags <tags>', 'skip tasks with these tags (comma-separated)', commaList, [])
      .option('-f, --forks <n>', `hosts worked on in parallel (default: ansible.cfg's forks, else ${DEFAULT_FORKS})`, positiveInteger)
      .option('-D, --diff', 'show what each change does to files and state', false)
      .addOption(
        new Option(
          '--host-key-policy <policy>',
          'unknown host keys: refuse (strict, the default) or record (accept-new; also what host_key_checking = False in ansible.cfg means); a changed key is always refused',
        ).choices(['strict', 'accept-new']),
      )
      .option('--connect-timeout <seconds>', `give up connecting to a host after this long (default: ansible.cfg's timeout, else ${DEFAULT_CONNECT_TIMEOUT_S})`, positiveInteger)
      .option('--timeout <seconds>', 'give up on any single command after this long', positiveInteger)
      .option(
        '--lock-timeout <seconds>',
        `while another run holds a host's run lock, wait at most this long, then fail that host (0: do not wait; default ${DEFAULT_LOCK_TIMEOUT_S})`,
        wholeSeconds,
      )
      .option('--json <file>', 'also write a machine-readable report to this file');

  runOptions(program.command('apply').argument('<playbook>', 'playbook file'))
    .description('validate the playbook, then bring every host to the state it declares')
    .option('-C, --check', 'dry run: report what would change, change nothing', false)
    .option('--pod <pod>', 'in a classroom inventory: only this pod\'s hosts')
    .option('--up-to <step>', 'stop at the end of this step (number or name, as `runbook grade` shows them): a student catching up')
    .action(async (playbook: string, options) => {
      const { applyCommand } = await import('./commands/apply.js');
      setExitCode(await applyCommand(playbook, { ...options, check: Boolean(options.check) }));
    });

  runOptions(program.command('check').argument('<playbook>', 'playbook file'))
    .description('dry run (apply --check) that lists, per host, the steps not yet in place (for a classroom of pods: grade)')
    .action(async (playbook: string, options) => {
      const { applyCommand } = await import('./commands/apply.js');
      setExitCode(await applyCommand(playbook, { ...options, check: true, pending: true }));
    });

  program
    .command('grade')
    .argument('<playbook>', 'the lab playbook')
    .requiredOption('-i, --inventory <file>', 'classroom inventory: pods are the child groups of runbook_pods')
    .description('read every pod of a classroom in check mode (nothing changes) and print a pod × step matrix; exit 0 when every pod is complete')
    .option('--pod <pod>', "the student's view: this pod's steps, with the reason and a hint for the first one not in place")
    .option('-l, --limit <pattern>', 'further limit the hosts (Ansible pattern)')
    .option('-e, --extra-vars <vars>', 'extra variables, as for apply', collect, [])
    .option('-f, --forks <n>', 'hosts read in parallel', positiveInteger, 100)
    .addOption(
      new Option('--host-key-policy <policy>', 'unknown host keys: refuse (strict) or record (accept-new); a changed key is always refused')
        .choices(['strict', 'accept-new'])
        .default('strict'),
    )
    .option('--connect-timeout <seconds>', 'a host that does not answer within this is unreachable', positiveInteger, 10)
    .option('--timeout <seconds>', 'a check that runs longer is reported as failed (timed out)', positiveInteger, 60)
    .option('--pass-mark <percent>', 'score a pod needs to pass (steps weigh 1 unless the playbook says otherwise)', percentage, 100)
    .option('--html <file>', 'also write a self-contained HTML report (rewritten atomically every round)')
    .option('--json <file>', 'also write the report as JSON')
    .option('--csv <file>', 'also write one row per pod (a column per step, the score) for a gradebook')
    .option('--junit <file>', 'also write JUnit XML, one testsuite per pod')
    .option('--history <file>', 'when each pod reached each step, kept across runs (default: beside the first report file)')
    .option('--watch <seconds>', 'grade again every so often and show what changed, until Ctrl-C', positiveInteger)
    .action(async (playbook: string, options) => {
      const { gradeCommand } = await import('./commands/grade.js');
      setExitCode(await gradeCommand(playbook, options));
    });

  runOptions(program.command('reset').argument('<playbook>', 'the lab playbook whose teardown returns pods to their start'))
    .description("return pods to their starting state with the playbook's teardown (teardown.yml beside it, or --teardown)")
    .option('--pod <pod>', 'only this pod (the others are not touched)')
    .option('--teardown <file>', 'the teardown playbook (default: teardown.yml beside PLAYBOOK)')
    .action(async (playbook: string, options) => {
      const { resetCommand } = await import('./commands/reset.js');
      setExitCode(await resetCommand(playbook, options));
    });

  const classroom = program.command('classroom').description('classroom inventories: one pod of lab hosts per student');
  classroom
    .command('init')
    .description('write a classroom inventory of N pods from the inventory of one lab and an address pattern')
    .requiredOption('-i, --inventory <file>', 'the inventory of one lab (YAML or INI)')
    .requiredOption('--pods <n>', 'how many pods (students)', positiveInteger)
    .requiredOption('--address <pattern>', "each host's address in pod {pod}, e.g. 10.10.{pod}.{octet} ({octet}: the last number of the host's address in the one-lab inventory)")
    .option('-o, --output <file>', 'where to write it (default: standard output); never overwrites an existing file')
    .action(async (options) => {
      const { classroomInitCommand } = await import('./commands/classroom.js');
      setExitCode(await classroomInitCommand(options));
    });

  program
    .command('validate')
    .argument('<playbook>', 'playbook file')
    .option('-i, --inventory <file>', 'also check host patterns and variables against this inventory')
    .option('-e, --extra-vars <vars>', 'extra variables, as for apply', collect, [])
    .description('check a playbook (YAML, schema, semantic rules) and list every problem; contacts no host')
    .action(async (playbook: string, options) => {
      const { validateCommand } = await import('./commands/validate.js');
      setExitCode(await validateCommand(playbook, options));
    });

  program
    .command('doc')
    .argument('[module]', 'module name; without it, the list of modules')
    .description("show a module's arguments, from its schema")
    .action(async (module: string | undefined) => {
      const { docCommand } = await import('./commands/doc.js');
      setExitCode(await docCommand(module));
    });

  return program;
}

/** Runs the CLI and returns the exit status (see exit-codes.ts). */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram((code) => (exitCode = code));
  const { registerSandboxCommands } = await import('./commands/sandbox.js');
  registerSandboxCommands(program);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    return reportFailure(error);
  }
}

function reportFailure(error: unknown): number {
  const commanderError = error as { code?: string; exitCode?: number };
  if (typeof commanderError.code === 'string' && commanderError.code.startsWith('commander.')) {
    // commander already printed help, the version or the usage error
    return commanderError.code === 'commander.helpDisplayed' || commanderError.code === 'commander.version' || commanderError.code === 'commander.help'
      ? EXIT.ok
      : EXIT.invalidInput;
  }
  if (error instanceof ValidationError) {
    process.stderr.write(`${error.message}\n`);
    return EXIT.invalidInput;
  }
  if (error instanceof RunbookError) {
    process.stderr.write(`error ${error.code}: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
    return error.code === 'RB_USAGE' || error.code === 'RB_VALIDATION' ? EXIT.invalidInput : EXIT.taskFailed;
  }
  process.stderr.write(
    `internal error: this is a bug in runbook, please report it with the output below\n${error instanceof Error ? error.stack : String(error)}\n`,
  );
  return EXIT.internal;
}
