import { describe, expect, it } from 'vitest';
import { hostFactsCommand, parseHostFacts } from '../../../src/facts/host.js';
import { raw, sh } from '../../../src/shell/command.js';
import { sandboxHost, sshToHost } from '../../helpers/sandbox.js';
import { apply, resultsOf } from './apply.js';

const HOSTS = ['nfs', 'kvm1', 'kvm2'];

/** What the host itself says, one `key=value` per line, read with the programs Ansible's collectors stand for. */
async function hostSays(name: string): Promise<Record<string, string>> {
  const script = `. /etc/os-release
echo "hostname=$(hostname)"
echo "kernel=$(uname -r)"
echo "codename=$VERSION_CODENAME"
echo "debian_version=$(cat /etc/debian_version)"
echo "memtotal_mb=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)"
echo "nproc=$(nproc)"
echo "route=$(ip -4 route get 8.8.8.8 2>/dev/null | head -n 1)"
echo "lsb_release=$(command -v lsb_release)"
echo "epoch=$(date +%s)"`;
  const result = await sshToHost(name, sh`${raw(script)}`);
  expect(result.code, result.stderr).toBe(0);
  return Object.fromEntries(result.stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

describe("Ansible's facts on the sandbox hosts", () => {
  it.each(HOSTS)('%s: the facts read by the one facts command equal what the host says', async (name) => {
    const [facts, says] = await Promise.all([sshToHost(name, hostFactsCommand()), hostSays(name)]);
    expect(facts.code, facts.stderr).toBe(0);
    const ansible = parseHostFacts({ code: 0, signal: null, stdout: facts.stdout, stderr: facts.stderr }, name).ansible;
    const route = says.route!.split(' ');
    expect(ansible).toMatchObject({
      system: 'Linux',
      kernel: says.kernel,
      hostname: says.hostname,
      nodename: says.hostname,
      distribution: 'Debian',
      distribution_release: says.codename,
      distribution_version: says.debian_version,
      distribution_major_version: says.debian_version!.split('.')[0],
      os_family: 'Debian',
      pkg_mgr: 'apt',
      service_mgr: 'systemd',
      selinux: { status: 'disabled' },
      user_id: 'root',
      user_uid: 0,
      user_dir: '/root',
      memtotal_mb: Number(says.memtotal_mb),
      processor_nproc: Number(says.nproc),
      // Without a route to 8.8.8.8 (the sandbox's lab network has none), Ansible's default_ipv4 is empty.
      default_ipv4:
        says.route === ''
          ? {}
          : expect.objectContaining({
              address: route[route.indexOf('src') + 1],
              interface: route[route.indexOf('dev') + 1],
              ...(route.includes('via') ? { gateway: route[route.indexOf('via') + 1] } : {}),
            }),
      all_ipv4_addresses: expect.arrayContaining([sandboxHost(name).labAddress]),
      interfaces: expect.arrayContaining(['lo']),
    });
    expect(ansible.lsb).toEqual(says.lsb_release === '' ? {} : expect.objectContaining({ id: 'Debian', codename: says.codename }));
    expect(ansible.processor_vcpus).toBeGreaterThanOrEqual(1);
    expect(Math.abs(Number((ansible.date_time as Record<string, string>).epoch) - Number(says.epoch))).toBeLessThan(30);
  });

  it('a playbook reads them under Ansible\'s names; setup reads them again; service_facts lists sshd running and enabled', async () => {
    const applied = await apply(`
- name: facts as Ansible names them
  hosts: kvm1
  gather_subset: [min, hardware]
  tasks:
    - name: gathered
      debug: { msg: "{{ ansible_hostname }} {{ ansible_distribution }} {{ ansible_distribution_major_version }} {{ ansible_os_family }} {{ ansible_memtotal_mb }} {{ ansible_default_ipv4 is defined }}" }
    - name: network facts again
      ansible.builtin.setup: { gather_subset: [network], filter: [ansible_default_ipv4, ansible_all_ipv4_addresses] }
      register: network
    - name: read again
      assert:
        that:
          - network.ansible_facts.ansible_default_ipv4 == ansible_default_ipv4
          - network.ansible_facts.ansible_all_ipv4_addresses == ansible_facts.all_ipv4_addresses
          - "'${sandboxHost('kvm1').labAddress}' in ansible_all_ipv4_addresses"
    - name: services
      ansible.builtin.service_facts:
    - name: sshd
      debug: { msg: "{{ ansible_facts.services['ssh.service'].state }} {{ ansible_facts.services['ssh.service'].status }} {{ ansible_facts.services['ssh.service'].source }} {{ ansible_facts.services['sshd.service'] is defined }}" }
`);
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    const says = await hostSays('kvm1');
    expect(resultsOf(applied, 'gathered').kvm1?.message).toBe(`${says.hostname} Debian ${says.debian_version!.split('.')[0]} Debian ${says.memtotal_mb} False`);
    expect(resultsOf(applied, 'read again').kvm1?.status).toBe('ok');
    expect(resultsOf(applied, 'services').kvm1?.message).toMatch(/^read \d+ services$/);
    expect(resultsOf(applied, 'sshd').kvm1?.message).toBe('running enabled systemd True');
  });
});
