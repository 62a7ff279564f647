import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';
import { sandboxHost } from '../../helpers/sandbox.js';

// ansible.cfg where Ansible finds it, with the real CLI and a real sandbox host: the inventory, the
// ssh user and key come from the file, as they would for ansible-playbook run in that directory.
const work = mkdtempSync(join(tmpdir(), 'runbook-ansible-cfg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const playbook = `- hosts: lab
  gather_facts: false
  tasks:
    - name: reach the host
      ansible.builtin.ping:
`;

describe('ansible.cfg in the working directory', () => {
  it('gives the inventory, remote_user and private_key_file; without it the same playbook has no such hosts', async () => {
    const kvm1 = sandboxHost('kvm1');
    // No ansible_user or key in the inventory: both must come from ansible.cfg.
    writeFileSync(
      join(work, 'hosts.ini'),
      `[lab]\nkvm1 ansible_host=${kvm1.address} ansible_port=${kvm1.port} runbook_known_hosts_file=${kvm1.knownHostsFile}\n`,
    );
    writeFileSync(join(work, 'ansible.cfg'), `[defaults]\ninventory = hosts.ini\nremote_user = ${kvm1.user}\nprivate_key_file = ${kvm1.privateKeyFile}\nretry_files_enabled = False\n`);
    writeFileSync(join(work, 'site.yml'), playbook);

    const applied = await runCli(['apply', 'site.yml', '--json', 'report.json'], { cwd: work, env: { HOME: work } });
    expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
    const report = JSON.parse(readFileSync(join(work, 'report.json'), 'utf8')) as { recap: Record<string, { ok: number }> };
    expect(report.recap.kvm1?.ok).toBe(1);

    const elsewhere = mkdtempSync(join(work, 'no-cfg-'));
    writeFileSync(join(elsewhere, 'site.yml'), playbook);
    const without = await runCli(['validate', 'site.yml'], { cwd: elsewhere, env: { HOME: elsewhere } });
    expect(without.stderr).toContain('hosts pattern "lab" matches no host: without an inventory only localhost exists');
  });

  it('a setting that would change what the playbook means stops the run before any host is contacted', async () => {
    const dir = mkdtempSync(join(work, 'merge-'));
    writeFileSync(join(dir, 'ansible.cfg'), '[defaults]\nhash_behaviour = merge\n');
    writeFileSync(join(dir, 'site.yml'), playbook.replace('hosts: lab', 'hosts: localhost'));
    const result = await runCli(['apply', 'site.yml'], { cwd: dir, env: { HOME: dir } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ansible.cfg:2:1 RB_ANSIBLE_CFG hash_behaviour = merge would change what playbooks mean');
    expect(result.stderr).toContain('no host was contacted');
  });
});
