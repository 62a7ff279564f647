import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aptProgress, packageModule, parseInstalled, rpmProgress } from '../../../../src/modules/package.js';
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
