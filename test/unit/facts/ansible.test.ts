import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectorsOf, factsOfSubset, GATHER_SUBSETS, gatheredFacts } from '../../../src/facts/ansible.js';
import { parseHostFacts } from '../../../src/facts/host.js';

const text = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const factsOf = (name: string) => parseHostFacts({ code: 0, signal: null, stdout: text(`${name}.txt`), stderr: '' }, name).ansible;

describe("Ansible's facts from the host-facts script", () => {
  it('equal what ansible-core 2.14 setup printed on the same machine (Debian 12 container, no systemd), one minute apart', () => {
    // debian-12-container.txt: the script's output; .ansible.json: `ansible localhost -c local -m setup`
    // right after, with the facts runbook gathers kept.
    const ansible = JSON.parse(text('debian-12-container.ansible.json')) as Record<string, unknown>;
    const facts = factsOf('debian-12-container');
    expect(Object.keys(facts).sort()).toEqual(Object.keys(ansible).sort());
    const moving = new Set(['date_time', 'memfree_mb', 'memory_mb']);
    for (const [name, value] of Object.entries(ansible)) {
      if (moving.has(name)) continue;
      // Ansible lists interfaces in sysfs's directory order; runbook in the shell's sorted order.
      if (name === 'interfaces') expect([...(facts[name] as string[])].sort(), name).toEqual([...(value as string[])].sort());
      else expect(facts[name], name).toEqual(value);
    }
    const { tz_dst: _notRead, ...dateTime } = ansible.date_time as Record<string, string>;
    expect(Object.keys(facts.date_time as object).sort()).toEqual(Object.keys(dateTime).sort());
    expect(Math.abs((facts.memfree_mb as number) - (ansible.memfree_mb as number))).toBeLessThan(256);
  });

  it('RHEL 9.2: RedHat, Plow, dnf, SELinux enforcing, the default route and its primary address, fqdn and domain', () => {
    expect(factsOf('rhel-9.2-selinux-firewalld')).toMatchObject({
      distribution: 'RedHat',
      distribution_version: '9.2',
      distribution_major_version: '9',
      distribution_release: 'Plow',
      distribution_file_path: '/etc/redhat-release',
      distribution_file_variety: 'RedHat',
      os_family: 'RedHat',
      pkg_mgr: 'dnf',
      service_mgr: 'systemd',
      lsb: {},
      selinux: { status: 'enabled', mode: 'enforcing' },
      system: 'Linux',
      kernel: '5.14.0-284.11.1.el9_2.x86_64',
      kernel_version: '#1 SMP PREEMPT_DYNAMIC Wed Apr 12 10:45:03 EDT 2023',
      machine: 'x86_64',
      architecture: 'x86_64',
      hostname: 'rhel9',
      nodename: 'rhel9.example.com',
      fqdn: 'rhel9.example.com',
      domain: 'example.com',
      user_id: 'cloud-user',
      user_uid: 1000,
      user_gid: 1000,
      user_gecos: 'Cloud User',
      user_dir: '/home/cloud-user',
      user_shell: '/bin/bash',
      effective_user_id: 1000,
      all_ipv4_addresses: ['10.10.10.21', '10.10.10.99'],
      interfaces: ['ens3', 'lo', 'ens3_vip'],
      default_ipv4: {
        address: '10.10.10.21',
        alias: 'ens3',
        broadcast: '10.10.10.255',
        gateway: '10.10.10.1',
        interface: 'ens3',
        macaddress: '52:54:00:12:34:56',
        mtu: 1500,
        netmask: '255.255.255.0',
        network: '10.10.10.0',
        prefix: '24',
        type: 'ether',
      },
      memtotal_mb: 3647,
      memfree_mb: 2837,
      swaptotal_mb: 2047,
      memory_mb: { real: { total: 3647, used: 810, free: 2837 }, nocache: { free: 3327, used: 320 }, swap: { total: 2047, free: 2047, used: 0, cached: 0 } },
      // Two sockets of one core with two threads each, as Ansible counts them.
      processor_count: 2,
      processor_cores: 1,
      processor_threads_per_core: 2,
      processor_vcpus: 4,
      processor_nproc: 4,
      date_time: expect.objectContaining({ date: '2024-01-15', time: '14:03:07', iso8601: '2024-01-15T19:03:07Z', iso8601_micro: '2024-01-15T19:03:07.123456Z', iso8601_basic: '20240115T140307123456', tz: 'EST', tz_offset: '-0500', weekday: 'Monday', epoch: '1705345387' }),
    });
  });

  it('CentOS 7.9: CentOS 7.9, Core, yum; the default route with the lowest metric; a bridge', () => {
    const facts = factsOf('centos-7.9-selinux-firewalld');
    expect(facts).toMatchObject({
      distribution: 'CentOS',
      distribution_version: '7.9',
      distribution_major_version: '7',
      distribution_release: 'Core',
      os_family: 'RedHat',
      pkg_mgr: 'yum',
      fqdn: 'kvm113.lab.example',
      domain: 'lab.example',
      hostname: 'kvm113',
      default_ipv4: { interface: 'eth0', gateway: '10.10.10.1', address: '10.10.10.113', type: 'ether' },
      interfaces: ['eth0', 'lo', 'virbr0'],
      processor_count: 1,
      processor_cores: 2,
      processor_threads_per_core: 2,
      processor_vcpus: 4,
    });
    expect(facts.lsb).toEqual({});
  });

  it('Rocky 9.3 on aarch64: Rocky, Blue Onyx; processors counted from processor lines; nproc from the affinity list', () => {
    expect(factsOf('rocky-9.3-aarch64-permissive')).toMatchObject({
      distribution: 'Rocky',
      distribution_release: 'Blue Onyx',
      distribution_version: '9.3',
      os_family: 'RedHat',
      selinux: { status: 'enabled', mode: 'permissive' },
      architecture: 'aarch64',
      // Without a reverse lookup, getfqdn() is the node name.
      fqdn: 'nfs115',
      domain: '',
      user_gecos: '',
      processor: ['0', '1', '2', '3'],
      processor_count: 4,
      processor_cores: 1,
      processor_threads_per_core: 1,
      processor_vcpus: 4,
      processor_nproc: 3,
      memtotal_mb: 1826,
      swaptotal_mb: 0,
    });
  });

  it('Ubuntu 22.04: jammy, lsb from /etc/lsb-release (quotes stripped); no ip program, so no network facts as in Ansible', () => {
    const facts = factsOf('ubuntu-22.04-no-ip');
    expect(facts).toMatchObject({
      distribution: 'Ubuntu',
      distribution_version: '22.04',
      distribution_major_version: '22',
      distribution_release: 'jammy',
      distribution_file_variety: 'Debian',
      os_family: 'Debian',
      lsb: { id: 'Ubuntu', release: '22.04', major_release: '22', codename: 'jammy', description: 'Ubuntu 22.04.3 LTS' },
      fqdn: 'ubuntu',
      memory_mb: { real: { total: 3932, used: 1932, free: 2000 }, nocache: { free: null, used: null }, swap: { total: 2047, free: 2047, used: 0, cached: null } },
    });
    expect(facts).not.toHaveProperty('distribution_minor_version');
    for (const name of ['interfaces', 'default_ipv4', 'all_ipv4_addresses']) expect(facts).not.toHaveProperty(name);
  });

  it('Debian 12 on the sandbox (captured on kvm1): bookworm, the point release from /etc/debian_version; no default route, so no default_ipv4', () => {
    expect(factsOf('debian-12-sandbox-kvm1')).toMatchObject({
      distribution: 'Debian',
      distribution_version: '12.15',
      distribution_major_version: '12',
      distribution_minor_version: '15',
      distribution_release: 'bookworm',
      os_family: 'Debian',
      pkg_mgr: 'apt',
      service_mgr: 'systemd',
      fqdn: 'kvm1',
      default_ipv4: {},
      all_ipv4_addresses: ['10.77.0.13'],
      interfaces: ['eth0', 'ifb0', 'ifb1', 'lo'],
    });
  });
});

