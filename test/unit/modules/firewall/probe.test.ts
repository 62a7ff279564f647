import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firewallModule, parseFirewalld } from '../../../../src/modules/firewall.js';
import { sh, type Command } from '../../../../src/shell/command.js';
import { runShell } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'runbook-firewall-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/**
 * A stand-in firewall-cmd on PATH answering like firewalld 1.x and logging its arguments, one per
 * line: the probe's shell glue (default zone, sections, quoting) runs for real under sh.
 */
function fakeFirewallCmd(state: 'running' | 'stopped'): string {
  const bin = mkdtempSync(join(root, 'bin-'));
  const log = join(bin, 'calls');
  writeFileSync(
    join(bin, 'firewall-cmd'),
    `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >> '${log}'
case "$*" in
  --state) [ ${state} = running ] && echo running && exit 0; echo 'not running'; exit 252;;
  --get-default-zone) echo public;;
  --get-services) echo 'mountd nfs rpc-bind ssh';;
  *--permanent*--list-all) printf 'public\\n  services: ssh nfs\\n  ports: 49152-49215/tcp\\n  source-ports: 1/udp\\n';;
  *--list-all) printf 'public (active)\\n  services: ssh\\n  ports: \\n';;
esac
`,
  );
  chmodSync(join(bin, 'firewall-cmd'), 0o755);
  return bin;
}

function runProbe(bin: string, zone?: string) {
  const probe = firewallModule.probe!({ service: 'nfs', ...(zone === undefined ? {} : { zone }) }, fakeContext())['firewalld'] as Command;
  return runShell(sh`PATH=${bin}:"$PATH"; ${probe}`);
}

describe('firewalld probe through a real sh', () => {
  it('reads the default zone, the known services and both configurations', () => {
    const result = runProbe(fakeFirewallCmd('running'));
    expect(result.code).toBe(0);
    expect(parseFirewalld(result.stdout)).toEqual({
      status: 'running',
      zone: 'public',
      known: ['mountd', 'nfs', 'rpc-bind', 'ssh'],
      runtime: { services: ['ssh'], ports: [] },
      permanent: { services: ['ssh', 'nfs'], ports: ['49152-49215/tcp'] },
    });
  });

  it('passes a given zone as one word', () => {
    const bin = fakeFirewallCmd('running');
    runProbe(bin, "odd zone $(id)");
    expect(readFileSync(join(bin, 'calls'), 'utf8')).toContain('--zone=odd zone $(id)\n');
  });

  it('says stopped when firewalld does not answer, absent when there is no firewall-cmd', () => {
    expect(parseFirewalld(runProbe(fakeFirewallCmd('stopped')).stdout)).toEqual({ status: 'stopped' });
    const probe = firewallModule.probe!({ service: 'nfs' }, fakeContext())['firewalld'] as Command;
    expect(parseFirewalld(runShell(sh`PATH=${root}; ${probe}`).stdout)).toEqual({ status: 'absent' });
  });
});
