import { expect, test } from 'vitest';
import { moduleNameTable } from '../../../src/load/module-names.js';
import { moduleNames } from '../../../src/schema/ajv.js';

const { accepted, refused } = moduleNameTable();
const own = moduleNames();

test('every accepted name runs a runbook module, and every runbook module answers to its own name', () => {
  for (const module of accepted.values()) expect(own).toContain(module);
  for (const name of own) expect(accepted.get(name)).toBe(name);
});

test('no name is both accepted and refused, and every suggestion is a runbook module', () => {
  for (const name of refused.keys()) expect(accepted.has(name), name).toBe(false);
  for (const { closest } of refused.values()) if (closest !== undefined) expect(own).toContain(closest);
});

const BUILTINS = [
  'apt', 'apt_repository', 'assert', 'blockinfile', 'command', 'copy', 'cron', 'debug', 'dnf', 'fail', 'fetch', 'file', 'find', 'get_url', 'git',
  'group', 'hostname', 'include_vars', 'lineinfile', 'meta', 'package', 'pause', 'ping', 'replace', 'rpm_key', 'service', 'service_facts',
  'set_fact', 'setup', 'shell', 'slurp', 'stat', 'systemd', 'template', 'unarchive', 'user', 'wait_for', 'yum', 'yum_repository',
];

test('an Ansible builtin answers to its short name, ansible.builtin.NAME and ansible.legacy.NAME, all one module', () => {
  for (const name of BUILTINS) {
    expect([name, `ansible.builtin.${name}`, `ansible.legacy.${name}`].map((spelling) => accepted.get(spelling)), name).toEqual([name, name, name]);
  }
  expect(['systemd_service', 'ansible.builtin.systemd_service'].map((name) => accepted.get(name))).toEqual(['systemd', 'systemd']);
});

test("a collection's module answers to its full name and its short name", () => {
  const collections: Record<string, string> = {
    'ansible.posix.mount': 'mount',
    'ansible.posix.sysctl': 'sysctl',
    'ansible.posix.authorized_key': 'authorized_key',
    'ansible.posix.firewalld': 'firewalld',
    'ansible.posix.seboolean': 'seboolean',
    'community.general.timezone': 'timezone',
    'community.general.filesystem': 'filesystem',
    'community.general.lvg': 'lvg',
    'community.general.lvol': 'lvol',
    'community.libvirt.virt': 'virt',
    'community.libvirt.virt_net': 'virt_net',
    'community.libvirt.virt_pool': 'virt_pool',
  };
  for (const [full, module] of Object.entries(collections)) {
    expect([full, full.slice(full.lastIndexOf('.') + 1)].map((name) => accepted.get(name)), full).toEqual([module, module]);
  }
});

test('where runbook has a module of its own beside Ansible\'s, both exist: firewall and firewalld, selinux_boolean and seboolean, line and lineinfile', () => {
  for (const name of ['firewall', 'firewalld', 'selinux_boolean', 'seboolean', 'line', 'lineinfile', 'virt_domain', 'virt']) expect(accepted.get(name)).toBe(name);
});

test('Ansible modules runbook lacks are refused with what to use instead', () => {
  const closest = (name: string) => refused.get(name)?.closest;
  expect(['dnf5', 'ansible.builtin.dnf5'].map(closest)).toEqual(['dnf', 'dnf']);
  expect(['raw', 'ansible.builtin.raw'].map(closest)).toEqual(['shell', 'shell']);
  expect(['synchronize', 'ansible.posix.synchronize'].map(closest)).toEqual(['copy', 'copy']);
  expect(refused.get('ansible.legacy.script')?.differs).toContain('copy the script');
});
