import { beforeAll, describe, expect, it } from 'vitest';
import { sh, type Command } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// Ansible's virt, virt_net and virt_pool on one sandbox host's libvirt: a dir pool, a network and a
// small domain, each created, changed and removed by the playbooks here. The network forwards to a
// host bridge: a network with a bridge of its own cannot start in these containers (libvirt writes
// the bridge's disable_ipv6 under /proc/sys, which is read-only there).
const POOL_DIR = '/srv/rb-pool';
const POOL_XML = `<pool type='dir'><name>rbpool</name><target><path>${POOL_DIR}</path></target></pool>`;
const NET_XML = "<network><name>rbnet</name><forward mode='bridge'/><bridge name='rbbr0'/></network>";
// No disk and no network card: the BIOS finds nothing to boot and waits, enough to run, pause and stop it.
const DOMAIN_XML = `<domain type='qemu'><name>rbvm</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
<os><type arch='x86_64'>hvm</type></os></domain>`;

const libvirt = `
- name: libvirt on kvm1
  hosts: kvm1
  tasks:
    - name: libvirt and qemu
      package: { name: [libvirt-daemon-system, qemu-system-x86], install_recommends: false, update_cache: true, cache_valid_time: 3600 }
    - name: libvirtd running
      service: { name: libvirtd, state: started }
`;

const present = `
- name: pool, network and domain
  hosts: kvm1
  tasks:
    - name: pool directory
      file: { path: "${POOL_DIR}", state: directory, mode: "0711" }
    - name: pool defined
      community.libvirt.virt_pool: { name: rbpool, state: present, xml: "${POOL_XML}" }
    - name: pool active
      virt_pool: { pool: rbpool, state: active }
    - name: pool autostart
      virt_pool: { name: rbpool, autostart: true }
    - name: network defined
      community.libvirt.virt_net: { command: define, name: rbnet, xml: "${NET_XML}" }
    - name: network active
      virt_net: { network: rbnet, state: active }
    - name: domain defined
      community.libvirt.virt: { command: define, xml: ${JSON.stringify(DOMAIN_XML)}, autostart: false }
      register: defined
    - name: domain running
      virt: { name: rbvm, state: running }
    - name: what is read
      virt: { name: rbvm, command: status }
      register: status
    - name: running domains
      virt: { command: list_vms, state: running }
      register: running
    - name: networks
      virt_net: { name: rbnet, command: list_nets, state: active }
      register: nets
    - name: pool status
      virt_pool: { name: rbpool, command: status }
      register: pool
    - name: read values are Ansible's
      when: not ansible_check_mode
      assert:
        that:
          - status.status == 'running'
          - defined.created == 'rbvm' if defined.changed else 'created' not in defined
          - "'rbvm' in running.list_vms"
          - "'rbnet' in nets.list_nets"
          - pool.status == 'active'
`;

const paused = `
- name: the domain paused
  hosts: kvm1
  tasks:
    - name: domain paused
      virt: { guest: rbvm, state: paused }
`;

const stopped = `
- name: the domain powered off
  hosts: kvm1
  tasks:
    - name: domain destroyed
      community.libvirt.virt: { name: rbvm, state: destroyed }
    - name: its status
      virt: { name: rbvm, command: status }
      register: status
    - name: status is shutdown
      assert: { that: [status.status == 'shutdown'] }
`;

const absent = `
- name: everything removed
  hosts: kvm1
  tasks:
    - name: domain undefined
      virt_domain: { name: rbvm, state: undefined }
    - name: network absent
      virt_net: { name: rbnet, state: absent }
    - name: pool deleted
      virt_pool: { name: rbpool, state: deleted, mode: normal }
`;

async function run(command: Command): Promise<string> {
  const outcome = await sshToHost('kvm1', command);
  expect(outcome.code, `${command.render()}\n${outcome.stderr}`).toBe(0);
  return outcome.stdout;
}

const virsh = (...args: string[]): Command => sh`virsh -c qemu:///system ${args}`;

beforeAll(async () => {
  const installed = await apply(libvirt);
  expect(installed.code, installed.stdout).toBe(0);
});

describe('virt, virt_net and virt_pool on a sandbox host', () => {
  it('--check reports the changes and changes nothing', async () => {
    const checked = await apply(present, { check: true });
    // What does not exist yet in check mode skips the tasks that need it, and fails none.
    expect(checked.code, checked.stdout).toBe(0);
    expect(resultsOf(checked, 'pool defined').kvm1?.status).toBe('changed');
    expect(await run(sh`${virsh('pool-list', '--all', '--name')}; ${virsh('net-list', '--all', '--name')}; ${virsh('list', '--all', '--name')}`)).not.toMatch(/rbpool|rbnet|rbvm/);
  });

  it('applies, and reads back over ssh', async () => {
    const applied = await apply(present);
    expect(changedCount(applied)).toBe(8);
    expect(resultsOf(applied, 'read values are Ansible\'s').kvm1?.status).toBe('ok');
    expect(await run(virsh('pool-info', 'rbpool'))).toMatch(/State:\s+running[\s\S]*Autostart:\s+yes/);
    expect(await run(virsh('net-info', 'rbnet'))).toMatch(/Active:\s+yes/);
    expect((await run(virsh('domstate', '--domain', 'rbvm'))).trim()).toBe('running');
  });

  it('a second apply changes nothing', async () => {
    expect(changedCount(await apply(present))).toBe(0);
  });

  it('pauses the domain, once', async () => {
    expect(changedCount(await apply(paused))).toBe(1);
    expect((await run(virsh('domstate', '--domain', 'rbvm'))).trim()).toBe('paused');
    expect(changedCount(await apply(paused))).toBe(0);
  });

  it('powers the domain off, once', async () => {
    expect(changedCount(await apply(stopped))).toBe(1);
    expect((await run(virsh('domstate', '--domain', 'rbvm'))).trim()).toBe('shut off');
    expect(changedCount(await apply(stopped))).toBe(0);
  });

  it('removes everything, then removing again changes nothing', async () => {
    expect(changedCount(await apply(absent))).toBe(3);
    expect(await run(sh`${virsh('pool-list', '--all', '--name')}; ${virsh('net-list', '--all', '--name')}; ${virsh('list', '--all', '--name')}`)).not.toMatch(/rbpool|rbnet|rbvm/);
    expect(await run(sh`test -e ${POOL_DIR} && echo kept || echo deleted`)).toBe('deleted\n');
    expect(changedCount(await apply(absent))).toBe(0);
  });
});
