import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aptModule, aptProgress, dnfModule, packageModule, parseAutoremovable, parseCacheTime, parseInstalled, rpmProgress } from '../../../../src/modules/package.js';
import type { Step } from '../../../../src/modules/types.js';
import type { Command } from '../../../../src/shell/command.js';
import { validate } from '../../../../src/schema/validate.js';
import { runShell } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'runbook-package-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Feeds output in awkward chunks (lines split anywhere), as an ssh channel delivers it. */
function feed(progress: NonNullable<Step['progress']>, output: string, chunk = 7) {
  const updates = [];
  for (let at = 0; at < output.length; at += chunk) {
    const update = progress(output.slice(at, at + chunk));
    if (update) updates.push(update);
  }
  return updates;
}

describe('package names', () => {
  it.each(['$(reboot)', '-oAPT::Get::AllowUnauthenticated=1', 'two words', 'a;b', "it's", ''])('the schema refuses %j', (name) => {
    expect(validate('runbook:module/package', { name })).not.toEqual([]);
    expect(validate('runbook:module/package', { name: ['nfs-common', name] })).not.toEqual([]);
  });

  it.each(['nfs-common', 'libstdc++6', 'libc6:i386', 'python3.11', 'nfs_utils'])('the schema accepts %j', (name) => {
    expect(validate('runbook:module/package', { name })).toEqual([]);
  });

  it('the probe passes each name to the package database as one literal word through a real sh', () => {
    // Names the schema refuses still must not reach the shell as code.
    const names: [string, ...string[]] = ['rb-no-such-package', '$(touch pwned)', "it's; touch pwned2"];
    const probe = packageModule.probe!({ name: names }, fakeContext())['installed']!;
    const result = runShell(probe as Command, undefined, root);
    expect(result.code).toBe(0);
    expect(readdirSync(root)).toEqual([]);
    // This Debian machine has dpkg: the probe names it, then answers for each name.
    expect(result.stdout.split('\n')[0]).toBe('dpkg');
    const installed = parseInstalled(result, names);
    expect([...installed.values()].map((entry) => entry.status)).toEqual(['absent', 'absent', 'absent']);
  });

  it("on a RHEL-family host answered from dpkg, the plan asks rpm, whose probe reports an unknown package as absent through a real sh", () => {
    const context = fakeContext({ facts: { osFamily: 'redhat', packageManager: 'dnf' } });
    const args = { name: 'rb-no-such-package' };
    const installed = runShell(packageModule.probe!(args, context)['installed'] as Command);
    const plan = packageModule.plan(args, { installed }, context);
    expect(plan.kind).toBe('probe');
    const familyDatabase = runShell((plan as { probes: Record<string, Command> }).probes['familyDatabase']!);
    expect(familyDatabase.stdout.split('\n')[0]).toBe('rpm');
    expect(parseInstalled(familyDatabase, ['rb-no-such-package']).get('rb-no-such-package')?.status).toBe('absent');
    expect(packageModule.plan(args, { installed, familyDatabase }, context)).toMatchObject({ kind: 'change', summary: 'install rb-no-such-package' });
  });
});

describe('install progress', () => {
  it('counts apt unpack and setup lines against the announced total', () => {
    const output = [
      'Reading package lists...',
      'The following NEW packages will be installed:',
      '  keyutils libnfsidmap1 nfs-common',
      '0 upgraded, 3 newly installed, 0 to remove and 0 not upgraded.',
      'Selecting previously unselected package libnfsidmap1:amd64.',
      'Unpacking libnfsidmap1:amd64 (1:2.6.2-4+deb12u1) ...',
      'Unpacking keyutils (1.6.3-2) ...',
      'Unpacking nfs-common (1:2.6.2-4+deb12u1) ...',
      'Setting up libnfsidmap1:amd64 (1:2.6.2-4+deb12u1) ...',
      'Setting up keyutils (1.6.3-2) ...',
      'Setting up nfs-common (1:2.6.2-4+deb12u1) ...',
      '',
    ].join('\n');
    const updates = feed(aptProgress(), output);
    expect(updates[0]).toEqual({ message: '0 upgraded, 3 newly installed, 0 to remove and 0 not upgraded.' });
    expect(updates.at(-1)).toEqual({ message: 'Setting up nfs-common', percent: 100 });
    expect(updates.map((update) => update.percent).filter((percent) => percent !== undefined)).toEqual([17, 33, 50, 67, 83, 100]);
  });

  it('reads dnf transaction counters, verification as the last fifth', () => {
    const output = [
      'Running transaction',
      '  Preparing        :                                                        1/1',
      '  Installing       : libnfsidmap-1:2.5.4-20.el9.x86_64                      1/2',
      '  Installing       : nfs-utils-1:2.5.4-20.el9.x86_64                        2/2',
      '  Running scriptlet: nfs-utils-1:2.5.4-20.el9.x86_64                        2/2',
      '  Verifying        : libnfsidmap-1:2.5.4-20.el9.x86_64                      1/2',
      '  Verifying        : nfs-utils-1:2.5.4-20.el9.x86_64                        2/2',
      '',
    ].join('\n');
    expect(feed(rpmProgress(), output, 13)).toEqual([
      { message: 'Installing libnfsidmap-1:2.5.4-20.el9.x86_64', percent: 40 },
      { message: 'Installing nfs-utils-1:2.5.4-20.el9.x86_64', percent: 80 },
      { message: 'Verifying libnfsidmap-1:2.5.4-20.el9.x86_64', percent: 90 },
      { message: 'Verifying nfs-utils-1:2.5.4-20.el9.x86_64', percent: 100 },
    ]);
  });
});

