import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secret, sh } from '../../../src/shell/command.js';
import { becomeCommand, becomeFailureMessage, needsBecome } from '../../../src/transport/become.js';
import type { ExecResult } from '../../../src/transport/types.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-become-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Quoting only: a `sudo` on PATH that checks the options and runs what follows `--` as the same
// user. Real sudo, over real ssh, is covered by test/integration/transport/ssh.test.ts.
writeFileSync(
  join(dir, 'sudo'),
  '#!/bin/sh\n[ "$1 $2 $3 $4 $5" = "-n -H -u root --" ] || { echo "unexpected sudo options: $*" >&2; exit 99; }\nshift 5\nexec "$@"\n',
);
chmodSync(join(dir, 'sudo'), 0o755);

const failed = (stderr: string, code = 1): ExecResult => ({ code, signal: null, stdout: '', stderr });

describe('becomeCommand', () => {
  it('wraps the command in sudo -n -H -u USER -- timeout -k 3 0 sh -c, quoted once', () => {
    expect(becomeCommand(sh`systemctl restart ${'nfs server'}`, 'root').render()).toBe(
      `sudo -n -H -u root -- timeout -k 3 0 sh -c 'systemctl restart '\\''nfs server'\\'''`,
    );
    expect(becomeCommand(sh`id`, 'postgres').render()).toBe('sudo -n -H -u postgres -- timeout -k 3 0 sh -c id');
  });

  it('quotes a hostile user name', () => {
    expect(becomeCommand(sh`id`, 'a b;c').render()).toBe("sudo -n -H -u 'a b;c' -- timeout -k 3 0 sh -c id");
  });

  it('round-trips every hostile value through the wrapped shell', () => {
    for (const value of HOSTILE_VALUES) {
      const output = execFileSync('/bin/sh', ['-c', becomeCommand(sh`printf %s ${value}`, 'root').render()], {
        env: { PATH: `${dir}:/usr/bin:/bin` },
        maxBuffer: 64 * 1024 * 1024,
      });
      expect(output.equals(Buffer.from(value, 'utf8')), JSON.stringify(value).slice(0, 60)).toBe(true);
    }
  });

  it('keeps secrets masked and listed', () => {
    const command = becomeCommand(sh`chpasswd-like ${secret('hunter2')}`, 'root');
    expect(command.redacted()).not.toContain('hunter2');
    expect(command.secrets).toEqual(['hunter2']);
    expect(command.render()).toContain('hunter2');
  });
});

describe('needsBecome', () => {
  it('skips sudo when the connecting user already is the target', () => {
    expect(needsBecome('root', 'root')).toBe(false);
    expect(needsBecome('deploy', 'root')).toBe(true);
  });
});

describe('becomeFailureMessage', () => {
  it('explains a sudo that wants a password', () => {
    expect(becomeFailureMessage(failed('sudo: a password is required\n'))).toMatch(/^privilege escalation failed: sudo asked for a password.*NOPASSWD/);
    expect(becomeFailureMessage(failed('sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper\n'))).toMatch(/asked for a password/);
  });

  it('explains a user sudo refuses', () => {
    expect(becomeFailureMessage(failed('deploy is not in the sudoers file.\n'))).toBe(
      'privilege escalation failed: sudo refused (deploy is not in the sudoers file). Grant the connecting user sudo rights, or connect as the target user',
    );
    expect(becomeFailureMessage(failed("Sorry, user deploy is not allowed to execute '/bin/sh -c id' as postgres on web1.\n"))).toMatch(/sudo refused \(Sorry, user deploy/);
  });

  it('explains an unknown target user and a missing sudo', () => {
    expect(becomeFailureMessage(failed('sudo: unknown user nosuch\nsudo: error initializing audit plugin sudoers_audit\n'))).toBe(
      'privilege escalation failed: sudo: unknown user nosuch. Check become_user',
    );
    expect(becomeFailureMessage(failed('sh: 1: sudo: not found\n', 127))).toMatch(/sudo is not installed/);
  });

  it('leaves successes and failures of the wrapped command alone', () => {
    expect(becomeFailureMessage({ code: 0, signal: null, stdout: '', stderr: 'sudo: a password is required\n' })).toBeUndefined();
    expect(becomeFailureMessage(failed('grep: /etc/shadow: No such file or directory\n', 2))).toBeUndefined();
  });
});
