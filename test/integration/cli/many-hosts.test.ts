import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

// More hosts at once than Node's default of 10 listeners per event: steps running on all of them
// together each listen for Ctrl-C, and that is no leak to warn about.

const HOSTS = 12;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'runbook-many-hosts-'));
  const hosts = Array.from({ length: HOSTS }, (_, index) => `    host${index + 1}: {}`).join('\n');
  writeFileSync(join(work, 'inventory.yml'), `all:\n  vars:\n    ansible_connection: local\n  hosts:\n${hosts}\n`);
  writeFileSync(
    join(work, 'playbook.yml'),
    `- hosts: all
  tasks:
    - name: a step on every host at once
      command: { argv: [sh, -c, "sleep 0.3; touch ${work}/{{ inventory_hostname }}"], creates: "${work}/{{ inventory_hostname }}" }
`,
  );
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('many hosts at once', () => {
  it('runs steps on more than 10 hosts in parallel without a listener warning', async () => {
    const run = await runCli(['apply', join(work, 'playbook.yml'), '-i', join(work, 'inventory.yml'), '--forks', String(HOSTS)]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`${HOSTS} changes made`);
    expect(run.stderr).not.toContain('MaxListenersExceededWarning');
  });
});
