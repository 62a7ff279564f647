import { beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// Names of the test's own, so nothing of the lab is touched. `openssl passwd -6 -salt rbsalt0123 runbook-test`.
const HASH = '$6$rbsalt0123$C0sdCBdsMoYPyfctIqliN6tefBNpGrpzVskmrzbh4TB6DdRxFY4acjPZXERCQ6Iyiy70a4pQPevlnnhPll44S1';
const HOST = 'kvm1';

const present = `
- name: users and groups on the sandbox
  hosts: ${HOST}
  tasks:
    - name: the primary group
      group: { name: rbdevs, gid: 2345 }
    - name: a system group
      ansible.builtin.group: name=rbops system=yes
    - name: the user
      ansible.builtin.user:
        name: rbalice
        uid: 2401
        group: rbdevs
        groups: rbops
        comment: "Alice O'Hara $(id)"
        shell: /bin/bash
        password: "${HASH}"
      register: alice
    - name: what the user task registered
      debug: { msg: "uid={{ alice.uid }} group={{ alice.group }} home={{ alice.home }} password={{ alice.password }}" }
      when: alice.uid is defined
`;

const absent = `
- name: users and groups removed
  hosts: ${HOST}
  tasks:
    - name: the user
      ansible.legacy.user: name=rbalice state=absent remove=yes
    - name: the groups
      group: { name: "{{ item }}", state: absent }
      loop: [rbdevs, rbops]
`;

async function onHost(command: ReturnType<typeof sh>): Promise<string> {
  return (await sshToHost(HOST, command)).stdout;
}

beforeAll(async () => {
  const result = await sshToHost(HOST, sh`userdel -r rbalice 2>/dev/null; groupdel rbdevs 2>/dev/null; groupdel rbops 2>/dev/null; true`);
  expect(result.code, result.stderr).toBe(0);
});

describe('user and group through the shadow utilities on a sandbox host', () => {
  it('--check on a fresh host reports the groups, waits for them with the user, and changes nothing', async () => {
    const checked = await apply(present, { check: true });
    expect(changedCount(checked)).toBe(2);
    expect(resultsOf(checked, 'the user')[HOST]).toMatchObject({ status: 'skipped', awaitsEarlierTask: true });
    expect(await onHost(sh`getent group rbdevs rbops; getent passwd rbalice; true`)).toBe('');
  });

  it('creates the groups and the user; getent and id read them back; the hash is never printed', async () => {
    const applied = await apply(present, { diff: true });
    expect(changedCount(applied)).toBe(3);
    expect(await onHost(sh`getent passwd rbalice`)).toBe("rbalice:x:2401:2345:Alice O'Hara $(id):/home/rbalice:/bin/bash\n");
    expect(await onHost(sh`id -u rbalice; id -gn rbalice; id -Gn rbalice`)).toBe('2401\nrbdevs\nrbdevs rbops\n');
    expect(await onHost(sh`getent group rbdevs | cut -d: -f3; getent group rbops | cut -d: -f3`)).toMatch(/^2345\n\d+\n$/);
    const systemGid = Number((await onHost(sh`getent group rbops | cut -d: -f3`)).trim());
    expect(systemGid).toBeLessThan(1000);
    expect(await onHost(sh`getent shadow rbalice | cut -d: -f2`)).toBe(`${HASH}\n`);
    expect(await onHost(sh`stat -c '%U %G' /home/rbalice && test -f /home/rbalice/.profile && echo skel`)).toBe('rbalice rbdevs\nskel\n');
    expect(resultsOf(applied, 'what the user task registered')[HOST]!.message).toBe(
      'uid=2401 group=2345 home=/home/rbalice password=NOT_LOGGING_PASSWORD',
    );
    const everything = `${applied.stdout}\n${applied.stderr}\n${JSON.stringify(applied.report)}`;
    expect(everything).not.toContain(HASH);
    expect(everything).not.toContain('C0sdCBds');
    expect(resultsOf(applied, 'the user')[HOST]!.commands!.join('\n')).toContain("-p '********'");
  });

  it('re-applies with 0 changed and says why', async () => {
    const again = await apply(present);
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the user')[HOST]!.message).toBe('user rbalice is in place (uid 2401, home /home/rbalice, shell /bin/bash)');
    expect(resultsOf(again, 'the primary group')[HOST]!.message).toBe('group rbdevs exists with gid 2345');
  });

  it('--check of a change changes nothing; groups become exactly the list; a missing home is made again', async () => {
    const changed = present.replace('groups: rbops', 'groups: ""').replace('shell: /bin/bash', 'shell: /bin/sh');
    const checked = await apply(changed, { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(resultsOf(checked, 'the user')[HOST]!.message).toBe('would change user rbalice: groups, shell');
    expect(await onHost(sh`id -Gn rbalice; getent passwd rbalice | cut -d: -f7`)).toBe('rbdevs rbops\n/bin/bash\n');

    expect(changedCount(await apply(changed))).toBe(1);
    expect(await onHost(sh`id -Gn rbalice; getent passwd rbalice | cut -d: -f7`)).toBe('rbdevs\n/bin/sh\n');

    await onHost(sh`rm -rf /home/rbalice`);
    const rehomed = await apply(changed);
    expect(changedCount(rehomed)).toBe(1);
    expect(resultsOf(rehomed, 'the user')[HOST]!.message).toBe('change user rbalice: home directory');
    expect(await onHost(sh`stat -c '%U %G' /home/rbalice && test -f /home/rbalice/.profile && echo skel`)).toBe('rbalice rbdevs\nskel\n');
    expect(changedCount(await apply(changed))).toBe(0);
  });

  it('absent removes the user, its home and the groups; again, 0 changed', async () => {
    // The loop over the groups is one task result.
    const checked = await apply(absent, { check: true });
    expect(changedCount(checked)).toBe(2);
    expect(await onHost(sh`getent passwd rbalice | cut -d: -f1`)).toBe('rbalice\n');

    expect(changedCount(await apply(absent))).toBe(2);
    expect(await onHost(sh`getent passwd rbalice; getent group rbdevs rbops; test -e /home/rbalice && echo home; true`)).toBe('');
    expect(changedCount(await apply(absent))).toBe(0);
  });
});
