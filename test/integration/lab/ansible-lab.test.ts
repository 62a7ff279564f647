import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JsonReport } from '../../../src/report/json.js';
import { sh } from '../../../src/shell/command.js';
import { projectRoot, runCli, type CliResult } from '../../helpers/cli.js';
import { sandboxInventoryPath, sshToHost } from '../../helpers/sandbox.js';

/**
 * The lab written as Ansible users write it (playbooks/ansible-lab: roles with defaults, templates,
 * handlers and meta dependencies, FQCN modules, pre_tasks, flush_handlers, delegate_to, block/rescue,
 * include_tasks with a loop, community.libvirt.virt, lookup('template')) on fresh sandbox hosts:
 * it converges, re-runs with nothing changed, and --check changes nothing. Checked over ssh.
 */
const SITE = join(projectRoot, 'playbooks', 'ansible-lab', 'site.yml');
const IMAGES = '/var/lib/libvirt/images';
const workdir = mkdtempSync(join(tmpdir(), 'runbook-ansible-lab-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));
let reports = 0;

async function apply(...options: string[]): Promise<{ cli: CliResult; report: JsonReport }> {
  const json = join(workdir, `report-${(reports += 1)}.json`);
  const cli = await runCli(['apply', SITE, '-i', sandboxInventoryPath(), '--json', json, ...options]);
  expect(cli.code, `${cli.stdout}\n${cli.stderr}`).toBe(0);
  return { cli, report: JSON.parse(readFileSync(json, 'utf8')) as JsonReport };
}

const changed = (report: JsonReport) => Object.values(report.recap).reduce((sum, host) => sum + host.changed, 0);

async function domainState(host: string): Promise<string> {
  const outcome = await sshToHost(host, sh`virsh -c qemu:///system domstate --domain tiny`);
  return outcome.code === 0 ? outcome.stdout.trim() : 'undefined';
}

describe('the lab in Ansible style', () => {
  it('converges: the export mounted on both KVM hosts, the guest migrated to kvm2', async () => {
    const first = await apply();
    expect(changed(first.report)).toBeGreaterThan(10);
    for (const host of ['kvm1', 'kvm2']) {
      const fstab = await sshToHost(host, sh`awk '$2 == "/var/lib/libvirt/images" { print $3 }' /etc/fstab`);
      expect(fstab.stdout).toBe('nfs\n');
      // The sandbox's mount.nfs binds the shared storage after proving the export is served.
      expect((await sshToHost(host, sh`findmnt -n -o TARGET ${IMAGES}`)).stdout).toBe(`${IMAGES}\n`);
    }
    expect(await domainState('kvm2')).toBe('running');
    expect(await domainState('kvm1')).not.toBe('running');
    const xml = await sshToHost('kvm2', sh`virsh -c qemu:///system dumpxml tiny`);
    expect(xml.stdout).toContain("cache='none'");
  });

  it('a second apply changes nothing, and --check changes nothing', async () => {
    const again = await apply();
    expect(changed(again.report), again.cli.stdout).toBe(0);
    const check = await apply('--check');
    expect(changed(check.report), check.cli.stdout).toBe(0);
    expect(await domainState('kvm2')).toBe('running');
  });
});
