import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSandboxCommands } from '../../../src/cli/commands/sandbox.js';

/** Option parsing only: every case here fails before an action (which would need root) runs. */
function parse(args: string[]): Promise<unknown> {
  const program = new Command('runbook').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerSandboxCommands(program);
  return program.parseAsync(args, { from: 'user' });
}

describe('runbook sandbox options', () => {
  it.each([
    [['sandbox', 'up', '--hosts', '0'], 'commander.invalidArgument'],
    [['sandbox', 'up', '--hosts', 'two'], 'commander.invalidArgument'],
    [['sandbox', 'up', '--profile', 'classroom'], 'commander.invalidArgument'],
    [['sandbox', 'up', '--profile', 'lab', '--hosts', '2'], 'commander.conflictingOption'],
    [['sandbox', 'up', '--pods', '0'], 'commander.invalidArgument'],
    [['sandbox', 'up', '--hosts', '2', '--pods', '2'], 'commander.conflictingOption'],
    [['sandbox', 'reset'], 'commander.missingArgument'],
    [['sandbox', 'reset', 'kvm1', '--pod', 'pod01'], 'commander.conflictingOption'],
  ])('rejects %j', async (args, code) => {
    await expect(parse(args)).rejects.toMatchObject({ code });
  });
});
