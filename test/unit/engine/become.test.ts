import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { becomeCommand, becomeFailureMessage } from '../../../src/transport/become.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';

// Ansible's su become plugin builds `su FLAGS USER -c CMD` (become_exe default su, become_flags
// default none); its sudo plugin `sudo FLAGS -u USER CMD`. A task's become keywords override the
// play's (the fake logs in as root: only another user needs become).
test('become_method, become_flags and become_exe of the play and of each task', async () => {
  const fake = new FakeTransports();
  await runFixture('become.yml', fake, {}, 'keyword-hosts.yml');
  expect(fake.commandsOn('app1')).toEqual([
    `su postgres -c 'sh -c '\\''exec whoami </dev/null'\\'''`,
    `su -s /bin/sh nobody -c 'sh -c '\\''exec whoami </dev/null'\\'''`,
    `sudo -n -H -u postgres -- timeout -k 3 0 sh -c 'exec whoami </dev/null'`,
    `/usr/local/bin/sudo -n -u postgres -- timeout -k 3 0 sh -c 'exec whoami </dev/null'`,
    'exec whoami </dev/null',
  ]);
});

const dir = mkdtempSync(join(tmpdir(), 'runbook-su-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Quoting only: an `su` on PATH that checks its words and runs the -c string with sh, as su does
// with a login shell of /bin/sh. Real su and sudo on a sandbox host: test/integration/transport/become.test.ts.
writeFileSync(join(dir, 'su'), '#!/bin/sh\n[ "$1 $2" = "rbuser -c" ] || { echo "unexpected su words: $*" >&2; exit 99; }\nexec /bin/sh -c "$3"\n');
chmodSync(join(dir, 'su'), 0o755);

test('a command through su keeps every value exactly', () => {
  for (const value of HOSTILE_VALUES) {
    const command = becomeCommand(sh`printf %s ${value}`, 'rbuser', { method: 'su' }).render();
    // One argument of exec is at most 128 KiB (Linux MAX_ARG_STRLEN); su's -c string is quoted twice.
    if (Buffer.byteLength(command) > 100_000) continue;
    const output = execFileSync('/bin/sh', ['-c', command], {
      env: { PATH: `${dir}:/usr/bin:/bin` },
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(output.equals(Buffer.from(value, 'utf8')), JSON.stringify(value).slice(0, 60)).toBe(true);
  }
});

test('su refusing is explained', () => {
  const failed = (stderr: string, stdout = '') => ({ code: 1, signal: null, stdout, stderr });
  expect(becomeFailureMessage(failed('su: Authentication failure\n'))).toMatch(/^privilege escalation failed: su asked for the target user's password/);
  expect(becomeFailureMessage(failed('su: user rbnobody does not exist or the user entry does not contain all the required fields\n'))).toBe(
    'privilege escalation failed: su: user rbnobody does not exist. Check become_user',
  );
  expect(becomeFailureMessage(failed('', 'This account is currently not available.\n'))).toMatch(/nologin\). Give su another shell: become_flags: "-s \/bin\/sh"$/);
});
