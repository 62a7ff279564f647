import { InvalidArgumentError, Option, type Command } from 'commander';
import type { SandboxProfile } from '../../sandbox/profile.js';

// The sandbox code (and what it imports) loads only inside an action, so other commands start fast.

function hostCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return count;
}

const progress = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function registerSandboxCommands(program: Command): void {
  const sandbox = program
    .command('sandbox')
    .description('real lab hosts on this Linux machine (systemd-nspawn, needs root): for learning and for the integration tests');

  sandbox
    .command('up')
    .description('start a fresh sandbox (replacing a running one); the first run builds the host image')
    .addOption(new Option('--profile <name>', 'the lab: nfs, kvm1, kvm2 (the default)').choices(['lab']))
    .addOption(new Option('--hosts <n>', 'generic hosts host1..hostN instead of the lab').argParser(hostCount).conflicts('profile'))
    .action(async (options: { profile?: 'lab'; hosts?: number }) => {
      const { sandboxUp } = await import('../../sandbox/sandbox.js');
      const profile: SandboxProfile = options.hosts === undefined ? { kind: 'lab' } : { kind: 'generic', hosts: options.hosts };
      const result = await sandboxUp(profile, { progress });
      process.stdout.write(
        [
          `sandbox up in ${seconds(result.durationMs)}: ${result.hosts.map((host) => `${host.name} (${host.labAddress})`).join(', ')}`,
          `inventory: ${result.inventoryFile}`,
          `use it with: runbook apply PLAYBOOK -i "$(runbook sandbox inventory)"`,
          '',
        ].join('\n'),
      );
    });

  sandbox
    .command('down')
    .description('stop every host and remove everything the sandbox started (processes, mounts, namespaces)')
    .action(async () => {
      const { sandboxDown } = await import('../../sandbox/sandbox.js');
      const result = await sandboxDown({ progress });
      process.stdout.write(result.removed ? `sandbox down in ${seconds(result.durationMs)}\n` : 'no sandbox was up\n');
    });

  sandbox
    .command('reset')
    .argument('<host>', 'the host to replace, e.g. kvm1')
    .description('replace one host by a freshly booted one (its files and packages are gone; the shared storage stays)')
    .action(async (host: string) => {
      const { sandboxReset } = await import('../../sandbox/sandbox.js');
      const result = await sandboxReset(host, { progress });
      process.stdout.write(`${host} reset in ${seconds(result.durationMs)}\n`);
    });

  sandbox
    .command('status')
    .description('each host with its addresses and the state systemd reports inside it')
    .action(async () => {
      const { sandboxStatus } = await import('../../sandbox/sandbox.js');
      const { describeProfile } = await import('../../sandbox/profile.js');
      const status = await sandboxStatus();
      if (!status.state) {
        process.stdout.write('no sandbox is up\n');
        return;
      }
      const rows = [
        ['HOST', 'LAB ADDRESS', 'SSH FROM HERE', 'STATE'],
        ...status.hosts.map((host) => [host.name, host.labAddress, `${host.loopbackAddress}:22`, host.detail ? `${host.state} (${host.detail})` : host.state]),
      ];
      const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
      process.stdout.write(
        [
          `sandbox ${status.up ? 'up' : 'partly stopped'} (${describeProfile(status.state.profile)}, image ${status.state.imageStamp}) since ${status.state.startedAt}`,
          `inventory: ${status.inventoryFile}`,
          ...rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()),
          '',
        ].join('\n'),
      );
    });

  sandbox
    .command('inventory')
    .description('print the path of the running sandbox\'s inventory, e.g. runbook apply lab.yml -i "$(runbook sandbox inventory)"')
    .action(async () => {
      const { sandboxInventoryFile } = await import('../../sandbox/sandbox.js');
      process.stdout.write(`${sandboxInventoryFile()}\n`);
    });
}
