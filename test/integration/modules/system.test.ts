import { describe, expect, it } from 'vitest';
import { sh, type Command } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// System modules with Ansible's names on one sandbox host (kvm1): apply, apply again with nothing to
// do, --check changing nothing, and the host read back over ssh.
const play = (tasks: string) => `
- name: system modules on the sandbox
  hosts: kvm1
  become: true
  tasks:
${tasks}
`;

async function onHost(command: Command): Promise<string> {
  const result = await sshToHost('kvm1', command);
  return result.stdout;
}

const SYSCTL_FILE = '/etc/sysctl.d/90-runbook-test.conf';

describe('ansible.posix.sysctl', () => {
  // /proc/sys is read-only in the sandbox's containers: the file is managed, and the running value
  // only read (sysctl_set with the value the kernel already has).
  const sysctl = (extra: string) => `
    - name: sysctl
      ansible.posix.sysctl: { name: kernel.ostype, value: Linux, sysctl_file: ${SYSCTL_FILE}, reload: false, ${extra} }`;

  it('--check writes nothing; apply writes key=value; again changes nothing; absent removes the line', async () => {
    const checked = await apply(play(sysctl('sysctl_set: true')), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(await onHost(sh`test -e ${SYSCTL_FILE} && echo exists; true`)).toBe('');

    const applied = await apply(play(sysctl('sysctl_set: true')), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(resultsOf(applied, 'sysctl').kvm1!.message).toBe(`set kernel.ostype=Linux in ${SYSCTL_FILE}`);
    expect(await onHost(sh`cat ${SYSCTL_FILE}`)).toBe('kernel.ostype=Linux\n');

    const again = await apply(play(sysctl('sysctl_set: true')));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'sysctl').kvm1!.message).toBe(`kernel.ostype is Linux in ${SYSCTL_FILE} and the running kernel`);

    expect(changedCount(await apply(play(sysctl('state: absent'))))).toBe(1);
    expect(await onHost(sh`cat ${SYSCTL_FILE}`)).toBe('');
    expect(changedCount(await apply(play(sysctl('state: absent'))))).toBe(0);
  });
});

describe('ansible.posix.authorized_key', () => {
  const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHJ1bmJvb2stdGVzdC1rZXktbm90LXJlYWwtMDAwMDAw tester@lab';
  const tasks = (extra = '') => `
    - name: account
      user: { name: rbkeys, shell: /bin/sh }
    - name: key
      ansible.posix.authorized_key: { user: rbkeys, key: "${KEY}"${extra} }
      register: added`;
  const returned = `
    - name: returned
      assert: { that: ["added.keyfile == '/home/rbkeys/.ssh/authorized_keys'", "added.user == 'rbkeys'"] }`;

  it('creates ~/.ssh (0700) and authorized_keys (0600) owned by the user; again is ok; absent removes the key', async () => {
    // In check mode the account does not exist yet: the key task is skipped as awaiting it.
    const checked = await apply(play(tasks()), { check: true });
    expect(checked.code, checked.stdout).toBe(0);
    expect(resultsOf(checked, 'key').kvm1!.status).toBe('skipped');
    expect(await onHost(sh`test -e /home/rbkeys/.ssh && echo exists; true`)).toBe('');

    const applied = await apply(play(tasks() + returned));
    expect(changedCount(applied)).toBe(2);
    expect(await onHost(sh`stat -c '%a %U %G' /home/rbkeys/.ssh /home/rbkeys/.ssh/authorized_keys; cat /home/rbkeys/.ssh/authorized_keys`)).toBe(
      `700 rbkeys rbkeys\n600 rbkeys rbkeys\n${KEY}\n`,
    );
    const again = await apply(play(tasks()));
    expect(changedCount(again)).toBe(0);

    const removed = await apply(play(tasks(', state: absent')));
    expect(changedCount(removed)).toBe(1);
    expect(await onHost(sh`cat /home/rbkeys/.ssh/authorized_keys`)).toBe('');
  });
});

