import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// Packages the lab never installs: jq brings two libraries along, so apt's progress has several packages.
const playbook = (state: 'present' | 'absent') => `
- name: package module on the sandbox
  hosts: kvm2
  tasks:
    - name: tree and jq ${state}
      package: { name: [tree, jq], state: ${state}, update_cache: true, cache_valid_time: 3600 }
`;
const TASK = (state: string) => `tree and jq ${state}`;

async function packageStates(): Promise<string> {
  const result = await sshToHost('kvm2', sh`for p in tree jq; do printf '%s=' "$p"; dpkg-query -W -f='\${db:Status-Abbrev}\n' -- "$p" 2>/dev/null || echo none; done`);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

async function cacheStamp(): Promise<string> {
  return (await sshToHost('kvm2', sh`stat -c %Y /var/lib/apt/periodic/update-success-stamp 2>/dev/null || echo none`)).stdout;
}

describe('package on a Debian sandbox host (apt)', () => {
  it('--check on a fresh host reports the installs and changes nothing', async () => {
    const before = await cacheStamp();
    const checked = await apply(playbook('present'), { check: true });
    expect(changedCount(checked)).toBe(1);
    const result = resultsOf(checked, TASK('present')).kvm2!;
    expect(result.message).toMatch(/^would (update the apt cache; )?install tree, jq$/);
    expect(await packageStates()).toBe('tree=none\njq=none\n');
    expect(await cacheStamp()).toBe(before);
  });

  it('installs, with a diff listing the packages', async () => {
    const applied = await apply(playbook('present'), { diff: true });
    expect(changedCount(applied)).toBe(1);
    const result = resultsOf(applied, TASK('present')).kvm2!;
    expect(result.message).toMatch(/install tree, jq$/);
    expect(result.diff).toContainEqual(expect.objectContaining({ label: 'packages', before: expect.stringContaining('tree absent\njq absent\n') }));
    expect(applied.stdout).toContain('+tree installed');
    expect(applied.stdout).toContain('+jq installed');
    expect(await packageStates()).toBe('tree=ii \njq=ii \n');
  });

  it('re-applies with 0 changed, saying what is installed and how fresh the apt cache is', async () => {
    const again = await apply(playbook('present'));
    expect(changedCount(again)).toBe(0);
    const result = resultsOf(again, TASK('present')).kvm2!;
    expect(result.status).toBe('ok');
    expect(result.message).toMatch(/^tree \S+, jq \S+ installed; apt cache updated \d+ s ago \(valid for 3600 s\)$/);
  });

  it('removes them, then reports them absent', async () => {
    const removed = await apply(playbook('absent'), { diff: true });
    expect(changedCount(removed)).toBe(1);
    expect(resultsOf(removed, TASK('absent')).kvm2!.message).toMatch(/^remove tree, jq$/);
    expect(removed.stdout).toContain('+tree absent');
    expect(await packageStates()).toMatch(/^tree=(rc |un |none)\njq=(rc |un |none)\n$/);

    const again = await apply(playbook('absent'));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, TASK('absent')).kvm2!.message).toBe('tree, jq not installed');
  });
});

// Ansible's apt, under its own name: return values, a local .deb, purge.
const aptPlaybook = (args: string) => `
- name: apt module on the sandbox
  hosts: kvm2
  tasks:
    - name: apt
      apt: ${args}
      register: out
    - name: registered
      debug: { msg: "{{ out.changed }} {{ out.cache_updated | default('-') }} {{ out.cache_update_time | default('-') }}" }
`;
const DEB = '/root/rb-test-pkg_1.0_all.deb';

describe("apt (Ansible's apt) on a Debian sandbox host", () => {
  it('update_cache alone on fresh lists is ok, registering cache_updated false and the cache time', async () => {
    const listsTime = (await sshToHost('kvm2', sh`stat -c %Y /var/lib/apt/lists`)).stdout.trim();
    const applied = await apply(aptPlaybook('{ update_cache: true, cache_valid_time: 3600 }'));
    expect(changedCount(applied)).toBe(0);
    expect(resultsOf(applied, 'registered').kvm2!.message).toBe(`False False ${listsTime}`);
  });

  it('installs a local .deb, then finds the same version installed', async () => {
    const build = await sshToHost(
      'kvm2',
      sh`d=$(mktemp -d) && mkdir -p "$d/DEBIAN" && chmod 0755 "$d" "$d/DEBIAN" && printf '%s\n' 'Package: rb-test-pkg' 'Version: 1.0' 'Architecture: all' 'Maintainer: runbook <rb@example.org>' 'Description: runbook test package' > "$d/DEBIAN/control" && dpkg-deb --build "$d" ${DEB} >/dev/null && rm -rf "$d"`,
    );
    expect(build.code, build.stderr).toBe(0);
    const checked = await apply(aptPlaybook(`{ deb: ${DEB} }`), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(resultsOf(checked, 'apt').kvm2!.message).toBe(`would install rb-test-pkg 1.0 from ${DEB}`);
    const installed = await apply(aptPlaybook(`{ deb: ${DEB} }`));
    expect(changedCount(installed)).toBe(1);
    expect((await sshToHost('kvm2', sh`dpkg-query -W -f='\${db:Status-Abbrev}\${Version}' rb-test-pkg`)).stdout).toBe('ii 1.0');
    const again = await apply(aptPlaybook(`{ deb: ${DEB} }`));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'apt').kvm2!.message).toBe(`rb-test-pkg 1.0 installed (${DEB})`);
  });

  it('purges it, then reports it not installed', async () => {
    const purged = await apply(aptPlaybook('{ name: rb-test-pkg, state: absent, purge: true }'));
    expect(changedCount(purged)).toBe(1);
    expect(resultsOf(purged, 'apt').kvm2!.message).toBe('purge rb-test-pkg');
    expect((await sshToHost('kvm2', sh`dpkg-query -W rb-test-pkg 2>/dev/null || echo gone`)).stdout.trim()).toBe('gone');
    expect(changedCount(await apply(aptPlaybook('{ name: rb-test-pkg, state: absent, purge: true }')))).toBe(0);
  });
});