describe('gather_subset', () => {
  const all = factsOf('rhel-9.2-selinux-firewalld');

  it('min is always gathered; !all keeps only it; a named subset adds its facts', () => {
    expect(collectorsOf(['!all']).has('distribution')).toBe(true);
    expect(collectorsOf(['!all']).has('hardware')).toBe(false);
    expect(collectorsOf(['!all', '!min']).size).toBe(0);
    expect(collectorsOf(['!all', 'network']).has('network')).toBe(true);
    expect(collectorsOf(['all', '!hardware']).has('hardware')).toBe(false);
    expect(collectorsOf([]).has('hardware')).toBe(true);
  });

  it("selects the facts and records gather_subset and module_setup as Ansible's setup does", () => {
    const network = factsOfSubset(all, ['!all', 'network']);
    expect(network).toHaveProperty('default_ipv4');
    expect(network).toHaveProperty('distribution');
    expect(network).not.toHaveProperty('memtotal_mb');
    expect(network).toMatchObject({ gather_subset: ['!all', 'network'], module_setup: true });
    expect(factsOfSubset(all, [])).toMatchObject({ gather_subset: ['all'], memtotal_mb: 3647 });
  });

  it('facts gathered by an earlier play stay when a later one gathers less', () => {
    const facts = gatheredFacts(all, [['all'], ['!all']]);
    expect(facts).toMatchObject({ memtotal_mb: 3647, gather_subset: ['!all'] });
  });

  it("the playbook schema and setup's schema accept exactly Ansible's subset names", () => {
    const names = ['all', 'min', ...GATHER_SUBSETS];
    const wanted = [...names, ...names.map((name) => `!${name}`)].sort();
    const playbook = JSON.parse(readFileSync(new URL('../../../schemas/playbook.schema.json', import.meta.url), 'utf8'));
    const setup = JSON.parse(readFileSync(new URL('../../../schemas/modules/setup.schema.json', import.meta.url), 'utf8'));
    expect([...playbook.definitions.gatherSubsetName.enum].sort()).toEqual(wanted);
    expect([...setup.definitions.gatherSubsetName.enum].sort()).toEqual(wanted);
  });
});
