import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { runCli } from '../../helpers/cli.js';
import { sandboxInventoryPath, sshToHost } from '../../helpers/sandbox.js';

const work = mkdtempSync(join(tmpdir(), 'runbook-module-validation-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLAYBOOK = `
- name: wrong argument types
  hosts: all
  tasks:
    - name: a number as a package name
      package: { name: 5, state: started }
    - name: enabled as a string
      service: { name: rpcbind, enabled: "yes" }
    - name: a port as a number
      firewall: { port: 2049 }
    - name: mounted without src
      mount: { path: /mnt, state: mounted, fstype: nfs }
    - name: options as a string
      nfs_export: { path: /srv, clients: [{ host: "10.0.0.0/8", options: "rw" }], mode: 755 }
    - name: yes is not a state
      selinux_boolean: { name: virt_use_nfs, state: "yes" }
`;

/** ssh logins each sandbox host's sshd accepted so far (this query's own included). */
async function acceptedLogins(): Promise<number[]> {
  const counts = [];
  for (const host of ['nfs', 'kvm1', 'kvm2']) {
    counts.push(Number((await sshToHost(host, sh`journalctl -q -o cat -u ssh.service | grep -c '^Accepted'`)).stdout.trim()));
  }
  return counts;
}

describe('arguments of the lab modules', () => {
  it('of the wrong type fail validation with positions, before any host is contacted', async () => {
    const before = await acceptedLogins();
    const playbook = join(work, 'wrong-types.yml');
    writeFileSync(playbook, PLAYBOOK);
    const applied = await runCli(['apply', playbook, '-i', sandboxInventoryPath()]);
    expect(applied.code).toBe(2);
    const output = `${applied.stdout}${applied.stderr}`;
    for (const problem of [
      /:6:24 RB_SCHEMA expected string or list, got integer 5/,
      /:6:34 RB_SCHEMA expected one of "present", "absent", "latest", "installed", "removed", got string "started"/,
      /:8:42 RB_SCHEMA expected boolean, got string "yes"/,
      /:10:25 RB_SCHEMA expected string or list, got integer 2049/,
      /:12:14 RB_SCHEMA missing required argument "src"/,
      /:14:74 RB_SCHEMA expected list, got string "rw"/,
      /:14:89 RB_ARGUMENTS mode: 755 is the decimal number 755, which Ansible would apply as mode 01363/,
      /:16:53 RB_SCHEMA expected one of "on", "off", got string "yes"/,
    ]) {
      expect(output).toMatch(problem);
    }
    expect(output).toContain('8 problems found; no host was contacted.');
    // Each host's sshd saw only the logins of these two counting queries.
    expect(await acceptedLogins()).toEqual(before.map((count) => count + 1));
  });
});