describe('ansible.builtin.cron with cron_file', () => {
  const CRON_FILE = '/etc/cron.d/runbook-test';
  const cron = (extra: string) => `
    - name: cron
      ansible.builtin.cron: { name: sync, minute: "*/5", user: root, job: /bin/sync, cron_file: runbook-test, ${extra} }
      register: cron_result`;

  it('writes the #Ansible: line and the job with its user; again is ok; removing the last job removes the file', async () => {
    const checked = await apply(play(cron('state: present')), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(await onHost(sh`test -e ${CRON_FILE} && echo exists; true`)).toBe('');

    const applied = await apply(play(`${cron('state: present')}
    - name: returned
      assert: { that: ["cron_result.jobs == ['sync']", "cron_result.cron_file == 'runbook-test'"] }`));
    expect(changedCount(applied)).toBe(1);
    expect(await onHost(sh`stat -c %a ${CRON_FILE}; cat ${CRON_FILE}`)).toBe('644\n#Ansible: sync\n*/5 * * * * root /bin/sync\n');
    expect(changedCount(await apply(play(cron('state: present'))))).toBe(0);

    const removed = await apply(play(cron('state: absent')));
    expect(changedCount(removed)).toBe(1);
    expect(await onHost(sh`test -e ${CRON_FILE} && echo exists; true`)).toBe('');
  });
});

describe('ansible.builtin.hostname', () => {
  const hostname = `
    - name: hostname
      ansible.builtin.hostname: { name: rb-renamed.lab.test }
      register: renamed
    - name: returned
      assert: { that: ["renamed.ansible_facts.ansible_hostname == 'rb-renamed'", "renamed.ansible_facts.ansible_nodename == 'rb-renamed.lab.test'"] }`;

  it('sets the static and running names with hostnamectl; again is ok', async () => {
    const before = await onHost(sh`hostname; cat /etc/hostname`);
    const checked = await apply(play(hostname), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(await onHost(sh`hostname; cat /etc/hostname`)).toBe(before);

    const applied = await apply(play(hostname), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(applied.stdout).toContain('+hostname = rb-renamed.lab.test');
    expect(await onHost(sh`hostname; cat /etc/hostname`)).toBe('rb-renamed.lab.test\nrb-renamed.lab.test\n');
    expect(changedCount(await apply(play(hostname)))).toBe(0);
  });
});

describe('community.general.timezone', () => {
  const timezone = (name: string) => `
    - name: timezone
      community.general.timezone: { name: ${name} }`;

  it('sets the zone (timedatectl, or the Debian files); again is ok; an unknown zone fails', async () => {
    const checked = await apply(play(timezone('Europe/Paris')), { check: true });
    const zoneInstalled = (await onHost(sh`test -f /usr/share/zoneinfo/Europe/Paris && echo yes; true`)) === 'yes\n';
    if (!zoneInstalled) {
      // A host without tzdata has no zone to link to: the task fails with Ansible's message.
      expect(resultsOf(checked, 'timezone').kvm1!.message).toContain('given timezone "Europe/Paris" is not available');
      return;
    }
    expect(changedCount(checked)).toBe(1);
    expect(await onHost(sh`readlink /etc/localtime`)).not.toContain('Europe/Paris');

    expect(changedCount(await apply(play(timezone('Europe/Paris'))))).toBe(1);
    expect(await onHost(sh`readlink /etc/localtime`)).toMatch(/^(\.\.)?\/usr\/share\/zoneinfo\/Europe\/Paris\n$/);
    expect(changedCount(await apply(play(timezone('Europe/Paris'))))).toBe(0);

    const unknown = await apply(play(timezone('Mars/Olympus_Mons')));
    expect(unknown.code).not.toBe(0);
    expect(resultsOf(unknown, 'timezone').kvm1!.message).toContain('given timezone "Mars/Olympus_Mons" is not available');
  });
});
