import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Issue } from '../errors.js';

/**
 * Ansible's configuration file, read as Ansible reads it, for the settings runbook has a meaning for.
 * The first of ANSIBLE_CONFIG, ./ansible.cfg (unless the directory is world-writable, as Ansible
 * refuses it there), ~/.ansible.cfg and /etc/ansible/ansible.cfg is used; ANSIBLE_* environment
 * variables win over the file, and command-line options over both.
 */
export interface AnsibleConfig {
  /** The file read, if any. */
  file: string | undefined;
  inventory: string | undefined;
  forks: number | undefined;
  remoteUser: string | undefined;
  remotePort: number | undefined;
  privateKeyFile: string | undefined;
  /** Connection timeout, seconds. */
  timeout: number | undefined;
  rolesPath: string[];
  /** False only when the file or ANSIBLE_HOST_KEY_CHECKING turns checking off (runbook then records unknown keys). */
  hostKeyChecking: boolean;
  become: boolean | undefined;
  becomeUser: string | undefined;
  /** `gathering = explicit`: plays gather facts only when they say gather_facts: true. */
  gatherByDefault: boolean;
  /** Errors (settings runbook would run with another meaning) and warnings, positioned in the file. */
  issues: Issue[];
}

type Env = Readonly<Record<string, string | undefined>>;

interface Setting {
  section: string;
  key: string;
  env: string;
}

const setting = (section: string, key: string, env: string): Setting => ({ section, key, env });

const USED = {
  inventory: setting('defaults', 'inventory', 'ANSIBLE_INVENTORY'),
  forks: setting('defaults', 'forks', 'ANSIBLE_FORKS'),
  remoteUser: setting('defaults', 'remote_user', 'ANSIBLE_REMOTE_USER'),
  remotePort: setting('defaults', 'remote_port', 'ANSIBLE_REMOTE_PORT'),
  privateKeyFile: setting('defaults', 'private_key_file', 'ANSIBLE_PRIVATE_KEY_FILE'),
  timeout: setting('defaults', 'timeout', 'ANSIBLE_TIMEOUT'),
  rolesPath: setting('defaults', 'roles_path', 'ANSIBLE_ROLES_PATH'),
  hostKeyChecking: setting('defaults', 'host_key_checking', 'ANSIBLE_HOST_KEY_CHECKING'),
  gathering: setting('defaults', 'gathering', 'ANSIBLE_GATHERING'),
  become: setting('privilege_escalation', 'become', 'ANSIBLE_BECOME'),
  becomeUser: setting('privilege_escalation', 'become_user', 'ANSIBLE_BECOME_USER'),
  becomeMethod: setting('privilege_escalation', 'become_method', 'ANSIBLE_BECOME_METHOD'),
} as const;

/**
 * Settings that would change what a playbook means, accepted only at Ansible's default (the value
 * given, as Ansible's config parser reads it): anything else is refused, with what to do instead.
 */
const ONLY_AT_DEFAULT: readonly { section: string; key: string; accepts: (value: string) => boolean; instead: string }[] = [
  { section: 'defaults', key: 'hash_behaviour', accepts: (value) => value === 'replace', instead: "runbook replaces dictionaries as Ansible does by default; merge them with the combine filter" },
  { section: 'defaults', key: 'error_on_undefined_vars', accepts: isTrue, instead: 'an undefined variable is always an error in runbook; give it a default with | default(...)' },
  { section: 'defaults', key: 'jinja2_native', accepts: isFalse, instead: 'runbook renders templates as Ansible does by default' },
  { section: 'defaults', key: 'private_role_vars', accepts: isFalse, instead: "runbook's role variables are visible to later roles, as Ansible's default" },
  { section: 'defaults', key: 'force_handlers', accepts: isFalse, instead: 'runbook does not run notified handlers on a host after it failed' },
  { section: 'defaults', key: 'ask_pass', accepts: isFalse, instead: 'runbook does not prompt: use ssh keys, or ansible_password in the inventory' },
  { section: 'defaults', key: 'ask_vault_pass', accepts: isFalse, instead: 'runbook does not read Ansible Vault files' },
  { section: 'defaults', key: 'vault_password_file', accepts: () => false, instead: 'runbook does not read Ansible Vault files' },
  { section: 'defaults', key: 'vault_identity_list', accepts: (value) => value === '', instead: 'runbook does not read Ansible Vault files' },
  { section: 'defaults', key: 'no_log', accepts: isFalse, instead: 'set no_log on the tasks whose values are secret' },
  { section: 'defaults', key: 'strategy', accepts: (value) => value === 'linear', instead: 'runbook runs plays with the linear strategy' },
  { section: 'defaults', key: 'transport', accepts: (value) => ['smart', 'ssh', 'paramiko'].includes(value), instead: 'runbook connects over ssh, or locally with ansible_connection: local' },
  { section: 'privilege_escalation', key: 'become_ask_pass', accepts: isFalse, instead: 'runbook does not prompt: give ansible_become_password in the inventory (it is never printed)' },
  { section: 'privilege_escalation', key: 'become_flags', accepts: (value) => value === '', instead: 'runbook runs sudo with its own flags' },
];

