import { InvalidArgumentError, Option, type Command } from 'commander';
import type { SandboxProfile } from '../../sandbox/profile.js';

// The sandbox code (and what it imports) loads only inside an action, so other commands start fast.

function positiveInteger(value: string): number {
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
    .addOption(
      new Option('--pods <n>', 'a classroom: N pods of the lab (podNN-nfs, podNN-kvm1, podNN-kvm2), each on its own network 10.77.N.0/24 with its own shared storage')
        .argParser(positiveInteger),
    )
    .addOption(new Option('--hosts <n>', 'generic hosts host1..hostN instead of the lab').argParser(positiveInteger).conflicts(['profile', 'pods']))
    .action(async (options: { profile?: 'lab'; pods?: number; hosts?: number }) => {
      const { sandboxUp } = await import('../../sandbox/sandbox.js');
      const { sandboxPods } = await import('../../sandbox/profile.js');
      const profile: SandboxProfile =
        options.hosts === undefined ? { kind: 'lab', ...(options.pods === undefined ? {} : { pods: options.pods }) } : { kind: 'generic', hosts: options.hosts };
      const result = await sandboxUp(profile, { progress });
      const pods = sandboxPods(result.hosts);
      const started =
        pods.length === 0
          ? result.hosts.map((host) => `${host.name} (${host.labAddress})`).join(', ')
          : `${pods.length} pod${pods.length === 1 ? '' : 's'} of nfs, kvm1, kvm2: ${pods.map(({ network }) => `${network.name} (${network.cidr})`).join(', ')}`;
      process.stdout.write(
        [
          `sandbox up in ${seconds(result.durationMs)}: ${started}`,
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
    .argument('[host]', 'the host to replace, e.g. kvm1')
    .option('--pod <name>', 'instead of one host, replace every host of this pod and give it a fresh, empty shared storage, e.g. pod03')
    .description('replace one host by a freshly booted one (its files and packages are gone; the shared storage stays), or a whole pod')
    .action(async (host: string | undefined, options: { pod?: string }, command: Command) => {
      if (host !== undefined && options.pod !== undefined) command.error('error: give a host or --pod, not both', { code: 'commander.conflictingOption' });
      if (options.pod !== undefined) {
        const { sandboxResetPod } = await import('../../sandbox/sandbox.js');
        const result = await sandboxResetPod(options.pod, { progress });
        process.stdout.write(`${options.pod} reset in ${seconds(result.durationMs)}\n`);
        return;
      }
      if (host === undefined) command.error("error: missing argument 'host' (or --pod)", { code: 'commander.missingArgument' });
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
      // In a classroom, hosts are grouped by pod: the pod's name and network head its first row.
      const inPods = status.hosts.some((host) => host.pod);
      const rows = [
        [...(inPods ? ['POD'] : []), 'HOST', 'LAB ADDRESS', 'SSH FROM HERE', 'STATE'],
        ...status.hosts.map((host, index) => {
          const pod = host.pod?.network;
          const firstOfPod = pod !== undefined && status.hosts[index - 1]?.pod?.network.name !== pod.name;
          return [
            ...(inPods ? [firstOfPod ? `${pod.name} ${pod.cidr}` : ''] : []),
            host.name,
            host.labAddress,
            `${host.loopbackAddress}:22`,
            host.detail ? `${host.state} (${host.detail})` : host.state,
          ];
        }),
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
