// The files both tools run from: the shared inventory, Ansible's two configurations, the floor's spec.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { BENCH_USER } from './fleet.mjs';

export const WORKLOAD_DIR = new URL('../workload/', import.meta.url).pathname;
export const RUNBOOK_PLAYBOOK = join(WORKLOAD_DIR, 'runbook.yml');
export const ANSIBLE_PLAYBOOK = join(WORKLOAD_DIR, 'ansible.yml');

/**
 * One Ansible YAML inventory read by both tools: same hosts, user and key. The known_hosts file is
 * given to runbook here and to Ansible in its configuration (runbook refuses ansible_ssh_common_args).
 */
export function writeInventory(fleet, hosts, path) {
  const inventory = {
    all: {
      vars: {
        ansible_user: BENCH_USER,
        ansible_port: fleet.port,
        ansible_ssh_private_key_file: fleet.clientKey,
        runbook_known_hosts_file: fleet.knownHosts,
      },
      hosts: Object.fromEntries(hosts.map((host) => [host.name, { ansible_host: host.address, root: host.root }])),
    },
  };
  writeFileSync(path, stringify(inventory));
  return path;
}

/**
 * Ansible as shipped (forks 5, full fact gathering every run, interpreter discovery, ControlPersist 60 s)
 * and tuned the usual ways (forks 50, pipelining, long ControlPersist without compression, facts gathered
 * once and cached, a fixed interpreter, a short internal poll). Each has its own ControlPath directory
 * so neither reuses the other's master connections.
 */
export function writeAnsibleConfigs(dir, knownHosts) {
  const configs = {};
  for (const variant of ['tuned', 'default']) {
    const base = join(dir, variant);
    mkdirSync(join(base, 'cp'), { recursive: true });
    mkdirSync(join(base, 'tmp'), { recursive: true });
    const lines = ['[defaults]', `local_tmp = ${join(base, 'tmp')}`, 'nocolor = true'];
    if (variant === 'tuned') {
      lines.push(
        'forks = 50',
        'gathering = smart',
        'fact_caching = jsonfile',
        `fact_caching_connection = ${join(base, 'facts')}`,
        'fact_caching_timeout = 86400',
        'interpreter_python = /usr/bin/python3',
        'internal_poll_interval = 0.001',
      );
    }
    lines.push(
      '',
      '[ssh_connection]',
      `control_path_dir = ${join(base, 'cp')}`,
      // Host key checking stays on, against the fleet's own known_hosts.
      `ssh_common_args = -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes`,
    );
    if (variant === 'tuned') lines.push('pipelining = true', 'ssh_args = -o ControlMaster=auto -o ControlPersist=600s');
    const path = join(base, 'ansible.cfg');
    writeFileSync(path, `${lines.join('\n')}\n`);
    configs[variant] = { path, controlPathDir: join(base, 'cp') };
  }
  return configs;
}

/**
 * The reads a no-op re-run of runbook.yml needs on each host, as plain shell: host facts, then what
 * the tasks check (directory, copied file, the line-edited file twice, the template's output, the
 * command's guard, the stat, the package). Built with runbook's own `sh` so every path is quoted.
 */
export async function writeFloorSpec(fleet, hosts, path) {
  const { sh, Command } = await import('../../dist/shell/command.js');
  const spec = {
    hosts: hosts.map((host) => {
      const app = join(host.root, 'runbook');
      const file = (name) => join(app, name);
      const reads = [
        sh`. /etc/os-release; echo "$ID $VERSION_ID"; id -un; uname -m; hostname`,
        sh`stat -c '%F %a %U %G' -- ${app}`,
        sh`stat -c '%F %a %U %G %s' -- ${file('motd')} && cat -- ${file('motd')}`,
        sh`cat -- ${file('settings.conf')}`,
        sh`cat -- ${file('settings.conf')}`,
        sh`stat -c '%F %a %U %G %s' -- ${file('index.html')} && cat -- ${file('index.html')}`,
        sh`test -e ${file('.initialized')}`,
        sh`stat -c '%F %a %U %G %s' -- ${file('motd')}`,
        sh`dpkg-query -W -f '\${Status}' coreutils`,
      ];
      return {
        name: host.name,
        address: host.address,
        port: host.port,
        user: BENCH_USER,
        privateKeyFile: fleet.clientKey,
        hostKey: readFileSync(`${host.hostKey}.pub`, 'utf8').split(' ')[1],
        reads: reads.map((read) => read.render()),
        batch: Command.join(reads, ' && ').render(),
      };
    }),
  };
  writeFileSync(path, JSON.stringify(spec));
  return path;
}
