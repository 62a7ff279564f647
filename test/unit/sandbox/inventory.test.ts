import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hostsFile } from '../../../src/sandbox/host.js';
import { knownHostsLines, renderInventory } from '../../../src/sandbox/inventory.js';
import { profileHosts } from '../../../src/sandbox/profile.js';

const files = { knownHostsFile: '/state/known_hosts', privateKeyFile: '/state/id_ed25519' };

describe('renderInventory', () => {
  it('writes the lab as Ansible YAML: groups under all.children, connection settings per host, lab facts in all.vars', () => {
    expect(parse(renderInventory(profileHosts({ kind: 'lab' }), files))).toEqual({
      all: {
        vars: { runbook_known_hosts_file: '/state/known_hosts', lab_network: '10.77.0.0/24', nfs_backend: 'ganesha', sandbox: true },
        children: {
          nfs_server: {
            hosts: {
              nfs: { ansible_host: '127.0.2.15', ansible_port: 22, ansible_user: 'root', ansible_ssh_private_key_file: '/state/id_ed25519', lab_address: '10.77.0.15' },
            },
          },
          kvm_hosts: {
            hosts: {
              kvm1: { ansible_host: '127.0.2.13', ansible_port: 22, ansible_user: 'root', ansible_ssh_private_key_file: '/state/id_ed25519', lab_address: '10.77.0.13' },
              kvm2: { ansible_host: '127.0.2.14', ansible_port: 22, ansible_user: 'root', ansible_ssh_private_key_file: '/state/id_ed25519', lab_address: '10.77.0.14' },
            },
          },
        },
      },
    });
  });

  it('puts generic hosts in one group', () => {
    const inventory = parse(renderInventory(profileHosts({ kind: 'generic', hosts: 2 }), files)) as { all: { children: Record<string, { hosts: object }> } };
    expect(Object.keys(inventory.all.children)).toEqual(['nodes']);
    expect(Object.keys(inventory.all.children.nodes?.hosts ?? {})).toEqual(['host1', 'host2']);
  });
});

describe('knownHostsLines', () => {
  it('names the host by every given name, one line per key, without the key comment', () => {
    expect(knownHostsLines(['kvm2', '10.77.0.14'], ['ssh-ed25519 AAAAC3Nza root@kvm2', 'ecdsa-sha2-nistp256 AAAAE2Vj root@kvm2'])).toEqual([
      'kvm2,10.77.0.14 ssh-ed25519 AAAAC3Nza',
      'kvm2,10.77.0.14 ecdsa-sha2-nistp256 AAAAE2Vj',
    ]);
  });
});

describe('hostsFile', () => {
  it('resolves every host by name to its lab address, its own name included', () => {
    expect(hostsFile(profileHosts({ kind: 'lab' }))).toBe(
      '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.77.0.15 nfs\n10.77.0.13 kvm1\n10.77.0.14 kvm2\n',
    );
  });
});