/** Settings of output, logging, plugins or Python on the hosts: nothing of what a playbook does depends on them. */
const NOT_NEEDED = new Set([
  'defaults.stdout_callback',
  'defaults.callbacks_enabled',
  'defaults.callback_whitelist',
  'defaults.callback_plugins',
  'defaults.bin_ansible_callbacks',
  'defaults.retry_files_enabled',
  'defaults.retry_files_save_path',
  'defaults.nocows',
  'defaults.nocolor',
  'defaults.deprecation_warnings',
  'defaults.command_warnings',
  'defaults.system_warnings',
  'defaults.localhost_warning',
  'defaults.display_skipped_hosts',
  'defaults.display_ok_hosts',
  'defaults.display_args_to_stdout',
  'defaults.show_custom_stats',
  'defaults.interpreter_python',
  'defaults.ansible_python_interpreter',
  'defaults.local_tmp',
  'defaults.remote_tmp',
  'defaults.log_path',
  'defaults.poll_interval',
  'defaults.internal_poll_interval',
  'defaults.fact_caching',
  'defaults.fact_caching_connection',
  'defaults.fact_caching_timeout',
  'defaults.gather_timeout',
  'defaults.library',
  'defaults.module_utils',
  'defaults.filter_plugins',
  'defaults.lookup_plugins',
  'defaults.action_plugins',
  'defaults.connection_plugins',
  'defaults.strategy_plugins',
  'defaults.test_plugins',
  'defaults.vars_plugins',
  'defaults.inventory_plugins',
  'defaults.collections_path',
  'defaults.collections_paths',
  'defaults.collections_scan_sys_path',
  'defaults.keep_remote_files',
  'defaults.module_compression',
  'defaults.host_pattern_mismatch',
  'defaults.ansible_managed',
  'inventory.enable_plugins',
  'inventory.host_pattern_mismatch',
  'inventory.unparsed_is_failed',
  'ssh_connection.pipelining',
  'ssh_connection.control_path',
  'ssh_connection.control_path_dir',
  'ssh_connection.scp_if_ssh',
  'ssh_connection.transfer_method',
  'ssh_connection.retries',
  'ssh_connection.ssh_args',
  'colors.*',
  'diff.context',
  'diff.always',
  'galaxy.*',
  'persistent_connection.*',
  'paramiko_connection.*',
  'selinux.*',
]);

/** ssh options in ssh_args that only tune connection reuse or keep-alives, which runbook does itself. */
const HARMLESS_SSH_OPTIONS = /^(ControlMaster|ControlPersist|ControlPath|ServerAliveInterval|ServerAliveCountMax|TCPKeepAlive|Compression|PreferredAuthentications|ForwardAgent)=/i;

/** Where Ansible finds its configuration: the first of these that exists. */
export function findAnsibleConfig(env: Env, cwd: string, home = homedir()): { file: string | undefined; skipped?: string } {
  const candidates: string[] = [];
  let skipped: string | undefined;
  if (env.ANSIBLE_CONFIG !== undefined) {
    const path = resolve(cwd, env.ANSIBLE_CONFIG);
    candidates.push(existsSync(path) && statSync(path).isDirectory() ? join(path, 'ansible.cfg') : path);
  }
  const local = join(cwd, 'ansible.cfg');
  // Ansible ignores ./ansible.cfg in a world-writable directory: anyone could have put it there.
  if (worldWritable(cwd)) skipped = existsSync(local) ? local : undefined;
  else candidates.push(local);
  candidates.push(join(home, '.ansible.cfg'), '/etc/ansible/ansible.cfg');
  return { file: candidates.find((path) => existsSync(path) && statSync(path).isFile()), ...(skipped ? { skipped } : {}) };
}

