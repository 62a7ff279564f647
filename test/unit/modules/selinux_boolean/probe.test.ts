import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBooleanState, selinuxBooleanModule } from '../../../../src/modules/selinux-boolean.js';
import { sh, type Command } from '../../../../src/shell/command.js';
import { runShell } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'runbook-selinux-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Stand-in getsebool and semanage on PATH, answering like policycoreutils 3.x. */
function fakeTools(): string {
  const bin = mkdtempSync(join(root, 'bin-'));
  const tools: Record<string, string> = {
    getsebool: `[ "$1" = -- ] && shift; case "$1" in virt_use_nfs) echo 'virt_use_nfs --> on';; *) echo "Error getting active value for $1" >&2; exit 1;; esac`,
    semanage: `printf '%s\\n' 'SELinux boolean                State  Default Description' '' 'virt_use_comm                  (off  ,  off)  Allow virt to use comm' 'virt_use_nfs                   (on   ,   on)  Allow virt to use nfs' 'virt_use_nfs_x                 (off  ,  off)  Not this one'`,
  };
  for (const [name, body] of Object.entries(tools)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  return bin;
}

const enforcing = fakeContext({ facts: { osFamily: 'redhat', packageManager: 'dnf', selinux: 'enforcing' } });

function runProbe(name: string) {
  const probe = selinuxBooleanModule.probe!({ name, state: 'on' }, enforcing)['boolean'] as Command;
  return runShell(sh`PATH=${fakeTools()}:"$PATH"; ${probe}`);
}

describe('SELinux boolean probe through a real sh', () => {
  it('reads the running value and the stored one of exactly that boolean', () => {
    const result = runProbe('virt_use_nfs');
    expect(result.code).toBe(0);
    expect(parseBooleanState(result.stdout)).toEqual({ running: 'on', persistent: 'on', error: undefined });
  });

  it('reports getsebool’s error for an unknown boolean', () => {
    expect(parseBooleanState(runProbe('virt_use_nsf').stdout)).toEqual({
      running: undefined,
      persistent: undefined,
      error: 'Error getting active value for virt_use_nsf',
    });
  });

  it('asks nothing of a host without SELinux', () => {
    expect(selinuxBooleanModule.probe!({ name: 'virt_use_nfs', state: 'on' }, fakeContext())).toEqual({});
  });
});
