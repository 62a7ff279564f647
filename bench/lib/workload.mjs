// The files the tools run from: the workloads, the shared inventory (and pyinfra's), Ansible's
// configurations, the floor's specs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { BENCH_USER } from './fleet.mjs';

export const WORKLOAD_DIR = new URL('../workload/', import.meta.url).pathname;
export const RUNBOOK_PLAYBOOK = join(WORKLOAD_DIR, 'runbook.yml');
export const ANSIBLE_PLAYBOOK = join(WORKLOAD_DIR, 'ansible.yml');
const LOOP_ITEMS = 100;

/**
 * The timed workloads, in the order they run on each N: the first converge leaves every host
 * converged for the no-op re-run; the loop converges its own file untimed first. `changedPerHost` is
 * what every timed run must report changed on each host, per tool (a loop is one task for runbook and
 * Ansible, 100 operations for pyinfra); `prepareChangedPerHost` is the untimed converge's.
 * Each tool works in its own subdirectory of the host's `root` (`dirs`, also what a reset empties).
 */
export const WORKLOADS = {
  converge: {
    title: '(b) First converge of the 10 tasks on fresh hosts',
    what: "the same 10 tasks on hosts whose working directories were emptied before each run (everything changes: runbook and Ansible report 6 changed tasks a host, pyinfra 7 changed operations, its python.call check always counting as one; Ansible's fact cache is emptied too)",
    fresh: true,
    files: { runbook: RUNBOOK_PLAYBOOK, ansible: ANSIBLE_PLAYBOOK, pyinfra: join(WORKLOAD_DIR, 'pyinfra-tasks.py') },
    changedPerHost: { runbook: 6, ansible: 6, pyinfra: 7, floor: 0 },
  },
  noop: {
    title: '(a) No-op re-run of the 10 tasks',
    what: "the same 10 tasks re-run on converged hosts (nothing changes; pyinfra reports 1 changed operation a host, its python.call check, which always counts as changed)",
    fresh: false,
    files: { runbook: RUNBOOK_PLAYBOOK, ansible: ANSIBLE_PLAYBOOK, pyinfra: join(WORKLOAD_DIR, 'pyinfra-tasks.py') },
    changedPerHost: { runbook: 0, ansible: 0, pyinfra: 1, floor: 0 },
  },
  loop: {
    title: `(c) No-op re-run of one task looping over ${LOOP_ITEMS} items`,
    what: `one task over ${LOOP_ITEMS} items (a line each in one file), re-run on hosts where it has converged (nothing changes)`,
    fresh: false,
    files: { runbook: join(WORKLOAD_DIR, 'runbook-loop.yml'), ansible: join(WORKLOAD_DIR, 'ansible-loop.yml'), pyinfra: join(WORKLOAD_DIR, 'pyinfra-loop.py') },
    changedPerHost: { runbook: 0, ansible: 0, pyinfra: 0, floor: 0 },
    prepareChangedPerHost: { runbook: 1, ansible: 1, pyinfra: LOOP_ITEMS },
  },
};

/** Each tool's subdirectory of a host's `root`. */
export const TOOL_DIRS = { runbook: 'runbook', ansible: 'ansible', ansibleMitogen: 'ansible-mitogen', pyinfra: 'pyinfra', floor: 'floor' };

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
 * pyinfra's inventory, a Python file: the same hosts (named host1…, reached at their addresses), user,
 * key and known_hosts, with strict host key checking.
 */
export function writePyinfraInventory(fleet, hosts, path) {
  const data = (host) =>
    JSON.stringify({
      ssh_hostname: host.address,
      ssh_port: fleet.port,
      ssh_user: BENCH_USER,
      ssh_key: fleet.clientKey,
      ssh_known_hosts_file: fleet.knownHosts,
      ssh_strict_host_key_checking: 'yes',
      root: host.root,
    });
  // JSON objects of strings and numbers are Python literals too.
  writeFileSync(path, `hosts = [\n${hosts.map((host) => `    (${JSON.stringify(host.name)}, ${data(host)}),`).join('\n')}\n]\n`);
  return path;
}

/**
 * pyinfra's inventory for the lab's sandbox hosts, from the Ansible inventory `sandbox up` writes: the
 * same groups, addresses, user, key and known_hosts (strict host key checking), and the lab's
 * variables (lab_address, lab_network, nfs_backend) as host data.
 */
export function writePyinfraLabInventory(ansibleInventory, path) {
  const { all } = parse(readFileSync(ansibleInventory, 'utf8'));
  const data = (vars) =>
    JSON.stringify({
      ssh_hostname: vars.ansible_host,
      ssh_port: vars.ansible_port,
      ssh_user: vars.ansible_user,
      ssh_key: vars.ansible_ssh_private_key_file,
      ssh_known_hosts_file: all.vars.runbook_known_hosts_file,
      ssh_strict_host_key_checking: 'yes',
      lab_address: vars.lab_address,
      lab_network: all.vars.lab_network,
      nfs_backend: all.vars.nfs_backend,
    });
  const groups = Object.entries(all.children).map(
    ([group, { hosts }]) => `${group} = [\n${Object.entries(hosts).map(([name, vars]) => `    (${JSON.stringify(name)}, ${data(vars)}),`).join('\n')}\n]\n`,
  );
  // JSON objects of strings and numbers are Python literals too.
  writeFileSync(path, groups.join('\n'));
  return path;
}

