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

test('an alias answers to the short name, ansible.builtin.NAME and ansible.legacy.NAME', () => {
  for (const name of ['copy', 'template', 'debug', 'assert', 'set_fact', 'fail', 'pause', 'ping', 'slurp', 'stat', 'wait_for', 'lineinfile', 'replace', 'blockinfile', 'user', 'group', 'meta']) {
    expect([name, `ansible.builtin.${name}`, `ansible.legacy.${name}`].map((spelling) => accepted.get(spelling))).toEqual([name, name, name]);
  }
  expect([...accepted.keys()].filter((name) => name.includes('.')).sort()).toEqual(
    ['assert', 'copy', 'debug', 'set_fact', 'template', 'fail', 'pause', 'ping', 'slurp', 'stat', 'wait_for', 'lineinfile', 'replace', 'blockinfile', 'user', 'group', 'meta'].flatMap((name) => [`ansible.builtin.${name}`, `ansible.legacy.${name}`]).sort(),
  );
});

test("where runbook's module of Ansible's name differs, the short name stays runbook's and the long ones are refused", () => {
  for (const name of ['command', 'shell', 'file', 'package', 'service']) {
    expect(accepted.get(name)).toBe(name);
    expect(refused.get(`ansible.builtin.${name}`)?.closest).toBe(name);
    expect(refused.get(`ansible.legacy.${name}`)?.closest).toBe(name);
  }
  expect(accepted.get('mount')).toBe('mount');
  expect(refused.get('ansible.posix.mount')?.closest).toBe('mount');
});

test("collection modules are refused by their full and their short name, with runbook's closest module", () => {
  const closest = (name: string) => refused.get(name)?.closest;
  expect(['firewalld', 'ansible.posix.firewalld'].map(closest)).toEqual(['firewall', 'firewall']);
  expect(['seboolean', 'ansible.posix.seboolean'].map(closest)).toEqual(['selinux_boolean', 'selinux_boolean']);
  expect(['virt', 'community.libvirt.virt'].map(closest)).toEqual(['virt_domain', 'virt_domain']);
  expect(['apt', 'dnf', 'yum', 'systemd', 'systemd_service'].map(closest)).toEqual(['package', 'package', 'package', 'service', 'service']);
});
