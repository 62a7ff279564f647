import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskResult } from '../../../src/engine/events.js';
import type { JsonReport } from '../../../src/report/json.js';
import { sandboxUp } from '../../../src/sandbox/sandbox.js';
import { sh, type Command } from '../../../src/shell/command.js';
import { runCli, type CliResult } from '../../helpers/cli.js';
import { sandboxInventoryPath, sandboxLeaseToken, sshToHost } from '../../helpers/sandbox.js';

/**
 * Issues 5 and 15, end to end on the lab sandbox: playbooks/lab.yml builds the whole lab on fresh
 * hosts (the KVM hosts' eth0 in bridge br0) and live-migrates its networked guest; everything is then
 * checked independently over ssh: the guest answers at its address, runs on the destination and is
 * shut off on the source, and its disk log has no gap or repeat. The tests run in order and build on
 * each other, like a student working through the lab.
 */

const IMAGES = '/var/lib/libvirt/images';
const GUEST = 'netguest';
const GUEST_ADDRESS = '10.77.0.16';
const GUEST_LOG = `${IMAGES}/netguest-log.img`;
const MIGRATION = 'Guest migrated live, checked before and after';
const workdir = mkdtempSync(join(tmpdir(), 'runbook-lab-'));
let reports = 0;

interface Applied {
  cli: CliResult;
  report: JsonReport;
}

async function apply(playbook: string, ...options: string[]): Promise<Applied> {
  const json = join(workdir, `report-${(reports += 1)}.json`);
  const cli = await runCli(['apply', playbook, '-i', sandboxInventoryPath(), '--json', json, ...options]);
  const report = JSON.parse(readFileSync(json, 'utf8')) as JsonReport;
  return { cli, report };
}

function total(report: JsonReport, count: 'changed' | 'failed' | 'unreachable'): number {
  return Object.values(report.recap).reduce((sum, host) => sum + host[count], 0);
}

function result(report: JsonReport, task: string, host: string): TaskResult {
  const found = report.plays.flatMap((play) => play.tasks).find((candidate) => candidate.name === task)?.results[host];
  if (!found) throw new Error(`no result for task "${task}" on ${host}`);
  return found;
}

function converged(applied: Applied): void {
  expect(applied.cli.code, `${applied.cli.stdout}\n${applied.cli.stderr}`).toBe(0);
  expect(total(applied.report, 'failed')).toBe(0);
  expect(total(applied.report, 'unreachable')).toBe(0);
}

async function run(host: string, command: Command): Promise<string> {
  const outcome = await sshToHost(host, command);
  expect(outcome.code, `${host}: ${command.render()}\n${outcome.stderr}`).toBe(0);
  return outcome.stdout;
}

/** What libvirt on `host` says about a domain: its state, or "undefined". */
async function domainState(host: string, domain: string): Promise<string> {
  const outcome = await sshToHost(host, sh`virsh -c qemu:///system domstate --domain ${domain}`);
  if (outcome.code !== 0 && /failed to get domain/.test(outcome.stderr)) return 'undefined';
  expect(outcome.code, outcome.stderr).toBe(0);
  return outcome.stdout.trim();
}

/** The guest's disk log, read from the shared storage: its line numbers, in order. */
async function guestLog(host: string): Promise<number[]> {
  const text = await run(host, sh`tr -d ${String.raw`\000`} < ${GUEST_LOG}`);
  return text.split('\n').filter((line) => line.trim() !== '').map(Number);
}

/** The log is 1..N without a gap or a repeat, and the guest is still writing it (fsync'ed lines). */
async function expectLogContinuous(host: string): Promise<number> {
  const first = await guestLog(host);
  expect(first.length).toBeGreaterThan(5);
  expect(first).toEqual(first.map((_, index) => index + 1));
  let later = first;
  for (let attempt = 0; attempt < 30 && later.length <= first.length; attempt += 1) {
    await new Promise((done) => setTimeout(done, 500));
    later = await guestLog(host);
  }
  expect(later.length).toBeGreaterThan(first.length);
  expect(later).toEqual(later.map((_, index) => index + 1));
  return later.length;
}

/** The guest answers ping at its address, from `host`. */
async function expectAnswers(host: string): Promise<void> {
  const pinged = await sshToHost(host, sh`ping -n -c 3 -i 0.2 -W 2 ${GUEST_ADDRESS}`);
  expect(pinged.code, pinged.stdout + pinged.stderr).toBe(0);
}

