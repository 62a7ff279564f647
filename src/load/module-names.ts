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
  { ansible: 'slurp', alias: 'slurp' },
  { ansible: 'stat', alias: 'stat' },
  { ansible: 'template', alias: 'template' },
  { ansible: 'wait_for', alias: 'wait_for' },
  {
    ansible: 'command',
    closest: 'command',
    differs: "it leaves $VARS and ~ in the command's words as they are, takes creates and removes as paths rather than globs, and feeds stdin without the newline Ansible adds",
  },
  {
    ansible: 'shell',
    closest: 'shell',
    differs: 'it takes creates and removes as paths rather than globs, and feeds stdin without the newline Ansible adds',
  },
  {
    ansible: 'file',
    closest: 'file',
    differs:
      'with state: link it sets owner and group on the link itself and ignores mode (Ansible follows the link to its target); state defaults to file even where a directory or link exists; a link to a missing src needs no force',
  },
  {
    ansible: 'package',
    closest: 'package',
    differs:
      "it reports changed whenever update_cache or cache_valid_time refresh the package lists (Ansible's apt reports package changes only), and ignores install_recommends and cache_valid_time on dnf and yum (Ansible's dnf and yum refuse them)",
  },
  {
    ansible: 'service',
    closest: 'service',
    differs:
      'for state: reloaded it leaves a stopped unit stopped, and restarts a unit that cannot reload (Ansible starts the stopped unit, and fails on the other); systemd units only',
  },
  ...['systemd', 'systemd_service'].map((ansible) => ({
    ansible,
    closest: 'service',
    differs: 'name, state and enabled only (no daemon_reload, masked or scope); for state: reloaded it leaves a stopped unit stopped, and restarts a unit that cannot reload',
  })),
  ...['apt', 'dnf', 'dnf5', 'yum'].map((ansible) => ({
    ansible,
    closest: 'package',
    differs:
      "one module for apt, dnf and yum, chosen from the host's facts: name (exact package names: no versions, globs or package files), state present, absent or latest, update_cache, cache_valid_time, install_recommends",
  })),
  { ansible: 'lineinfile', alias: 'lineinfile' },
  { ansible: 'replace', alias: 'replace' },
  { ansible: 'blockinfile', alias: 'blockinfile' },
  ...['include_tasks', 'import_tasks', 'include_role', 'import_role'].map((ansible) => ({
    ansible,
    closest: undefined,
    differs: 'runbook has no task files or roles yet: a play lists its tasks',
  })),
  { ansible: 'include_vars', closest: undefined, differs: "runbook reads variable files with the play's vars_files" },
  { ansible: 'user', alias: 'user' },
  { ansible: 'group', alias: 'group' },
  {
    ansible: 'ansible.posix.mount',
    closest: 'mount',
    differs: 'state: absent keeps the mount point directory (Ansible removes it); no boot, backup, or states absent_from_fstab and ephemeral',
  },
  {
    ansible: 'ansible.posix.firewalld',
    closest: 'firewall',
    differs:
      "it changes both the permanent and the running configuration by default (Ansible's firewalld changes the running one unless permanent: true, and then only the permanent one unless immediate: true); service and port only; hosts without a running firewalld are skipped",
  },
  {
    ansible: 'ansible.posix.seboolean',
    closest: 'selinux_boolean',
    differs: "the value is made persistent by default (by Ansible's seboolean only with persistent: true); hosts without SELinux are skipped",
  },
  {
    ansible: 'community.libvirt.virt',
    closest: 'virt_domain',
    differs: 'a domain defined from xml, xml_file or template, in state running, shutdown, destroyed, defined or undefined; no command, uri or paused',
  },
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
