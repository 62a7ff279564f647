import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadInventory } from '../../../src/load/inventory.js';
import { hostsFile } from '../../../src/sandbox/host.js';
import { knownHostsLines, renderInventory } from '../../../src/sandbox/inventory.js';
import { networkPeers, profileHosts } from '../../../src/sandbox/profile.js';

const files = { knownHostsFile: '/state/known_hosts', privateKeyFile: '/state/id_ed25519' };
const scratch = mkdtempSync(join(tmpdir(), 'runbook-inventory-test-'));

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const connection = (address: string, labAddress: string) => ({
  ansible_host: address,
  ansible_port: 22,
  ansible_user: 'root',
  ansible_ssh_private_key_file: '/state/id_ed25519',
  lab_address: labAddress,
});

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

describe('the classroom inventory', () => {
  const classroom = renderInventory(profileHosts({ kind: 'lab', pods: 2 }), files);

  it('lists each pod under runbook_pods with its own lab_network and its hosts\' variables; role groups only name the hosts', () => {
    expect(parse(classroom)).toEqual({
      all: {
        vars: { runbook_known_hosts_file: '/state/known_hosts', nfs_backend: 'ganesha', sandbox: true },
        children: {
          runbook_pods: {
            children: {
              pod01: {
                vars: { lab_network: '10.77.1.0/24' },
                hosts: {
                  'pod01-nfs': connection('127.2.1.15', '10.77.1.15'),
                  'pod01-kvm1': connection('127.2.1.13', '10.77.1.13'),
                  'pod01-kvm2': connection('127.2.1.14', '10.77.1.14'),
                },
              },
              pod02: {
                vars: { lab_network: '10.77.2.0/24' },
                hosts: {
                  'pod02-nfs': connection('127.2.2.15', '10.77.2.15'),
                  'pod02-kvm1': connection('127.2.2.13', '10.77.2.13'),
                  'pod02-kvm2': connection('127.2.2.14', '10.77.2.14'),
                },
              },
            },
          },
          nfs_server: { hosts: { 'pod01-nfs': null, 'pod02-nfs': null } },
          kvm_hosts: { hosts: { 'pod01-kvm1': null, 'pod01-kvm2': null, 'pod02-kvm1': null, 'pod02-kvm2': null } },
        },
      },
    });
  });

  it('loads with runbook\'s own inventory loader: pods, runbook_pods and the role groups, each host with its variables', () => {
    const file = join(scratch, 'classroom.yml');
    writeFileSync(file, classroom);
    const inventory = loadInventory(file);
    expect(Object.fromEntries([...inventory.groups].filter(([name]) => name !== 'all' && name !== 'ungrouped'))).toEqual({
      runbook_pods: ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2', 'pod02-nfs', 'pod02-kvm1', 'pod02-kvm2'],
      pod01: ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2'],
      pod02: ['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2'],
      nfs_server: ['pod01-nfs', 'pod02-nfs'],
      kvm_hosts: ['pod01-kvm1', 'pod01-kvm2', 'pod02-kvm1', 'pod02-kvm2'],
    });
    expect(inventory.groups.get('ungrouped')).toEqual([]);
    expect(inventory.hosts.get('pod02-kvm1')?.vars).toEqual({
      runbook_known_hosts_file: '/state/known_hosts',
      nfs_backend: 'ganesha',
      sandbox: true,
      lab_network: '10.77.2.0/24',
      ...connection('127.2.2.13', '10.77.2.13'),
    });
    expect(inventory.hosts.get('pod01-nfs')?.vars).toMatchObject({ lab_network: '10.77.1.0/24', ansible_host: '127.2.1.15', lab_address: '10.77.1.15' });
    expect(inventory.hosts.get('pod02-kvm1')?.groups).toEqual(expect.arrayContaining(['all', 'runbook_pods', 'pod02', 'kvm_hosts']));
  });

  it('leaves the plain lab\'s inventory as it was: no runbook_pods, lab_network for all', () => {
    const file = join(scratch, 'lab.yml');
    writeFileSync(file, renderInventory(profileHosts({ kind: 'lab' }), files));
    const inventory = loadInventory(file);
    expect(inventory.groups.has('runbook_pods')).toBe(false);
    expect(inventory.hosts.get('kvm2')?.vars).toMatchObject({ lab_network: '10.77.0.0/24', ansible_host: '127.0.2.14' });
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
  it("in a pod, resolves only the pod's hosts, by their own names and by their names inside the pod", () => {
    const hosts = profileHosts({ kind: 'lab', pods: 3 });
    const kvm1 = hosts.find((host) => host.name === 'pod03-kvm1');
    if (!kvm1) throw new Error('no pod03-kvm1');
    expect(hostsFile(networkPeers(kvm1, hosts))).toBe(
      '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.77.3.15 pod03-nfs nfs\n10.77.3.13 pod03-kvm1 kvm1\n10.77.3.14 pod03-kvm2 kvm2\n',
    );
  });

  it('resolves every host by name to its lab address, its own name included', () => {
    expect(hostsFile(profileHosts({ kind: 'lab' }))).toBe(
      '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n10.77.0.15 nfs\n10.77.0.13 kvm1\n10.77.0.14 kvm2\n',
    );
  });
});
