import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findAnsibleConfig, loadAnsibleConfig, parseIni } from '../../../src/load/ansible-cfg.js';
import { runSettings } from '../../../src/cli/run-settings.js';

// ansible.cfg as Ansible 2.14 reads it (ansible/config/manager.py, base.yml): the first of
// ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg, /etc/ansible/ansible.cfg; ANSIBLE_* variables win.
const scratch = mkdtempSync(join(tmpdir(), 'runbook-cfg-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let made = 0;
function directory(files: Record<string, string> = {}): string {
  const dir = join(scratch, String(made++));
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const noHome = () => directory();

describe('where ansible.cfg is found', () => {
  it('ANSIBLE_CONFIG first (a directory means its ansible.cfg), then ./ansible.cfg, then ~/.ansible.cfg', () => {
    const configured = directory({ 'ansible.cfg': '' });
    const cwd = directory({ 'ansible.cfg': '' });
    const home = directory({ '.ansible.cfg': '' });
    expect(findAnsibleConfig({ ANSIBLE_CONFIG: configured }, cwd, home).file).toBe(join(configured, 'ansible.cfg'));
    expect(findAnsibleConfig({}, cwd, home).file).toBe(join(cwd, 'ansible.cfg'));
    expect(findAnsibleConfig({}, directory(), home).file).toBe(join(home, '.ansible.cfg'));
  });

  it('./ansible.cfg in a world-writable directory is skipped, as Ansible skips it, with a warning', () => {
    const cwd = directory({ 'ansible.cfg': '[defaults]\nforks = 3\n' });
    chmodSync(cwd, 0o777);
    const config = loadAnsibleConfig({}, cwd, noHome());
    expect(config.forks).toBeUndefined();
    expect(config.issues.map((issue) => [issue.severity, issue.message])).toEqual([
      ['warning', `${join(cwd, 'ansible.cfg')} is not read: its directory is world-writable (Ansible ignores it there too)`],
    ]);
  });
});

describe("configparser's syntax", () => {
  it('key = value and key: value, comments, inline ; comments, continuation lines, case-insensitive keys', () => {
    const { entries, problems } = parseIni('# comment\n; comment\n[defaults]\nForks = 7 ; seven\nremote_user: admin\nroles_path = a\n  b\n');
    expect(problems).toEqual([]);
    expect(entries.map(({ section, key, value, line }) => [section, key, value, line])).toEqual([
      ['defaults', 'forks', '7', 4],
      ['defaults', 'remote_user', 'admin', 5],
      ['defaults', 'roles_path', 'a\nb', 6],
    ]);
  });

  it('a line that is neither a setting nor a section is an error at its line', () => {
    expect(parseIni('[defaults]\nforks 5\n').problems).toEqual([{ line: 2, message: 'not a setting (key = value) or a [section]: forks 5' }]);
  });
});

describe('the settings runbook uses', () => {
  const cfg = `[defaults]
inventory = inventory/hosts.yml
forks = 10
remote_user = admin
remote_port = 2222
private_key_file = ~/.ssh/lab_key
timeout = 30
roles_path = roles:/usr/share/ansible/roles
host_key_checking = False
retry_files_enabled = False
stdout_callback = yaml

[privilege_escalation]
become = True
become_user = root
`;

  it('are read, paths relative to the file and ~ expanded; output settings pass silently', () => {
    const dir = directory({ 'ansible.cfg': cfg });
    const home = noHome();
    const config = loadAnsibleConfig({}, dir, home);
    expect(config).toMatchObject({
      file: join(dir, 'ansible.cfg'),
      inventory: join(dir, 'inventory/hosts.yml'),
      forks: 10,
      remoteUser: 'admin',
      remotePort: 2222,
      privateKeyFile: join(home, '.ssh/lab_key'),
      timeout: 30,
      rolesPath: [join(dir, 'roles'), '/usr/share/ansible/roles'],
      hostKeyChecking: false,
      become: true,
      becomeUser: 'root',
      gatherByDefault: true,
    });
    expect(config.issues.map((issue) => `${issue.line}:${issue.col} ${issue.severity} ${issue.message}`)).toEqual([
      '9:1 warning host_key_checking = False: runbook records the key of a host it has not met (accept-new) but still refuses a host whose key changed',
    ]);
  });

  it('ANSIBLE_* variables win over the file; command-line options over both', () => {
    const dir = directory({ 'ansible.cfg': cfg });
    const config = loadAnsibleConfig({ ANSIBLE_FORKS: '4', ANSIBLE_HOST_KEY_CHECKING: 'true' }, dir, noHome());
    expect(config.forks).toBe(4);
    expect(config.hostKeyChecking).toBe(true);
    expect(runSettings({}, config)).toMatchObject({ forks: 4, connectTimeoutMs: 30_000, hostKeyPolicy: 'strict', connectionDefaults: { user: 'admin', port: 2222 } });
    expect(runSettings({ forks: 2, connectTimeout: 5, hostKeyPolicy: 'strict' }, config)).toMatchObject({ forks: 2, connectTimeoutMs: 5000 });
  });

  it("host_key_checking = False means accept-new (record unknown keys), never accepting a changed one; the command line still wins", () => {
    const config = loadAnsibleConfig({}, directory({ 'ansible.cfg': '[defaults]\nhost_key_checking = false\n' }), noHome());
    expect(runSettings({}, config).hostKeyPolicy).toBe('accept-new');
    expect(runSettings({ hostKeyPolicy: 'strict' }, config).hostKeyPolicy).toBe('strict');
  });

  it("without any configuration, runbook's own defaults", () => {
    const config = loadAnsibleConfig({}, directory(), noHome());
    expect(config.file === undefined || config.file === '/etc/ansible/ansible.cfg').toBe(true);
    if (config.file === undefined) expect(runSettings({}, config)).toMatchObject({ forks: 25, connectTimeoutMs: 15_000, hostKeyPolicy: 'strict', connectionDefaults: {} });
  });

  it('gathering = explicit turns default fact gathering off', () => {
    expect(loadAnsibleConfig({}, directory({ 'ansible.cfg': '[defaults]\ngathering = explicit\n' }), noHome()).gatherByDefault).toBe(false);
  });
});

describe('settings that would change what playbooks mean are refused, with the position and what to do', () => {
  it.each([
    ['[defaults]\nhash_behaviour = merge\n', '2:1 hash_behaviour = merge would change what playbooks mean, and runbook does not support it'],
    ['[defaults]\nerror_on_undefined_vars = False\n', '2:1 error_on_undefined_vars = False would change what playbooks mean, and runbook does not support it'],
    ['[defaults]\nvault_password_file = ~/.vault\n', '2:1 vault_password_file = ~/.vault would change what playbooks mean, and runbook does not support it'],
    ['[defaults]\nstrategy = free\n', '2:1 strategy = free would change what playbooks mean, and runbook does not support it'],
    ['[privilege_escalation]\nbecome_ask_pass = True\n', '2:1 become_ask_pass = True would change what playbooks mean, and runbook does not support it'],
    ['[privilege_escalation]\nbecome_method = su\n', '2:1 become_method su as the default of every play is not supported'],
    ['[ssh_connection]\nssh_args = -o ControlMaster=auto -o ProxyJump=bastion\n', '2:1 ssh_args -o ProxyJump=bastion is not applied by runbook'],
    ['[defaults]\nforks = many\n', '2:1 forks must be a whole number above 0, not "many"'],
    ['[defaults]\ninventory = a.yml,b.yml\n', '2:1 runbook reads one inventory; this names 2: a.yml, b.yml'],
  ])('%s', (text, expected) => {
    const errors = loadAnsibleConfig({}, directory({ 'ansible.cfg': text }), noHome()).issues.filter((issue) => issue.severity === 'error');
    expect(errors.map((issue) => `${issue.line}:${issue.col} ${issue.message}`)).toEqual([expected]);
    expect(errors[0]!.code).toBe('RB_ANSIBLE_CFG');
  });

  it('the same settings at their default are accepted (ssh_args tuning connection reuse too)', () => {
    const text = '[defaults]\nhash_behaviour = replace\nstrategy = linear\n[ssh_connection]\nssh_args = -o ControlMaster=auto -o ControlPersist=60s\npipelining = True\n';
    expect(loadAnsibleConfig({}, directory({ 'ansible.cfg': text }), noHome()).issues).toEqual([]);
  });

  it('a setting runbook does not know is a warning, not silence', () => {
    const issues = loadAnsibleConfig({}, directory({ 'ansible.cfg': '[defaults]\nfrobnicate = 1\n' }), noHome()).issues;
    expect(issues.map((issue) => `${issue.severity} ${issue.message}`)).toEqual(['warning runbook does not read the setting frobnicate in [defaults]']);
  });
});

describe("ansible.cfg's play defaults", () => {
  it('become, become_user and gathering = explicit apply to plays that do not say; a play that does wins', async () => {
    const { loadPlaybook } = await import('../../../src/load/playbook.js');
    const dir = directory({ 'site.yml': '- hosts: localhost\n  tasks: []\n- hosts: localhost\n  become: false\n  gather_facts: true\n  tasks: []\n' });
    const { playbook } = loadPlaybook(join(dir, 'site.yml'), { playDefaults: { become: true, becomeUser: 'admin', gatherFacts: false } });
    expect(playbook.plays.map((play) => [play.become, play.becomeUser, play.gatherFacts])).toEqual([
      [true, 'admin', false],
      [false, 'admin', true],
    ]);
  });
});