describe("apt's cache, as Ansible's apt reports it", () => {
  const TIME = (now: number, time: number) => ({ code: 0, signal: null, stdout: `${now}\n${time}\n`, stderr: '' });
  const planOf = (args: Record<string, unknown>, probes: Record<string, ReturnType<typeof TIME>>, check = false) =>
    aptModule.plan(args as never, probes, fakeContext({ check }));

  it('the cache-time probe reads the stamp, else the lists, through a real sh; a machine without lists reads 0', () => {
    const result = runShell(aptModule.probe!({ update_cache: true } as never, fakeContext())['cacheTime'] as Command);
    expect(result.code).toBe(0);
    const { time, age } = parseCacheTime(result.stdout);
    expect(Number.isInteger(time)).toBe(true);
    expect(age).toBeGreaterThanOrEqual(0);
  });

  it('update_cache alone is a change only when the update moved the cache time', () => {
    const plan = planOf({ update_cache: true }, { cacheTime: TIME(1764150000, 1764140000) });
    if (plan.kind !== 'change') throw new Error(`expected a change, got ${plan.kind}`);
    expect(plan.finish!({ cacheTime: TIME(1764150010, 1764150005) })).toEqual({ changed: true, result: { cache_updated: true, cache_update_time: 1764150005 } });
    expect(plan.finish!({ cacheTime: TIME(1764150010, 1764140000) })).toEqual({ changed: false, result: { cache_updated: false, cache_update_time: 1764140000 } });
  });

  it('installed packages on stale lists: the update runs, the task is not a change', () => {
    const plan = planOf({ name: 'tree', update_cache: true }, { installed: { code: 0, signal: null, stdout: 'dpkg\ntree\tii \t2.1.0-1\n', stderr: '' }, cacheTime: TIME(1764150000, 1764140000) });
    if (plan.kind !== 'change') throw new Error(`expected a change, got ${plan.kind}`);
    expect(plan.finish!({ cacheTime: TIME(1764150010, 1764150005) })).toEqual({
      changed: false,
      message: 'tree 2.1.0-1 installed; apt cache updated',
      result: { cache_updated: true, cache_update_time: 1764150005 },
    });
  });

  it('an install after an update registers whether the update moved the cache time', () => {
    const plan = planOf({ name: 'tree', update_cache: true }, { installed: { code: 0, signal: null, stdout: 'dpkg\ntree\tun \t\n', stderr: '' }, cacheTime: TIME(1764150000, 1764140000) });
    if (plan.kind !== 'change') throw new Error(`expected a change, got ${plan.kind}`);
    expect(plan.finish!({ cacheTime: TIME(1764150010, 1764140000) })).toEqual({ result: { cache_updated: false, cache_update_time: 1764140000 } });
  });

  it('reads the packages apt-get -s autoremove would remove', () => {
    expect(parseAutoremovable('Reading package lists...\nRemv libjq1 [1.6-2.1]\nConf x\nRemv libonig5 [6.9.8-1]\n')).toEqual(['libjq1', 'libonig5']);
  });
});

describe('dnf and yum', () => {
  it('update_cache alone runs, but is not a change', () => {
    const plan = dnfModule.plan({ update_cache: true } as never, {}, fakeContext({ facts: { osFamily: 'redhat', packageManager: 'dnf' } }));
    if (plan.kind !== 'change') throw new Error(`expected a change, got ${plan.kind}`);
    expect(plan.finish!({})).toEqual({ changed: false, message: 'Cache updated', result: { msg: 'Cache updated', results: [], rc: 0 } });
  });

  it('the schemas refuse what Ansible would read otherwise: versions, globs, groups, comma lists, installroot', () => {
    for (const name of ['nginx*', '@core', 'a,b', 'nginx=1.2', 'nginx>=1.2']) {
      for (const module of ['apt', 'dnf', 'yum', 'package']) expect(validate(`runbook:module/${module}`, { name }), `${module} ${name}`).not.toEqual([]);
    }
    expect(validate('runbook:module/dnf', { name: 'nginx', installroot: '/mnt' })).not.toEqual([]);
    expect(validate('runbook:module/yum', { name: 'nginx', list: 'installed' })).not.toEqual([]);
    expect(validate('runbook:module/apt', { name: 'nginx', upgrade: 'dist' })).not.toEqual([]);
    expect(validate('runbook:module/apt', { name: 'nginx', state: 'build-dep' })).not.toEqual([]);
    expect(validate('runbook:module/apt', { deb: '/tmp/a.deb', state: 'absent' })).not.toEqual([]);
    expect(validate('runbook:module/apt', { deb: 'https://example.org/a.deb' })).not.toEqual([]);
    expect(validate('runbook:module/apt', { cache_valid_time: 3600 })).not.toEqual([]);
    expect(validate('runbook:module/apt', { update_cache: true })).toEqual([]);
  });
});
