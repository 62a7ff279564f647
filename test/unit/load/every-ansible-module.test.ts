import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { brief, issuesOf, playbookFile } from '../../helpers/playbook-files.js';
import { loadPlaybook } from '../../../src/load/playbook.js';

// Every Ansible module runbook implements validates under each of its names (short,
// ansible.builtin./ansible.legacy., or its collection's full name) and in both of Ansible's argument
// forms (a mapping, and key=value words), with 0 problems; one outside the list is refused.
const MODULES: Record<string, Record<string, unknown>> = {
  'ansible.builtin.apt': { name: 'nfs-common', state: 'present', update_cache: true, cache_valid_time: 3600 },
  'ansible.builtin.dnf': { name: 'nfs-utils', state: 'latest', enablerepo: 'epel' },
  'ansible.builtin.yum': { name: 'nfs-utils', state: 'present', disablerepo: 'epel' },
  'ansible.builtin.package': { name: 'rpcbind', state: 'present' },
  'ansible.builtin.systemd': { name: 'rpcbind', state: 'started', enabled: true, daemon_reload: true },
  'ansible.builtin.systemd_service': { name: 'rpcbind', state: 'restarted' },
  'ansible.builtin.service': { name: 'rpcbind', state: 'started', enabled: true },
  'ansible.builtin.service_facts': {},
  'ansible.builtin.lineinfile': { path: '/etc/hosts', regexp: '^127\\.0\\.1\\.1', line: '127.0.1.1 kvm1' },
  'ansible.builtin.blockinfile': { path: '/etc/hosts', block: 'x y' },
  'ansible.builtin.replace': { path: '/etc/hosts', regexp: 'old', replace: 'new' },
  'ansible.builtin.stat': { path: '/etc/hosts' },
  'ansible.builtin.user': { name: 'student', groups: 'libvirt', append: true },
  'ansible.builtin.group': { name: 'lab', state: 'present' },
  'ansible.builtin.fail': { msg: 'stop here' },
  'ansible.builtin.debug': { msg: 'hello' },
  'ansible.builtin.assert': { that: 'true', fail_msg: 'no', success_msg: 'yes' },
  'ansible.builtin.include_vars': { file: 'vars.yml' },
  'ansible.builtin.setup': { gather_subset: 'min' },
  'ansible.builtin.ping': {},
  'ansible.builtin.meta': { _raw_params: 'flush_handlers' },
  'ansible.builtin.wait_for': { port: 22, timeout: 5 },
  'ansible.builtin.pause': { seconds: 1 },
  'ansible.builtin.copy': { dest: '/etc/motd', content: 'hello', mode: '0644' },
  'ansible.builtin.template': { src: 'motd.j2', dest: '/etc/motd' },
  'ansible.builtin.file': { path: '/srv/lab', state: 'directory', mode: '0755' },
  'ansible.builtin.get_url': { url: 'http://127.0.0.1:8080/a.tar.gz', dest: '/tmp/a.tar.gz' },
  'ansible.builtin.unarchive': { src: 'a.tar.gz', dest: '/srv' },
  'ansible.builtin.fetch': { src: '/etc/hostname', dest: 'fetched' },
  'ansible.builtin.slurp': { src: '/etc/hostname' },
  'ansible.builtin.find': { paths: '/var/log', patterns: '*.log' },
  'community.general.timezone': { name: 'Europe/Paris' },
  'ansible.builtin.hostname': { name: 'kvm1' },
  'ansible.builtin.cron': { name: 'backup', minute: '0', hour: '2', job: '/usr/local/bin/backup' },
  'ansible.builtin.git': { repo: '/srv/repo.git', dest: '/srv/checkout', version: 'main' },
  'ansible.posix.mount': { path: '/var/lib/libvirt/images', src: '10.10.10.115:/var/lib/libvirt/images', fstype: 'nfs', state: 'mounted' },
  'ansible.posix.firewalld': { service: 'nfs', permanent: true, state: 'enabled' },
  'ansible.posix.seboolean': { name: 'virt_use_nfs', state: true, persistent: true },
  'ansible.posix.sysctl': { name: 'vm.swappiness', value: '10', state: 'present' },
  'ansible.posix.authorized_key': { user: 'root', key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKfakefakefakefakefakefakefakefakefakefakefake lab' },
  'ansible.builtin.rpm_key': { key: '/etc/pki/rpm-gpg/RPM-GPG-KEY-EPEL-9', state: 'present' },
  'ansible.builtin.yum_repository': { name: 'epel', description: 'EPEL', baseurl: 'http://127.0.0.1/epel' },
  'ansible.builtin.apt_repository': { repo: 'deb http://127.0.0.1/debian bookworm main', update_cache: false },
  'community.libvirt.virt': { name: 'tiny', state: 'running' },
  'community.libvirt.virt_net': { name: 'lab', state: 'active' },
  'community.libvirt.virt_pool': { name: 'images', state: 'active' },
  'community.general.lvg': { vg: 'vg_lab', pvs: '/dev/loop0' },
  'community.general.lvol': { vg: 'vg_lab', lv: 'images', size: '1g' },
  'community.general.filesystem': { dev: '/dev/vg_lab/images', fstype: 'ext4' },
};

/** A collection module's short name; builtins also as ansible.legacy.NAME. */
function spellings(fqcn: string): string[] {
  const short = fqcn.slice(fqcn.lastIndexOf('.') + 1);
  return fqcn.startsWith('ansible.builtin.') ? [short, fqcn, `ansible.legacy.${short}`] : [fqcn, short];
}

/** Ansible's key=value words for the same arguments (a free-form meta action stays free-form). */
function keyValue(args: Record<string, unknown>): string {
  if ('_raw_params' in args) return String(args._raw_params);
  return Object.entries(args)
    .map(([key, value]) => `${key}=${typeof value === 'string' && /[\s'"]/.test(value) ? `'${value}'` : String(value)}`)
    .join(' ');
}

function mappingArgs(args: Record<string, unknown>): unknown {
  return '_raw_params' in args ? args._raw_params : args;
}

const FILES = { 'vars.yml': 'a: 1\n', 'templates/motd.j2': 'hi\n', 'files/a.tar.gz': '' };

describe("Ansible's modules under every name, in both argument forms", () => {
  for (const [fqcn, args] of Object.entries(MODULES)) {
    it(fqcn, () => {
      const tasks = spellings(fqcn).flatMap((name) => [
        { name: `${name} (mapping)`, [name]: mappingArgs(args) },
        ...(Object.keys(args).length > 0 ? [{ name: `${name} (key=value)`, [name]: keyValue(args) }] : []),
      ]);
      // Written as YAML 1.1, which runbook reads as Ansible does (a bare no is false there).
      const path = playbookFile(stringify([{ hosts: 'all', gather_facts: false, tasks }], { version: '1.1' }), FILES);
      let problems: string[] = [];
      try {
        loadPlaybook(path);
      } catch {
        problems = issuesOf(path).filter((issue) => issue.severity === 'error').map(brief);
      }
      expect(problems).toEqual([]);
    });
  }

  it('a module outside the list is refused, with the did-you-mean across both naming schemes', () => {
    const path = playbookFile(stringify([{ hosts: 'all', tasks: [{ 'ansible.builtin.lineinfle': { path: '/x', line: 'y' } }] }]));
    const [issue] = issuesOf(path);
    expect(brief(issue!)).toBe('3:7 RB_UNKNOWN_MODULE unknown module "ansible.builtin.lineinfle"');
    expect(issue!.hint).toBe('did you mean "ansible.builtin.lineinfile"?');
  });
});
