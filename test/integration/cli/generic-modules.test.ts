import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, projectRoot } from '../../helpers/cli.js';
import { startSshd, type TestSshd } from '../../helpers/sshd.js';
import { expandUser, expandVars } from '../../../src/modules/lib/python-expand.js';
import { HOSTILE_VALUES } from '../../unit/shell/hostile-values.js';

/** A user's home from this machine's passwd (the test's sshd runs here), or undefined. */
function userInfoHome(user: string): string | undefined {
  try {
    return execFileSync('getent', ['passwd', '--', user], { encoding: 'utf8' }).split(':')[5];
  } catch {
    return undefined;
  }
}

// Issue 2's acceptance, end to end: the built CLI applies a playbook over a real OpenSSH server
// (loopback, generated host key, strict known_hosts), and the files are read back from disk.

let sshd: TestSshd;
let work: string;
let inventory: string;

const PLAYBOOK = `
- name: every generic module
  hosts: target
  tasks:
    - name: a directory
      file: { path: "{{ root }}/etc", state: directory, mode: "0750" }
    - name: a file from content
      copy: { dest: "{{ root }}/etc/motd", content: "welcome to {{ inventory_hostname }}\\n", mode: "0640" }
    - name: a rendered template
      template: { src: app.conf.j2, dest: "{{ root }}/etc/app.conf" }
      notify: record config change
    - name: a managed line in a new file
      line: { path: "{{ root }}/etc/hosts.allow", line: "ALL: LOCAL", create: true }
    - name: a line replaced by regexp
      line: { path: "{{ root }}/etc/hosts.allow", regexp: "^sshd:", line: "sshd: 127.0.0.0/8" }
    - name: a symlink
      file: { path: "{{ root }}/motd-link", src: "{{ root }}/etc/motd", state: link }
    - name: a guarded command
      command: { cmd: "touch {{ root }}/created", creates: "{{ root }}/created" }
    - name: a guarded shell pipeline
      shell: { cmd: "printf %s {{ greeting }} | tr a-z A-Z > {{ root }}/shout", creates: "{{ root }}/shout" }
    - name: read it back
      command: cat {{ root }}/shout
      register: shout
      changed_when: false
    - name: check what was read
      assert: { that: ["shout.stdout == 'HELLO'"], fail_msg: "shout was {{ shout.stdout }}" }
    - name: remember it
      set_fact: { shouted: "{{ shout.stdout }}" }
    - name: say it
      debug: { msg: "shouted {{ shouted }} on {{ ansible_facts.os_family }}" }
  handlers:
    - name: record config change
      command: { cmd: "touch {{ root }}/handler-ran" }
`;

const TEMPLATE = `# managed by runbook
listen = {{ listen_port }}
debug = true
{% for user in users %}user = {{ user }}
{% endfor %}`;

function writeInventory(extra: Record<string, unknown> = {}): string {
  const path = join(work, `inventory-${Object.keys(extra).length}.yml`);
  writeFileSync(
    path,
    JSON.stringify({
      all: {
        hosts: {
          target: {
            ansible_host: sshd.host,
            ansible_port: sshd.port,
            ansible_user: sshd.user,
            ansible_ssh_private_key_file: sshd.privateKeyFile,
            ...extra,
          },
        },
        vars: { runbook_known_hosts_file: sshd.knownHostsFile, greeting: 'hello', listen_port: 8080, users: ['ada', 'alan'] },
      },
    }),
  );
  return path;
}

function recapOf(reportFile: string): { ok: number; changed: number; failed: number } {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { recap: Record<string, { ok: number; changed: number; failed: number }> };
  return report.recap.target!;
}

beforeAll(async () => {
  sshd = await startSshd();
  work = mkdtempSync(join(tmpdir(), 'runbook-generic-'));
  writeFileSync(join(work, 'site.yml'), PLAYBOOK);
  writeFileSync(join(work, 'app.conf.j2'), TEMPLATE);
  inventory = writeInventory();
});

afterAll(async () => {
  await sshd?.stop();
  rmSync(work, { recursive: true, force: true });
});

function freshRoot(name: string): string {
  const root = join('/tmp', `runbook-e2e-${name}-${process.pid}-${Date.now()}`);
  rmSync(root, { recursive: true, force: true });
  return root;
}

