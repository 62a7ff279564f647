import { moduleNames } from '../schema/ajv.js';

/**
 * Ansible's modules, as runbook knows them. `ansible` is the short name of an ansible.builtin module,
 * or a collection module's full name. An `alias` entry names the runbook module that takes Ansible's
 * arguments for it with Ansible's meaning: every spelling of the name is accepted. Any other entry is
 * refused at validation, with the `closest` runbook module and what `differs`: accepting Ansible's
 * name for something that behaves differently is worse than refusing it.
 */
type AnsibleModule = { ansible: string; alias: string } | RefusedModule;

export interface RefusedModule {
  ansible: string;
  /** runbook's closest module, if it has one. */
  closest: string | undefined;
  /** How `closest` differs from Ansible's module (or, without one, what runbook has instead). */
  differs: string;
}

const ANSIBLE_MODULES: readonly AnsibleModule[] = [
  { ansible: 'assert', alias: 'assert' },
  { ansible: 'copy', alias: 'copy' },
  { ansible: 'debug', alias: 'debug' },
  { ansible: 'meta', alias: 'meta' },
  { ansible: 'fail', alias: 'fail' },
  { ansible: 'pause', alias: 'pause' },
  { ansible: 'ping', alias: 'ping' },
  { ansible: 'set_fact', alias: 'set_fact' },
  { ansible: 'setup', alias: 'setup' },
  { ansible: 'service_facts', alias: 'service_facts' },
  { ansible: 'slurp', alias: 'slurp' },
  { ansible: 'stat', alias: 'stat' },
  { ansible: 'template', alias: 'template' },
  { ansible: 'wait_for', alias: 'wait_for' },
  { ansible: 'command', alias: 'command' },
  { ansible: 'shell', alias: 'shell' },
  { ansible: 'file', alias: 'file' },
  { ansible: 'fetch', alias: 'fetch' },
  { ansible: 'find', alias: 'find' },
  { ansible: 'get_url', alias: 'get_url' },
  { ansible: 'unarchive', alias: 'unarchive' },
  { ansible: 'package', alias: 'package' },
  { ansible: 'service', alias: 'service' },
  { ansible: 'systemd', alias: 'systemd' },
  { ansible: 'systemd_service', alias: 'systemd' },
  { ansible: 'apt', alias: 'apt' },
  { ansible: 'dnf', alias: 'dnf' },
  { ansible: 'yum', alias: 'yum' },
  {
    ansible: 'dnf5',
    closest: 'dnf',
    differs: 'it runs dnf (not dnf5) and takes name, state, update_cache, enablerepo, disablerepo and disable_gpg_check only',
  },
  { ansible: 'lineinfile', alias: 'lineinfile' },
  { ansible: 'replace', alias: 'replace' },
  { ansible: 'blockinfile', alias: 'blockinfile' },
  { ansible: 'include_vars', alias: 'include_vars' },
  { ansible: 'user', alias: 'user' },
  { ansible: 'group', alias: 'group' },
  { ansible: 'ansible.posix.mount', alias: 'mount' },
  { ansible: 'ansible.posix.sysctl', alias: 'sysctl' },
  { ansible: 'ansible.posix.authorized_key', alias: 'authorized_key' },
  { ansible: 'cron', alias: 'cron' },
  { ansible: 'hostname', alias: 'hostname' },
  { ansible: 'community.general.timezone', alias: 'timezone' },
  { ansible: 'yum_repository', alias: 'yum_repository' },
  { ansible: 'apt_repository', alias: 'apt_repository' },
  { ansible: 'git', alias: 'git' },
  { ansible: 'rpm_key', alias: 'rpm_key' },
  { ansible: 'ansible.posix.firewalld', alias: 'firewalld' },
  { ansible: 'ansible.posix.seboolean', alias: 'seboolean' },
  { ansible: 'community.libvirt.virt', alias: 'virt' },
  { ansible: 'community.libvirt.virt_net', alias: 'virt_net' },
  { ansible: 'community.libvirt.virt_pool', alias: 'virt_pool' },
  { ansible: 'community.general.filesystem', alias: 'filesystem' },
  { ansible: 'community.general.lvg', alias: 'lvg' },
  { ansible: 'community.general.lvol', alias: 'lvol' },
  // Common Ansible modules runbook does not have: refused with what to use instead.
  { ansible: 'raw', closest: 'shell', differs: 'runbook needs no Python on the hosts, so every module runs where raw would; shell runs the same text through /bin/sh' },
  { ansible: 'script', closest: undefined, differs: 'copy the script to the host (copy, mode "0755"), then run it with command' },
  {
    ansible: 'community.general.nmcli',
    closest: 'bridge',
    differs: "bridge puts one interface and its address into a Linux bridge, live with ip and persistent as systemd-networkd files (not NetworkManager connections), and the host rolls it back if runbook stops reaching it; nmcli's other connection types have no counterpart",
  },
  { ansible: 'uri', closest: 'get_url', differs: 'get_url downloads a URL into a file; runbook has no module for other HTTP requests' },
  { ansible: 'reboot', closest: undefined, differs: 'runbook does not reboot hosts' },
  { ansible: 'ansible.posix.synchronize', closest: 'copy', differs: 'copy sends one file (atomically, with its mode and owner); runbook has no rsync' },
  { ansible: 'add_host', closest: undefined, differs: "runbook's inventory is read before the run and stays as it is" },
  { ansible: 'group_by', closest: undefined, differs: "runbook's inventory is read before the run and stays as it is" },
  { ansible: 'wait_for_connection', closest: 'wait_for', differs: 'runbook connects once per host at the start of a play; wait_for waits on the host for a port or a file' },
];

/** How Ansible users may write a module's name: short, ansible.builtin. and ansible.legacy. forms, or a collection's full name and its short name. */
function spellings(ansible: string): string[] {
  return ansible.includes('.') ? [ansible, ansible.slice(ansible.lastIndexOf('.') + 1)] : [ansible, `ansible.builtin.${ansible}`, `ansible.legacy.${ansible}`];
}

export interface ModuleNames {
  /** Every name a task may use -> the runbook module it runs. */
  accepted: ReadonlyMap<string, string>;
  /** Ansible's names that runbook refuses -> the closest runbook module (if any) and what differs. */
  refused: ReadonlyMap<string, RefusedModule>;
}

let names: ModuleNames | undefined;

/** The one table of module names: runbook's own (from schemas/modules/), and Ansible's. */
export function moduleNameTable(): ModuleNames {
  if (names !== undefined) return names;
  const own = moduleNames();
  const accepted = new Map(own.map((name) => [name, name]));
  const refused = new Map<string, RefusedModule>();
  for (const entry of ANSIBLE_MODULES) {
    // runbook's own names stay runbook's, even where Ansible's module of that name differs.
    for (const spelling of spellings(entry.ansible).filter((name) => !own.includes(name))) {
      if ('alias' in entry) accepted.set(spelling, entry.alias);
      else refused.set(spelling, entry);
    }
  }
  names = { accepted, refused };
  return names;
}

/** What to tell someone who wrote a refused Ansible name. */
export function refusalHint(refused: RefusedModule): string {
  return refused.closest === undefined ? refused.differs : `runbook has "${refused.closest}": ${refused.differs}`;
}