beforeAll(async () => {
  // Fresh hosts: the lab starts from machines that have never seen it (other files share this sandbox).
  await sandboxUp({ kind: 'lab' }, { leaseToken: sandboxLeaseToken() });
}, 600_000);

afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('the lab on the sandbox, end to end', () => {
  let fstabBefore: Record<string, string> = {};

  it('--check on fresh hosts reports what it would do and changes nothing', async () => {
    fstabBefore = { kvm1: await run('kvm1', sh`cat /etc/fstab`), kvm2: await run('kvm2', sh`cat /etc/fstab`) };
    const checked = await apply('playbooks/lab.yml', '--check');
    converged(checked);
    expect(result(checked.report, 'NFS server packages on the server, NFS client, libvirt and qemu on the KVM hosts', 'kvm1').status).toBe('changed');
    expect(result(checked.report, 'The lab interface in bridge br0, its address moved onto the bridge', 'kvm1').status).toBe('changed');
    for (const host of ['kvm1', 'kvm2']) {
      expect((await sshToHost(host, sh`command -v virsh`)).code).not.toBe(0);
      expect(await run(host, sh`ip -o link show dev eth0`)).not.toContain('master');
      expect(await run(host, sh`cat /etc/fstab`)).toBe(fstabBefore[host]);
    }
  });

  it('lab.yml converges: NFS server, KVM hosts, the guest on kvm1, migrated live to kvm2', async () => {
    const applied = await apply('playbooks/lab.yml');
    converged(applied);
    const migration = result(applied.report, MIGRATION, 'kvm1');
    expect(migration.status).toBe('changed');
    expect(migration.message).toMatch(
      /^migrated netguest from kvm1 to kvm2 \(live\) in \d+\.\d s, downtime \d+ ms \(libvirt\), \d+ ms measured by ping from nfs \(every 20 ms\), answers at 10\.77\.0\.16 on kvm2; kvm1: shut off$/,
    );
    // The guest's own boot time under software emulation, from its serial log on kvm1.
    const booted = await run('kvm1', sh`grep -a 'runbook guest: up' /var/log/libvirt/qemu/netguest-serial.log`);
    expect(booted).toMatch(/runbook guest: up, eth0 10\.77\.0\.16\/24, uptime \d+\.\d+ s/);
    console.log(`lab: ${migration.message}\n${booted}`);
    // The first apply installs packages on all three hosts: allow for a busy machine.
  }, 900_000);

  it('serves the export over NFS to the lab network (the image read with libnfs from a KVM host)', async () => {
    // Read by name: ganesha may list the directory from its cache, which files written next to it
    // (the sandbox binds the same storage on the KVM hosts) do not refresh.
    const signature = await run('kvm1', sh`nfs-cat ${`nfs://nfs${IMAGES}/netguest.initrd`} | head -c 6`);
    expect(signature).toBe('070701');
  });

  it('runs rpcbind and the NFS server (nfs-ganesha in the sandbox), active and enabled', async () => {
    expect(await run('nfs', sh`systemctl is-active rpcbind nfs-ganesha`)).toBe('active\nactive\n');
    expect(await run('nfs', sh`systemctl is-enabled rpcbind nfs-ganesha`)).toBe('enabled\nenabled\n');
    expect(await run('nfs', sh`stat -c %a ${IMAGES}`)).toBe('711\n');
  });

  it('mounts the export at the same path on both KVM hosts, with an fstab entry', async () => {
    for (const host of ['kvm1', 'kvm2']) {
      expect(await run(host, sh`awk '$2 == "/var/lib/libvirt/images" { print $1, $3 }' /etc/fstab`)).toBe(`10.77.0.15:${IMAGES} nfs\n`);
      // The sandbox's mount.nfs binds the shared storage after proving the export is served: ext4, not nfs.
      expect(await run(host, sh`findmnt -n -o TARGET ${IMAGES}`)).toBe(`${IMAGES}\n`);
      expect(await run(host, sh`ls ${IMAGES}`)).toContain('netguest.initrd');
    }
  });

  it("puts each KVM host's eth0 in br0, which holds the host's address", async () => {
    for (const [host, address] of [['kvm1', '10.77.0.13'], ['kvm2', '10.77.0.14']] as const) {
      expect(await run(host, sh`ip -o link show dev eth0`)).toContain('master br0');
      expect(await run(host, sh`ip -o -4 address show dev br0`)).toContain(`inet ${address}/24`);
      expect(await run(host, sh`ip -o -4 address show dev eth0`)).toBe('');
      expect(await run(host, sh`cat /etc/systemd/network/10-runbook-br0.network`)).toContain(`Address=${address}/24`);
    }
  });

  it('runs the guest on kvm2, shut off on kvm1, answering at the same address, its disk log continuous', async () => {
    expect(await domainState('kvm2', GUEST)).toBe('running');
    expect(await domainState('kvm1', GUEST)).toBe('shut off');
    expect(await run('kvm2', sh`virsh -c qemu:///system domiflist --domain ${GUEST}`)).toMatch(/bridge\s+br0\s+virtio/);
    await expectAnswers('nfs');
    await expectAnswers('kvm1');
    await expectLogContinuous('nfs');
    // No pre-check leftovers beside the image.
    expect(await run('kvm2', sh`ls -A ${IMAGES}`)).not.toContain('nonce');
  });

  it('changes nothing on a second apply', async () => {
    const again = await apply('playbooks/lab.yml');
    converged(again);
    expect(total(again.report, 'changed'), again.cli.stdout).toBe(0);
    expect(result(again.report, MIGRATION, 'kvm1').message).toBe('netguest already runs on kvm2 and not on kvm1');
    expect(result(again.report, 'Guest defined and running, disk cache none', 'kvm1').message).toMatch(/runs on kvm2 \(a peer/);
  });

  it('migrates the guest back to kvm1 with -e migration_dest=kvm1', async () => {
    const back = await apply('playbooks/lab.yml', '-e', 'migration_dest=kvm1');
    converged(back);
    expect(result(back.report, MIGRATION, 'kvm2').message).toMatch(/^migrated netguest from kvm2 to kvm1 \(live\) .* ms measured by ping from nfs .*; kvm2: shut off$/);
    expect(await domainState('kvm1', GUEST)).toBe('running');
    expect(await domainState('kvm2', GUEST)).toBe('shut off');
    await expectAnswers('nfs');
    await expectLogContinuous('kvm1');
  });

  it('moves the guest offline with offline-migration.yml (shut down, defined and started on kvm2)', async () => {
    const moved = await apply('playbooks/offline-migration.yml');
    converged(moved);
    expect(result(moved.report, 'Guest moved offline', 'kvm1').message).toMatch(/^migrated netguest from kvm1 to kvm2 \(offline\)/);
    expect(await domainState('kvm2', GUEST)).toBe('running');
    expect(await domainState('kvm1', GUEST)).toBe('undefined');
    // A cold boot on kvm2: the guest goes on after the last line its log holds.
    await expectLogContinuous('kvm2');
    const again = await apply('playbooks/offline-migration.yml');
    converged(again);
    expect(total(again.report, 'changed')).toBe(0);
  });

  describe('a migration the pre-checks refuse leaves the guest running on the source', () => {
    async function refused(guest: string, disk: string, extra: string[], check: string): Promise<TaskResult> {
      const attempt = await apply('test/integration/lab/second-guest.yml', '-e', `guest_name=${guest}`, '-e', `guest_disk=${disk}`, ...extra);
      expect(attempt.cli.code).not.toBe(0);
      const migration = result(attempt.report, 'Guest migrated to kvm2', 'kvm1');
      expect(migration.status).toBe('failed');
      expect(migration.message).toContain(`pre-check ${check} failed`);
      expect(await domainState('kvm1', guest)).toBe('running');
      expect(await domainState('kvm2', guest)).toBe('undefined');
      return migration;
    }

    async function remove(guest: string): Promise<void> {
      await run('kvm1', sh`virsh -c qemu:///system destroy --domain ${guest} && virsh -c qemu:///system undefine --domain ${guest}`);
    }

    it('a disk kvm2 does not have: disk-visible', async () => {
      const migration = await refused('local-disk', '/var/lib/libvirt/local/local-disk.img', [], 'disk-visible');
      expect(migration.message).toContain('/var/lib/libvirt/local/local-disk.img (vda) does not exist on kvm2');
      await remove('local-disk');
    });

    it('a disk at the same path on kvm2 that is another file: shared-storage, proven with a nonce', async () => {
      const disk = '/var/lib/libvirt/local/lookalike.img';
      await run('kvm2', sh`mkdir -p /var/lib/libvirt/local && truncate -s 1M ${disk}`);
      const migration = await refused('lookalike', disk, [], 'shared-storage');
      expect(migration.message).toContain(`${disk} on kvm1 is not the file kvm2 sees at that path`);
      for (const host of ['kvm1', 'kvm2']) expect(await run(host, sh`ls -A /var/lib/libvirt/local`)).not.toContain('nonce');
      await remove('lookalike');
    });

    it('a migration over its timeout is aborted on the source, where the guest keeps running', async () => {
      const disk = `${IMAGES}/slow.img`;
      // 2 GiB of guest memory at 1 MiB/s: even as zero pages (a few bytes each) that outlasts 1 s,
      // where the 64 MiB guest could finish inside the limit on a quiet machine.
      const limits = JSON.stringify({ migration_timeout: 1, migration_bandwidth: 1, guest_memory_mib: 2048 });
      const attempt = await apply('test/integration/lab/second-guest.yml', '-e', 'guest_name=slow', '-e', `guest_disk=${disk}`, '-e', limits);
      expect(attempt.cli.code).not.toBe(0);
      const migration = result(attempt.report, 'Guest migrated to kvm2', 'kvm1');
      expect(migration.status).toBe('failed');
      expect(migration.message).toContain('no migration within 1 s: aborted, slow keeps running on kvm1');
      expect(await domainState('kvm1', 'slow')).toBe('running');
      expect(await domainState('kvm2', 'slow')).toBe('undefined');
      await remove('slow');
      await run('kvm1', sh`rm -f ${disk}`);
    });

    it('a disk with cache=writeback on the shared storage: disk-cache', async () => {
      const migration = await refused('writeback', `${IMAGES}/writeback.img`, ['-e', 'guest_cache=writeback'], 'disk-cache');
      expect(migration.message).toContain('uses cache=writeback');
      await remove('writeback');
      await run('kvm1', sh`rm -f ${`${IMAGES}/writeback.img`}`);
    });
  });

  it('moves a guest offline and copies the disk kvm2 does not have', async () => {
    const disk = '/var/lib/libvirt/local/copied.img';
    const moved = await apply('test/integration/lab/second-guest.yml', '-e', 'guest_name=copied', '-e', `guest_disk=${disk}`, '-e', 'migration_mode=offline');
    converged(moved);
    expect(result(moved.report, 'Guest migrated to kvm2', 'kvm1').message).toMatch(/^migrated copied from kvm1 to kvm2 \(offline\)/);
    expect(await domainState('kvm2', 'copied')).toBe('running');
    expect(await domainState('kvm1', 'copied')).toBe('undefined');
    // The copy is the same image, boot sector and size, written sparse.
    const imageFacts = sh`head -c 512 ${disk} | sha256sum; stat -c %s ${disk}`;
    expect(await run('kvm2', imageFacts)).toBe(await run('kvm1', imageFacts));
    await run('kvm2', sh`virsh -c qemu:///system destroy --domain copied && virsh -c qemu:///system undefine --domain copied && rm -rf /var/lib/libvirt/local`);
    await run('kvm1', sh`rm -rf /var/lib/libvirt/local`);
  });

  it('teardown.yml returns the hosts to the start: no guest, no mount, no fstab entry, no export', async () => {
    const down = await apply('playbooks/teardown.yml');
    converged(down);
    for (const host of ['kvm1', 'kvm2']) {
      expect(await run(host, sh`virsh -c qemu:///system list --all --name`)).not.toContain(GUEST);
      expect(await run(host, sh`cat /etc/fstab`)).toBe(fstabBefore[host]);
      expect((await sshToHost(host, sh`mountpoint -q ${IMAGES}`)).code).not.toBe(0);
    }
    for (const file of ['netguest-log.img', 'netguest.vmlinuz', 'netguest.initrd']) expect((await sshToHost('nfs', sh`test -e ${`${IMAGES}/${file}`}`)).code).not.toBe(0);
    expect(await run('nfs', sh`cat /etc/ganesha/ganesha.conf`)).not.toContain(IMAGES);
    expect((await sshToHost('kvm1', sh`nfs-ls ${`nfs://nfs${IMAGES}`}`)).code).not.toBe(0);
    const again = await apply('playbooks/teardown.yml');
    converged(again);
    expect(total(again.report, 'changed')).toBe(0);
  });
});
