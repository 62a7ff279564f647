import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/cli/exit-codes.js';
import type { JsonReport } from '../../../src/report/json.js';
import { sh, type Command } from '../../../src/shell/command.js';
import { runCli } from '../../helpers/cli.js';
import { sandboxInventoryPath, sshToHost } from '../../helpers/sandbox.js';

// What a host holds must not derail the script that reads its facts. A hostile /etc/os-release
// (command substitutions, backticks, a bare command, `exit`, an unbalanced quote) is read as text:
// the facts carry its values byte for byte and nothing in it runs. A facts script that dies midway
// (here its `uname` kills it) fails that host with a message saying its output is truncated; the
// other host finishes and the run exits 3 (unreachable), without a crash.

const HOSTILE = 'kvm1';
const TRUNCATED = 'kvm2';
const SAVED_OS_RELEASE = '/etc/os-release.runbook-test-saved';
const FACTS_SEEN = '/tmp/runbook-hostile-facts';
const FAKE_UNAME = '/usr/local/bin/uname';

/** A value as os-release(5) writes it in double quotes: `"`, `\`, `$` and backtick escaped. */
const doubleQuoted = (value: string): string => `"${value.replace(/["\\$`]/g, (char) => `\\${char}`)}"`;

// Every shell metacharacter, quotes, a backslash before a character it does not escape, and a long tail.
const NAME = `Hostile $(touch /tmp/pwned) \`touch /tmp/pwned2\` "double" 'single' back\\slash \\" $HOME ;|&<>*?~ ${'x'.repeat(20_000)} end`;
// Out of the specification (unescaped): a shell sourcing the file would run both commands.
const CODENAME = '$(touch /tmp/pwned) `touch /tmp/pwned2`';
const OS_RELEASE = [
  '# A hostile os-release: comments and blank lines are allowed.',
  '',
  'ID=debian',
  `VERSION_CODENAME="${CODENAME}"`,
  `NAME=${doubleQuoted(NAME)}`,
  "PRETTY_NAME='$(touch /tmp/pwned)'",
  '`touch /tmp/pwned2`',
  'exit 0',
  'UNBALANCED="no closing quote',
  '',
].join('\n');

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-hostile-facts-'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

async function onHost(host: string, command: Command): Promise<string> {
  const result = await sshToHost(host, command);
  expect(result.code, `${host}: ${command.render().slice(0, 200)}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

async function apply(name: string, playbook: string): Promise<{ code: number | null; stdout: string; stderr: string; report: JsonReport }> {
  const file = join(work, `${name}.yml`);
  const reportFile = join(work, `${name}.json`);
  writeFileSync(file, playbook);
  const run = await runCli(['apply', file, '-i', sandboxInventoryPath(), '--json', reportFile]);
  return { ...run, report: JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport };
}

describe('facts on a hostile or broken host', () => {
  it('reads a hostile /etc/os-release as text: its values arrive byte for byte, nothing in it runs', async () => {
    // /etc/os-release is a symbolic link on Debian: it is moved aside whole, and moved back.
    await onHost(HOSTILE, sh`rm -f /tmp/pwned /tmp/pwned2 ${FACTS_SEEN} && mv /etc/os-release ${SAVED_OS_RELEASE} && printf %s ${OS_RELEASE} > /etc/os-release`);
    try {
      const run = await apply(
        'hostile',
        `- hosts: ${HOSTILE}
  tasks:
    - name: the facts the play sees
      copy:
        dest: ${FACTS_SEEN}
        content: "{{ ansible_hostname }}\\n{{ ansible_distribution }}\\n{{ ansible_distribution_release }}\\n"
`,
      );
      expect.soft(await onHost(HOSTILE, sh`ls /tmp`), 'what the os-release file holds ran').not.toMatch(/^pwned/m);
      expect.soft(run.code, run.stdout.slice(-3000) + run.stderr).toBe(EXIT.ok);
      expect(await onHost(HOSTILE, sh`cat ${FACTS_SEEN}`)).toBe(`${HOSTILE}\n${NAME}\n${CODENAME}\n`);
    } finally {
      await onHost(HOSTILE, sh`mv -f ${SAVED_OS_RELEASE} /etc/os-release && rm -f /tmp/pwned /tmp/pwned2 ${FACTS_SEEN}`);
    }
  });

  it('fails a host whose facts output is truncated, with the reason; the other host finishes, no crash', async () => {
    // The script's `$(uname …)` runs this in place of uname: it kills the shell running the script.
    await onHost(TRUNCATED, sh`printf '#!/bin/sh\nkill -KILL "$PPID"\n' > ${FAKE_UNAME} && chmod 755 ${FAKE_UNAME} && [ "$(command -v uname)" = ${FAKE_UNAME} ]`);
    try {
      const run = await apply(
        'truncated',
        `- hosts: ${HOSTILE}:${TRUNCATED}
  gather_facts: false
  tasks:
    - name: a step on each host
      command: "true"
      changed_when: false
`,
      );
      const output = run.stdout + run.stderr;
      expect(run.code, output.slice(-3000)).toBe(EXIT.unreachable);
      expect(run.report.unreachable[TRUNCATED]).toMatch(new RegExp(`^facts output from ${TRUNCATED} is truncated \\(no end marker after \\d+ lines`));
      expect(run.stdout).toContain(`unreachable: [${TRUNCATED}] facts output from ${TRUNCATED} is truncated`);
      expect(run.report.recap[HOSTILE]).toMatchObject({ ok: 1, failed: 0, unreachable: 0 });
      expect(run.report.recap[TRUNCATED]).toMatchObject({ ok: 0, unreachable: 1 });
      expect(run.stderr).not.toMatch(/^\s+at /m);
    } finally {
      await onHost(TRUNCATED, sh`rm -f ${FAKE_UNAME}`);
    }
  });
});
