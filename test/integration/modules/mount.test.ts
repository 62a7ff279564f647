import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// A tmpfs at a path with a space (fstab and /proc/self/mounts write it as \040), away from the lab's paths.
const PATH = '/srv/rb mount test';
const FSTAB_LINE = 'tmpfs /srv/rb\\040mount\\040test tmpfs size=1m,mode=0755 0 0';

const playbook = (args: string) => `
- name: mount module on the sandbox
  hosts: kvm1
  tasks:
    - name: the mount
      mount: { path: "${PATH}", ${args} }
`;
const TMPFS = (opts: string, state: string) => `src: tmpfs, fstype: tmpfs, opts: "${opts}", state: ${state}`;

/** The fstab lines for the path, the live mount (source, type, options) and whether the directory exists. */
async function readBack(): Promise<{ fstab: string; live: string; directory: boolean }> {
  const result = await sshToHost(
    'kvm1',
    sh`grep -F -- ' /srv/rb\\040mount\\040test ' /etc/fstab; echo --; awk '$2 == "/srv/rb\\\\040mount\\\\040test" {print $1, $3, $4}' /proc/self/mounts; echo --; test -d ${PATH} && echo directory`,
  );
  const [fstab = '', live = '', directory = ''] = result.stdout.split('--\n');
  return { fstab, live, directory: directory === 'directory\n' };
}

describe('mount on a sandbox host', () => {
  it('--check on a fresh host reports the mount and changes nothing', async () => {
    const checked = await apply(playbook(TMPFS('size=1m,mode=0755', 'mounted')), { check: true, diff: true });
    expect(changedCount(checked)).toBe(1);
    expect(resultsOf(checked, 'the mount').kvm1!.message).toBe(`would add the fstab entry of ${PATH}; mount ${PATH}`);
    expect(await readBack()).toEqual({ fstab: '', live: '', directory: false });
  });

  it('mounted: adds the fstab entry, creates the mount point and mounts, with diffs of both', async () => {
    const applied = await apply(playbook(TMPFS('size=1m,mode=0755', 'mounted')), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(applied.stdout).toContain(`+${FSTAB_LINE}`);
    expect(applied.stdout).toContain('-not mounted');
    expect(applied.stdout).toContain(`+mounted: tmpfs on ${PATH} type tmpfs (size=1m,mode=0755)`);
    expect(await readBack()).toEqual({ fstab: `${FSTAB_LINE}\n`, live: expect.stringMatching(/^tmpfs tmpfs rw,.*size=1024k,mode=755/), directory: true });

    const again = await apply(playbook(TMPFS('size=1m,mode=0755', 'mounted')));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the mount').kvm1!.message).toBe(`${PATH} is mounted (tmpfs, tmpfs) and its fstab entry is current`);
  });

  it('new options for a mounted path: the entry is replaced and the path remounted', async () => {
    const applied = await apply(playbook(TMPFS('size=2m,mode=0755', 'mounted')), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(resultsOf(applied, 'the mount').kvm1!.message).toBe(`update the fstab entry of ${PATH}; remount ${PATH}`);
    const state = await readBack();
    expect(state.fstab).toBe('tmpfs /srv/rb\\040mount\\040test tmpfs size=2m,mode=0755 0 0\n');
    expect(state.live).toMatch(/^tmpfs tmpfs rw,.*size=2048k,mode=755/);
    expect(changedCount(await apply(playbook(TMPFS('size=2m,mode=0755', 'mounted'))))).toBe(0);
  });

  it('remounted changes a mounted path every time', async () => {
    for (let run = 0; run < 2; run += 1) {
      const applied = await apply(playbook('state: remounted'));
      expect(changedCount(applied)).toBe(1);
      expect(resultsOf(applied, 'the mount').kvm1!.message).toBe(`remount ${PATH}`);
    }
  });

  it('unmounted keeps the fstab entry; mounted mounts it again', async () => {
    const unmounted = await apply(playbook('state: unmounted'), { diff: true });
    expect(changedCount(unmounted)).toBe(1);
    expect(unmounted.stdout).toContain('+not mounted');
    expect(await readBack()).toMatchObject({ fstab: 'tmpfs /srv/rb\\040mount\\040test tmpfs size=2m,mode=0755 0 0\n', live: '' });
    const again = await apply(playbook('state: unmounted'));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the mount').kvm1!.message).toBe(`${PATH} is not mounted`);
    expect(resultsOf(await apply(playbook('state: remounted')), 'the mount').kvm1!.message).toBe(`${PATH} is not mounted: nothing to remount`);

    expect(changedCount(await apply(playbook(TMPFS('size=2m,mode=0755', 'mounted'))))).toBe(1);
    expect((await readBack()).live).toMatch(/^tmpfs tmpfs rw,.*size=2048k,mode=755/);
  });

  it("present only writes fstab; absent (Ansible's) removes the entry, unmounts and removes the mount point", async () => {
    const present = await apply(playbook(TMPFS('size=3m', 'present')));
    expect(changedCount(present)).toBe(1);
    expect(resultsOf(present, 'the mount').kvm1!.message).toBe(`update the fstab entry of ${PATH}`);
    expect(await readBack()).toMatchObject({ fstab: 'tmpfs /srv/rb\\040mount\\040test tmpfs size=3m 0 0\n', live: expect.stringMatching(/size=2048k/) });

    const absent = await apply(playbook('state: absent'), { diff: true });
    expect(changedCount(absent)).toBe(1);
    expect(resultsOf(absent, 'the mount').kvm1!.message).toBe(`remove the fstab entry of ${PATH}; unmount ${PATH}; remove the directory ${PATH}`);
    expect(await readBack()).toEqual({ fstab: '', live: '', directory: false });
    const again = await apply(playbook('state: absent'));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the mount').kvm1!.message).toBe(`${PATH} has no fstab entry`);
  });
});