describe('apply over real SSH', () => {
  it('converges on the first run, then changes nothing on the second', async () => {
    const root = freshRoot('converge');
    try {
      const first = await runCli(['apply', join(work, 'site.yml'), '-i', inventory, '-e', `root=${root}`, '--json', join(work, 'first.json')]);
      expect(first.stderr).toBe('');
      expect(first.code, first.stdout).toBe(0);
      expect(recapOf(join(work, 'first.json'))).toMatchObject({ changed: 9, failed: 0 });
      expect(first.stdout).toContain('shouted HELLO on Debian');

      expect(statSync(join(root, 'etc')).mode & 0o777).toBe(0o750);
      expect(readFileSync(join(root, 'etc/motd'), 'utf8')).toBe('welcome to target\n');
      expect(statSync(join(root, 'etc/motd')).mode & 0o777).toBe(0o640);
      expect(readFileSync(join(root, 'etc/app.conf'), 'utf8')).toBe('# managed by runbook\nlisten = 8080\ndebug = true\nuser = ada\nuser = alan\n');
      expect(readFileSync(join(root, 'etc/hosts.allow'), 'utf8')).toBe('ALL: LOCAL\nsshd: 127.0.0.0/8\n');
      expect(readlinkSync(join(root, 'motd-link'))).toBe(join(root, 'etc/motd'));
      expect(readFileSync(join(root, 'shout'), 'utf8')).toBe('HELLO');
      expect(existsSync(join(root, 'created'))).toBe(true);
      expect(existsSync(join(root, 'handler-ran'))).toBe(true);
      rmSync(join(root, 'handler-ran'));

      const second = await runCli(['apply', join(work, 'site.yml'), '-i', inventory, '-e', `root=${root}`, '--json', join(work, 'second.json')]);
      expect(second.code).toBe(0);
      expect(recapOf(join(work, 'second.json'))).toMatchObject({ changed: 0, failed: 0 });
      expect(second.stdout).toContain('No changes: every task was already in place.');
      expect(existsSync(join(root, 'handler-ran'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('--check on a fresh target reports what would change and changes nothing', async () => {
    const root = freshRoot('check');
    try {
      const result = await runCli(['apply', join(work, 'site.yml'), '-i', inventory, '-e', `root=${root}`, '--check', '--diff', '--json', join(work, 'check.json')]);
      // `cat` of a file that does not exist yet fails in check mode, as it would in Ansible: what matters is nothing changed.
      expect(result.stdout).toContain('CHECK MODE');
      expect(result.stdout).toContain('would create directory');
      expect(result.stdout).toContain('+welcome to target');
      expect(recapOf(join(work, "check.json")).changed, result.stdout).toBeGreaterThanOrEqual(5);
      expect(readdirNames(root)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('carries hostile values byte-exact through copy, line and command', async () => {
    const root = freshRoot('hostile');
    const values = HOSTILE_VALUES.filter((value) => !value.includes('{{') && !value.includes('{%') && !value.includes('{#'));
    const singleLine = values.filter((value) => !/[\n\r]/.test(value) && value !== '');
    writeFileSync(join(work, 'hostile.json'), JSON.stringify({ root, values: values.map((value, index) => ({ index, value })), lines: singleLine }));
    writeFileSync(
      join(work, 'hostile.yml'),
      `
- name: hostile values
  hosts: target
  tasks:
    - name: a directory for the values
      file: { path: "{{ root }}", state: directory }
    - name: copy each value into its own file
      copy: { dest: "{{ root }}/copy-{{ item.index }}", content: "{{ item.value }}" }
      loop: "{{ values }}"
    - name: put each single-line value in one file as a line
      line: { path: "{{ root }}/lines", line: "{{ item }}", create: true }
      loop: "{{ lines }}"
    - name: echo each value through a command
      command: { argv: [printf, "%s", "{{ item.value }}"], strip_empty_ends: false }
      loop: "{{ values }}"
      register: echoed
      changed_when: false
    - name: the environment commands see
      shell: env -0 | base64 -w0
      register: environment
      changed_when: false
    - name: keep it
      copy: { dest: "{{ root }}/environment", content: "{{ environment.stdout }}" }
    - name: write what came back
      copy: { dest: "{{ root }}/echoed-{{ item.item.index }}", content: "{{ item.stdout }}" }
      loop: "{{ echoed.results }}"
`,
    );
    try {
      const result = await runCli(['apply', join(work, 'hostile.yml'), '-i', inventory, '-e', `@${join(work, 'hostile.json')}`]);
      expect(result.stderr).toBe('');
      expect(result.code, result.stdout).toBe(0);
      values.forEach((value, index) => expect(readFileSync(join(root, `copy-${index}`), 'utf8')).toBe(value));
      expect(readFileSync(join(root, 'lines'), 'utf8')).toBe(`${singleLine.join('\n')}\n`);
      // command expands each word's $VARS and leading ~ on the host, as Ansible's does (HOME here is the
      // test user's); nothing else in a value is interpreted.
      const environment = new Map(
        Buffer.from(readFileSync(join(root, 'environment'), 'utf8'), 'base64')
          .toString('utf8')
          .split('\0')
          .filter((entry) => entry.includes('='))
          .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)] as const),
      );
      const home = (user: string) => (user === sshd.user ? environment.get('HOME') : userInfoHome(user));
      const expanded = (value: string) => expandUser(expandVars(value, environment), environment, home);
      values.forEach((value, index) => expect(readFileSync(join(root, `echoed-${index}`), 'utf8')).toBe(expanded(value)));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps secrets out of the terminal and the JSON report', async () => {
    const secretInventory = writeInventory({ db_password: 'hunter2-very-secret', ansible_become_password: 'sudo-pass-never-shown' });
    writeFileSync(
      join(work, 'secrets.yml'),
      `
- name: secrets
  hosts: target
  tasks:
    - name: print a secret by mistake
      debug: { msg: "password is {{ db_password }}" }
    - name: a task whose output is hidden
      command: { argv: [echo, "{{ ansible_become_password }}"] }
      no_log: true
      changed_when: false
`,
    );
    const report = join(work, 'secrets.json');
    const result = await runCli(['apply', join(work, 'secrets.yml'), '-i', secretInventory, '--diff', '--json', report]);
    expect(result.code, result.stdout).toBe(0);
    const everything = `${result.stdout}${result.stderr}${readFileSync(report, 'utf8')}`;
    expect(everything).not.toContain('hunter2-very-secret');
    expect(everything).not.toContain('sudo-pass-never-shown');
    expect(everything).toContain('password is ********');
    expect(everything).toContain('output hidden (no_log: true)');
  });
});

describe('validation before contact', () => {
  it('reports every mistake of a playbook with positions, exits 2 and opens no connection', async () => {
    const before = sshd.connectionCount();
    const fixture = join(projectRoot, 'test/fixtures/load/five-mistakes.yml');
    const mistakes = join(work, 'five-mistakes.yml');
    writeFileSync(mistakes, readFileSync(fixture, 'utf8').replace('hosts: nfs', 'hosts: target'));
    const result = await runCli(['apply', mistakes, '-i', inventory]);
    expect(result.code).toBe(2);
    const positioned = result.stderr.split('\n').filter((line) => line.startsWith(`${mistakes}:`));
    expect(positioned).toHaveLength(5);
    expect(new Set(positioned.map((line) => line.split(' ')[1])).size).toBe(5);
    expect(result.stderr).toContain('5 problems found; no host was contacted.');
    expect(sshd.connectionCount()).toBe(before);
  });
});

describe('host keys', () => {
  it('refuses an unknown host key, and records it under --host-key-policy accept-new', async () => {
    const knownHosts = join(work, 'empty_known_hosts');
    writeFileSync(knownHosts, '');
    const unknownInventory = writeInventory({ runbook_known_hosts_file: knownHosts });
    writeFileSync(join(work, 'ping.yml'), '- hosts: target\n  tasks:\n    - debug: { msg: reached }\n');
    const refused = await runCli(['apply', join(work, 'ping.yml'), '-i', unknownInventory]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toMatch(/unreachable/);
    expect(refused.stdout).toMatch(/host key/i);
    expect(readFileSync(knownHosts, 'utf8')).toBe('');

    const accepted = await runCli(['apply', join(work, 'ping.yml'), '-i', unknownInventory, '--host-key-policy', 'accept-new']);
    expect(accepted.code).toBe(0);
    expect(readFileSync(knownHosts, 'utf8')).toContain(sshd.hostPublicKey.split(' ').slice(0, 2).join(' '));

    const strictAgain = await runCli(['apply', join(work, 'ping.yml'), '-i', unknownInventory]);
    expect(strictAgain.code).toBe(0);
  });

  it('refuses a changed host key even under accept-new', async () => {
    const knownHosts = join(work, 'changed_known_hosts');
    const otherKey = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
    writeFileSync(knownHosts, `[${sshd.host}]:${sshd.port} ssh-ed25519 ${otherKey}\n`);
    const changedInventory = writeInventory({ runbook_known_hosts_file: knownHosts });
    const result = await runCli(['apply', join(work, 'ping.yml'), '-i', changedInventory, '--host-key-policy', 'accept-new']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/changed/i);
    expect(readFileSync(knownHosts, 'utf8')).toBe(`[${sshd.host}]:${sshd.port} ssh-ed25519 ${otherKey}\n`);
  });
});

function readdirNames(path: string): string[] {
  return existsSync(path) ? readdirSync(path) : [];
}