/** Where the Debian package ansible-mitogen puts Mitogen's strategy plugins (python3-mitogen has none). */
export const MITOGEN_STRATEGY_PLUGINS = '/usr/lib/python3/dist-packages/ansible_mitogen/plugins/strategy';

/**
 * Ansible as shipped (forks 5, full fact gathering every run, interpreter discovery, ControlPersist 60 s),
 * tuned the usual ways (forks 50, pipelining, long ControlPersist without compression, facts gathered
 * once and cached, a fixed interpreter, a short internal poll), and tuned with Mitogen's
 * mitogen_linear strategy. Each has its own ControlPath directory so none reuses another's master
 * connections.
 */
export function writeAnsibleConfigs(dir, knownHosts) {
  const configs = {};
  for (const variant of ['tuned', 'default', 'mitogen']) {
    const tuned = variant !== 'default';
    const base = join(dir, variant);
    mkdirSync(join(base, 'cp'), { recursive: true });
    mkdirSync(join(base, 'tmp'), { recursive: true });
    const lines = ['[defaults]', `local_tmp = ${join(base, 'tmp')}`, 'nocolor = true'];
    if (tuned) {
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
    if (variant === 'mitogen') lines.push(`strategy_plugins = ${MITOGEN_STRATEGY_PLUGINS}`, 'strategy = mitogen_linear');
    lines.push(
      '',
      '[ssh_connection]',
      `control_path_dir = ${join(base, 'cp')}`,
      // Host key checking stays on, against the fleet's own known_hosts.
      `ssh_common_args = -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes`,
    );
    if (tuned) lines.push('pipelining = true', 'ssh_args = -o ControlMaster=auto -o ControlPersist=600s');
    const path = join(base, 'ansible.cfg');
    writeFileSync(path, `${lines.join('\n')}\n`);
    configs[variant] = { path, controlPathDir: join(base, 'cp'), factCacheDir: tuned ? join(base, 'facts') : undefined };
  }
  return configs;
}

/**
 * The floor's commands per workload, as plain shell built with runbook's own `sh` (every path quoted):
 * for the no-op re-run, the reads its tasks need (host facts, then directory, copied file, the
 * line-edited file twice, the template's output, the command's guard, the stat, the package); for the
 * first converge, the same reads with the writes each changed task needs; for the loop, one read of
 * the file per item.
 */
async function floorCommands(workload, host) {
  const { sh } = await import('../../dist/shell/command.js');
  const app = join(host.root, TOOL_DIRS.floor);
  const file = (name) => join(app, name);
  const facts = sh`. /etc/os-release; echo "$ID $VERSION_ID"; id -un; uname -m; hostname`;
  const pkg = sh`dpkg-query -W -f '\${Status}' coreutils`;
  if (workload === 'noop') {
    return [
      facts,
      sh`stat -c '%F %a %U %G' -- ${app}`,
      sh`stat -c '%F %a %U %G %s' -- ${file('motd')} && cat -- ${file('motd')}`,
      sh`cat -- ${file('settings.conf')}`,
      sh`cat -- ${file('settings.conf')}`,
      sh`stat -c '%F %a %U %G %s' -- ${file('index.html')} && cat -- ${file('index.html')}`,
      sh`test -e ${file('.initialized')}`,
      sh`stat -c '%F %a %U %G %s' -- ${file('motd')}`,
      pkg,
    ];
  }
  if (workload === 'converge') {
    const index = `<!doctype html>\n<title>${host.name}</title>\n<p>${host.name} serves from ${host.root}.</p>\n`;
    const write = (name, content) => sh`printf %s ${content} > ${file(name)} && chmod 0644 -- ${file(name)}`;
    return [
      facts,
      sh`test -d ${app} || mkdir -m 0755 -- ${app}`,
      write('motd', 'managed by the runbook benchmark\n'),
      write('settings.conf', `port=8080\nname=${host.name}\n`),
      write('index.html', index),
      sh`test -e ${file('.initialized')} || touch -- ${file('.initialized')}`,
      sh`stat -c '%F %a %U %G %s' -- ${file('motd')}`,
      pkg,
    ];
  }
  return Array.from({ length: 100 }, (_, index) => sh`grep -qx ${`flag${index + 1}=on`} -- ${file('flags.conf')}`);
}

/** The floor's spec for `workload` (see bench/floor.mjs). */
export async function writeFloorSpec(fleet, hosts, workload, path) {
  const { Command } = await import('../../dist/shell/command.js');
  const spec = {
    hosts: await Promise.all(
      hosts.map(async (host) => {
        const commands = await floorCommands(workload, host);
        return {
          name: host.name,
          address: host.address,
          port: host.port,
          user: BENCH_USER,
          privateKeyFile: fleet.clientKey,
          hostKey: readFileSync(`${host.hostKey}.pub`, 'utf8').split(' ')[1],
          reads: commands.map((command) => command.render()),
          batch: Command.join(commands, ' && ').render(),
        };
      }),
    ),
  };
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

/** The loop's file as the floor reads it: written once, untimed, like the tools' own converge. */
export function writeFloorLoopFile(hosts) {
  const text = Array.from({ length: 100 }, (_, index) => `flag${index + 1}=on\n`).join('');
  for (const host of hosts) {
    mkdirSync(join(host.root, TOOL_DIRS.floor), { recursive: true });
    writeFileSync(join(host.root, TOOL_DIRS.floor, 'flags.conf'), text);
  }
}
