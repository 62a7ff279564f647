import { describe, expect, it } from 'vitest';
import { sh, type Command } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// Ansible's filesystem on a regular file (an image, as Ansible allows): the sandbox hosts have no loop
// devices and no device-mapper, so block devices, lvm and xfs_growfs (which needs a mount) are
// covered by the unit fixtures only.
const IMAGE = '/srv/rb fs.img';

const playbook = (state: string, extra = '') => `
- name: a filesystem on an image file
  hosts: kvm1
  tasks:
    - name: the image
      command: { argv: [truncate, -s, 16M, "${IMAGE}"], creates: "${IMAGE}" }
    - name: the filesystem
      community.general.filesystem: { dev: "${IMAGE}", fstype: ext4, state: ${state}${extra} }
`;

async function run(command: Command): Promise<string> {
  const outcome = await sshToHost('kvm1', command);
  expect(outcome.code, `${command.render()}\n${outcome.stderr}`).toBe(0);
  return outcome.stdout;
}

const blkidType = (): Promise<string> => run(sh`blkid -c /dev/null -o value -s TYPE ${IMAGE}; true`);
const blockCount = async (): Promise<number> => Number(/Block count:\s*(\d+)/.exec(await run(sh`tune2fs -l ${IMAGE}`))?.[1]);

describe('filesystem on a sandbox host', () => {
  it('--check changes nothing (the image does not exist yet: skipped, not failed)', async () => {
    const checked = await apply(playbook('present'), { check: true });
    expect(checked.code, checked.stdout).toBe(0);
    expect(await run(sh`test -e ${IMAGE} && echo exists || echo absent`)).toBe('absent\n');
  });

  it('creates ext4, then a second apply changes nothing', async () => {
    expect(changedCount(await apply(playbook('present')))).toBe(2);
    expect(await blkidType()).toBe('ext4\n');
    const again = await apply(playbook('present'));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the filesystem').kvm1?.message).toContain('has a ext4 filesystem');
  });

  it('refuses another type without force', async () => {
    const other = await apply(playbook('present').replace('fstype: ext4', 'fstype: ext2'));
    expect(other.code).toBe(1);
    expect(resultsOf(other, 'the filesystem').kvm1?.message).toContain("is already used as ext4, use force=true to overwrite");
  });

  it('grows into a larger image with resizefs, once', async () => {
    const before = await blockCount();
    await run(sh`truncate -s 32M ${IMAGE}`);
    expect(changedCount(await apply(playbook('present', ', resizefs: true'), { check: true }))).toBe(1);
    expect(await blockCount()).toBe(before);
    expect(changedCount(await apply(playbook('present', ', resizefs: true')))).toBe(1);
    expect(await blockCount()).toBe(before * 2);
    expect(changedCount(await apply(playbook('present', ', resizefs: true')))).toBe(0);
  });

  it('wipes the signatures with state absent, once', async () => {
    expect(changedCount(await apply(playbook('absent')))).toBe(1);
    expect(await blkidType()).toBe('');
    expect(changedCount(await apply(playbook('absent')))).toBe(0);
    await run(sh`rm -f ${IMAGE}`);
  });
});