function worldWritable(directory: string): boolean {
  try {
    return (statSync(directory).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

interface Entry {
  section: string;
  key: string;
  value: string;
  line: number;
  col: number;
}

/** Ansible's configparser: `key = value` or `key: value`, `#`/`;` comment lines, `;` inline comments after whitespace, indented continuation lines. */
export function parseIni(text: string): { entries: Entry[]; problems: { line: number; message: string }[] } {
  const entries: Entry[] = [];
  const problems: { line: number; message: string }[] = [];
  let section: string | undefined;
  let last: Entry | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (/^\s*([#;].*)?$/.test(raw)) {
      last = undefined;
      return;
    }
    if (/^\s/.test(raw) && last !== undefined) {
      last.value = `${last.value}\n${stripInlineComment(raw.trim())}`;
      return;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = header[1]!.trim();
      last = undefined;
      return;
    }
    const pair = /^(\s*)([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!pair) {
      problems.push({ line, message: `not a setting (key = value) or a [section]: ${raw.trim()}` });
      return;
    }
    if (section === undefined) {
      problems.push({ line, message: 'a setting before any [section]' });
      return;
    }
    last = { section, key: pair[2]!.toLowerCase(), value: stripInlineComment(pair[3]!), line, col: pair[1]!.length + 1 };
    entries.push(last);
  });
  return { entries, problems };
}

function stripInlineComment(value: string): string {
  return value.replace(/\s;.*$/, '').trim();
}

function isTrue(value: string): boolean {
  return ['1', 'true', 'yes', 'on', 'y', 't'].includes(value.toLowerCase());
}

function isFalse(value: string): boolean {
  return ['0', 'false', 'no', 'off', 'n', 'f', ''].includes(value.toLowerCase());
}

/** Reads the configuration Ansible would use here, with the environment's ANSIBLE_* settings over it. */
export function loadAnsibleConfig(env: Env, cwd: string, home = homedir()): AnsibleConfig {
  const found = findAnsibleConfig(env, cwd, home);
  const issues: Issue[] = [];
  const file = found.file;
  if (found.skipped) {
    issues.push({ file: found.skipped, line: 1, col: 1, code: 'RB_ANSIBLE_CFG', message: `${found.skipped} is not read: its directory is world-writable (Ansible ignores it there too)`, severity: 'warning' });
  }
  const { entries, problems } = file === undefined ? { entries: [], problems: [] } : parseIni(readFileSync(file, 'utf8'));
  const at = (entry: Entry | { line: number; col?: number }) => ({ file: file!, line: entry.line, col: entry.col ?? 1 });
  for (const problem of problems) issues.push({ ...at(problem), code: 'RB_ANSIBLE_CFG', message: problem.message, severity: 'error' });

  const fromFile = new Map<string, Entry>();
  for (const entry of entries) fromFile.set(`${entry.section}.${entry.key}`, entry);
  const baseDir = file === undefined ? cwd : dirname(file);
  /** The value and where it came from: the environment wins over the file. */
  const valueOf = (wanted: Setting): { value: string; entry?: Entry; env?: string } | undefined => {
    const fromEnv = env[wanted.env];
    if (fromEnv !== undefined) return { value: fromEnv, env: wanted.env };
    const entry = fromFile.get(`${wanted.section}.${wanted.key}`);
    return entry === undefined ? undefined : { value: entry.value, entry };
  };
  const problemAt = (source: { entry?: Entry; env?: string }, message: string, hint?: string, severity: Issue['severity'] = 'error'): void => {
    const where = source.entry ? at(source.entry) : { file: `environment variable ${source.env}`, line: 1, col: 1 };
    issues.push({ ...where, code: 'RB_ANSIBLE_CFG', message, ...(hint ? { hint } : {}), severity });
  };
  const integer = (wanted: Setting): number | undefined => {
    const found = valueOf(wanted);
    if (found === undefined) return undefined;
    const number = Number(found.value);
    if (Number.isInteger(number) && number > 0) return number;
    problemAt(found, `${wanted.key} must be a whole number above 0, not ${JSON.stringify(found.value)}`);
    return undefined;
  };
  const bool = (wanted: Setting): boolean | undefined => {
    const found = valueOf(wanted);
    if (found === undefined) return undefined;
    if (isTrue(found.value)) return true;
    if (isFalse(found.value)) return false;
    problemAt(found, `${wanted.key} must be true or false, not ${JSON.stringify(found.value)}`);
    return undefined;
  };
  // Paths in the file are relative to the file's directory, as Ansible resolves them.
  const path = (value: string, relativeTo: string): string => {
    const expanded = value.replace(/^~(?=$|\/)/, home);
    return isAbsolute(expanded) ? expanded : resolve(relativeTo, expanded);
  };
  const pathOf = (wanted: Setting): string | undefined => {
    const found = valueOf(wanted);
    return found === undefined || found.value === '' ? undefined : path(found.value, found.env ? cwd : baseDir);
  };

  const inventoryFound = valueOf(USED.inventory);
  const inventories = inventoryFound?.value.split(',').map((each) => each.trim()).filter(Boolean) ?? [];
  if (inventories.length > 1) problemAt(inventoryFound!, `runbook reads one inventory; this names ${inventories.length}: ${inventories.join(', ')}`, 'name one inventory file, or pass it with -i');
  const rolesFound = valueOf(USED.rolesPath);

  const methodFound = valueOf(USED.becomeMethod);
  if (methodFound !== undefined && methodFound.value !== 'sudo') {
    problemAt(methodFound, `become_method ${methodFound.value} as the default of every play is not supported`, 'runbook becomes another user with sudo; set become_method on the plays or tasks that need another method');
  }
  const gatheringFound = valueOf(USED.gathering);
  if (gatheringFound !== undefined && !['implicit', 'explicit', 'smart'].includes(gatheringFound.value)) {
    problemAt(gatheringFound, `gathering must be implicit, explicit or smart, not ${JSON.stringify(gatheringFound.value)}`);
  }

  for (const rule of ONLY_AT_DEFAULT) {
    const entry = fromFile.get(`${rule.section}.${rule.key}`);
    if (entry !== undefined && !rule.accepts(entry.value)) problemAt({ entry }, `${rule.key} = ${entry.value} would change what playbooks mean, and runbook does not support it`, rule.instead);
  }
  const sshArgs = fromFile.get('ssh_connection.ssh_args');
  if (sshArgs !== undefined) {
    const options = [...sshArgs.value.matchAll(/-o\s*(\S+)/g)].map((match) => match[1]!);
    const other = sshArgs.value.replace(/-o\s*\S+/g, '').trim();
    const unsupported = [...options.filter((option) => !HARMLESS_SSH_OPTIONS.test(option)).map((option) => `-o ${option}`), ...(other ? [other] : [])];
    if (unsupported.length > 0) {
      problemAt({ entry: sshArgs }, `ssh_args ${unsupported.join(' ')} is not applied by runbook`, 'runbook reads ssh options (ProxyJump, User, Port, IdentityFile, UserKnownHostsFile) from ~/.ssh/config: put them there');
    }
  }
  const known = new Set([...Object.values(USED).map((each) => `${each.section}.${each.key}`), ...ONLY_AT_DEFAULT.map((each) => `${each.section}.${each.key}`)]);
  const notNeeded = (name: string) => NOT_NEEDED.has(name) || NOT_NEEDED.has(`${name.split('.')[0]}.*`);
  const unread = entries.filter((entry) => !known.has(`${entry.section}.${entry.key}`) && !notNeeded(`${entry.section}.${entry.key}`));
  for (const entry of unread) {
    problemAt({ entry }, `runbook does not read the setting ${entry.key} in [${entry.section}]`, 'it has no effect on runbook: remove it, or keep it for Ansible', 'warning');
  }

  const hostKeyChecking = bool(USED.hostKeyChecking);
  const hostKeyFound = valueOf(USED.hostKeyChecking);
  if (hostKeyChecking === false && hostKeyFound) {
    problemAt(
      hostKeyFound,
      'host_key_checking = False: runbook records the key of a host it has not met (accept-new) but still refuses a host whose key changed',
      'this is --host-key-policy accept-new; runbook never connects to a host whose key differs from known_hosts',
      'warning',
    );
  }
  const become = bool(USED.become);
  const becomeUser = valueOf(USED.becomeUser)?.value;
  return {
    file,
    inventory: inventories.length === 1 ? path(inventories[0]!, inventoryFound!.env ? cwd : baseDir) : undefined,
    forks: integer(USED.forks),
    remoteUser: valueOf(USED.remoteUser)?.value || undefined,
    remotePort: integer(USED.remotePort),
    privateKeyFile: pathOf(USED.privateKeyFile),
    timeout: integer(USED.timeout),
    rolesPath: rolesFound === undefined ? [] : rolesFound.value.split(':').filter(Boolean).map((each) => path(each, rolesFound.env ? cwd : baseDir)),
    hostKeyChecking: hostKeyChecking ?? true,
    become,
    becomeUser: becomeUser || undefined,
    gatherByDefault: gatheringFound?.value !== 'explicit',
    issues,
  };
}
