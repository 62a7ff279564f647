import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GradeReport } from '../../../src/grade/types.js';
import type { JsonReport } from '../../../src/report/json.js';
import { sandboxUp } from '../../../src/sandbox/sandbox.js';
import { sh, type Command } from '../../../src/shell/command.js';
import { projectRoot, runCli, type CliResult } from '../../helpers/cli.js';
import { sandboxInventoryPath, sandboxLeaseToken, sshToHost } from '../../helpers/sandbox.js';

/**
 * Issue 12's acceptance on sandbox pods: the unchanged lab playbook converges three pods (each guest
 * migrating inside its own pod), re-runs with nothing changed, then pods are brought into different
 * states (complete, reset and stopped after the NFS play, a wrong export, unreachable) and graded.
 * The tests build on each other, in order, like an instructor's day.
 */

const LAB = 'playbooks/lab.yml';
const STEP_COUNT = 13;
const workdir = mkdtempSync(join(tmpdir(), 'runbook-classroom-'));
let inventory = '';
let reports = 0;

async function apply(playbook: string, ...options: string[]): Promise<{ cli: CliResult; report: JsonReport }> {
  const json = join(workdir, `apply-${(reports += 1)}.json`);
  const cli = await runCli(['apply', playbook, '-i', inventory, '--json', json, ...options]);
  return { cli, report: JSON.parse(readFileSync(json, 'utf8')) as JsonReport };
}

function total(report: JsonReport, count: 'changed' | 'failed' | 'unreachable'): number {
  return Object.values(report.recap).reduce((sum, host) => sum + host[count], 0);
}

async function run(host: string, command: Command): Promise<string> {
  const outcome = await sshToHost(host, command);
  expect(outcome.code, `${host}: ${command.render()}\n${outcome.stderr}`).toBe(0);
  return outcome.stdout;
}

async function domainState(host: string): Promise<string> {
  const outcome = await sshToHost(host, sh`virsh -c qemu:///system domstate --domain netguest`);
  if (outcome.code !== 0 && /failed to get domain/.test(outcome.stderr)) return 'undefined';
  expect(outcome.code, outcome.stderr).toBe(0);
  return outcome.stdout.trim();
}

/** What a pod's lab looks like from outside: where the guest runs, whether the share is mounted. */
async function labState(pod: string): Promise<{ kvm1: string; kvm2: string; mounted: boolean }> {
  const mounted = await sshToHost(`${pod}-kvm1`, sh`findmnt --mountpoint /var/lib/libvirt/images`);
  return { kvm1: await domainState(`${pod}-kvm1`), kvm2: await domainState(`${pod}-kvm2`), mounted: mounted.code === 0 };
}

/**
 * Everything grading could touch on a host, as text (a difference shows in the assertion): files'
 * times and sizes where the lab works, services and mounts, domains. Login sessions (ours included)
 * and the logs they write are left out: every ssh login makes them.
 */
async function hostFingerprint(host: string): Promise<string> {
  return run(
    host,
    sh`find /etc /var/lib/libvirt /var/lib/nfs /srv -xdev -printf '%p %T@ %s %m\n' 2>/dev/null | sort; systemctl list-units --all --no-legend --plain --type=service,socket,mount | grep -v -e '^user' -e '^session' | sort; findmnt -rn -o TARGET,SOURCE,FSTYPE,OPTIONS | sort; virsh -c qemu:///system list --all 2>/dev/null || true`,
  );
}

beforeAll(async () => {
  const up = await sandboxUp({ kind: 'lab', pods: 4 }, { leaseToken: sandboxLeaseToken() });
  inventory = up.inventoryFile;
  expect(sandboxInventoryPath()).toBe(inventory);
}, 600_000);

afterAll(() => rmSync(workdir, { recursive: true, force: true }));

describe('a class of pods', () => {
  const classPods = ['pod01', 'pod02', 'pod03'];

  it('the unchanged lab playbook converges three pods, each guest migrating inside its own pod', async () => {
    const first = await apply(LAB, '--limit', classPods.join(':'));
    expect(first.cli.code, `${first.cli.stdout}\n${first.cli.stderr}`).toBe(0);
    expect(total(first.report, 'failed')).toBe(0);
    // The recap groups hosts by pod.
    expect(first.cli.stdout).toMatch(/^pod02: ok$/m);
    expect(first.report.pods['pod03-kvm2']).toBe('pod03');
    for (const pod of classPods) {
      // As the classic lab shows it: the guest runs on the destination, its definition shut off on the source.
      expect(await labState(pod), pod).toEqual({ kvm1: 'shut off', kvm2: 'running', mounted: true });
      // Each pod's guest lives on its own pod's storage: its files exist on its own NFS server.
      await run(`${pod}-nfs`, sh`test -s /var/lib/libvirt/images/netguest.initrd`);
    }
    expect(Object.keys(first.report.recap).filter((host) => host.startsWith('pod04'))).toEqual([]);
  });

  it('a second apply changes nothing', async () => {
    const again = await apply(LAB, '--limit', classPods.join(':'));
    expect(again.cli.code, again.cli.stdout).toBe(0);
    expect(total(again.report, 'changed')).toBe(0);
  });

  it("reset --pod returns one pod to its start with the playbook's teardown, the others untouched", async () => {
    const before = await Promise.all(['pod01-kvm2', 'pod03-kvm2', 'pod03-nfs'].map(hostFingerprint));
    const reset = await runCli(['reset', LAB, '-i', inventory, '--pod', 'pod02']);
    expect(reset.code, `${reset.stdout}\n${reset.stderr}`).toBe(0);
    expect(await labState('pod02')).toEqual({ kvm1: 'undefined', kvm2: 'undefined', mounted: false });
    expect(await Promise.all(['pod01-kvm2', 'pod03-kvm2', 'pod03-nfs'].map(hostFingerprint))).toEqual(before);
    expect(await labState('pod01')).toEqual({ kvm1: 'shut off', kvm2: 'running', mounted: true });
  });

  it('apply --pod --up-to brings one pod to the end of a step and stops there', async () => {
    const upTo = await apply(LAB, '--pod', 'pod02', '--up-to', 'Firewall open for NFS (where firewalld runs)');
    expect(upTo.cli.code, upTo.cli.stdout).toBe(0);
    expect(Object.keys(upTo.report.recap).sort()).toEqual(['pod02-kvm1', 'pod02-kvm2', 'pod02-nfs']);
    expect(upTo.report.plays.map((play) => play.name)).toEqual(['Lab packages, on every lab host at once', 'NFS server']);
    const unknown = await runCli(['apply', LAB, '-i', inventory, '--pod', 'pod02', '--up-to', '99']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no step "99"');
  });

  it('pods brought into other states: a wrong export on pod03, pod04 unreachable', async () => {
    const wrongExport = join(workdir, 'wrong-export.yml');
    writeFileSync(
      wrongExport,
      [
        '- name: A student exports to the wrong network',
        '  hosts: nfs_server',
        '  tasks:',
        '    - name: wrong export',
        '      nfs_export: { path: /var/lib/libvirt/images, clients: "192.0.2.0/24(rw,no_root_squash)", backend: ganesha, mode: "0711" }',
        '',
      ].join('\n'),
    );
    expect((await apply(wrongExport, '--pod', 'pod03')).cli.code).toBe(0);
    for (const host of ['pod04-nfs', 'pod04-kvm1', 'pod04-kvm2']) await run(host, sh`systemctl stop ssh.socket ssh.service`);
  });
});

describe('grading the class', () => {
  let graded: { cli: CliResult; report: GradeReport; csv: string; junit: string; html: string };
  let fingerprints: string[];

  beforeAll(async () => {
    fingerprints = await Promise.all(['pod02-nfs', 'pod02-kvm1', 'pod03-nfs'].map(hostFingerprint));
    const files = { json: join(workdir, 'grade.json'), csv: join(workdir, 'grade.csv'), junit: join(workdir, 'grade.xml'), html: join(workdir, 'grade.html') };
    const cli = await runCli(['grade', LAB, '-i', inventory, '--connect-timeout', '5', ...Object.entries(files).flatMap(([kind, file]) => [`--${kind}`, file])]);
    // Kept for people: the terminal matrix of a real class, beside the page's screenshot.
    mkdirSync(join(projectRoot, 'test-artifacts'), { recursive: true });
    writeFileSync(join(projectRoot, 'test-artifacts', 'classroom-grade.txt'), cli.stdout);
    graded = {
      cli,
      report: JSON.parse(readFileSync(files.json, 'utf8')) as GradeReport,
      csv: readFileSync(files.csv, 'utf8'),
      junit: readFileSync(files.junit, 'utf8'),
      html: readFileSync(files.html, 'utf8'),
    };
  }, 300_000);

  it('gives exactly the expected matrix', () => {
    const states = Object.fromEntries(graded.report.pods.map((pod) => [pod.pod, pod.cells.map((cell) => cell.state).join(' ')]));
    expect(graded.report.steps.map((step) => step.name)).toHaveLength(STEP_COUNT);
    expect(states).toEqual({
      // packages, export, rpcbind, NFS server, NFS firewall, mount, libvirtd, bridge, SELinux, migration firewall, image, guest, migration
      pod01: 'done done done done na done done done na na done done done',
      // pod02's bridge stays from its first apply: the teardown removes the guest, mount and export, not br0.
      pod02: 'done done done done na todo done done na na todo todo todo',
      pod03: 'done todo done done na done done done na na done done done',
      pod04: Array(STEP_COUNT).fill('unreachable').join(' '),
    });
    expect(graded.report.pods.map((pod) => [pod.pod, pod.stuckAt ?? null])).toEqual([
      ['pod01', null],
      ['pod02', 6],
      ['pod03', 2],
      ['pod04', 1],
    ]);
    expect(graded.report.pods[2]!.cells[1]!.detail).toBe('nfs: would export /var/lib/libvirt/images (ganesha)');
  });

  it('groups the same problem once, and exits 1 because not every pod is complete', () => {
    expect(graded.cli.code, graded.cli.stderr).toBe(1);
    const unreachable = graded.report.groups.filter((group) => group.state === 'unreachable');
    expect(unreachable).toEqual([expect.objectContaining({ step: 1, pods: ['pod04'] })]);
    expect(graded.cli.stdout).toContain('1 of 4 pods complete');
  });

  it('JSON, CSV and JUnit hold the same facts', () => {
    const rows = graded.csv.trim().split(/\r?\n/).slice(1).map((line) => line.split(','));
    for (const [index, pod] of graded.report.pods.entries()) {
      const row = rows[index]!;
      expect(row[0]).toBe(pod.pod);
      expect(row.slice(1, 1 + STEP_COUNT)).toEqual(pod.cells.map((cell) => cell.state));
    }
    expect(graded.junit.match(/<testsuite /g)).toHaveLength(4);
    const failures = graded.report.pods.map((pod) => pod.cells.filter((cell) => cell.state === 'todo').length);
    for (const [index, pod] of graded.report.pods.entries()) {
      expect(graded.junit).toMatch(new RegExp(`<testsuite name="${pod.pod}"[^>]* failures="${failures[index]}"`));
    }
  });

  it('changed nothing on any host (check mode)', async () => {
    expect(await Promise.all(['pod02-nfs', 'pod02-kvm1', 'pod03-nfs'].map(hostFingerprint))).toEqual(fingerprints);
  });

  it('the HTML report renders the same matrix in a real browser', async () => {
    const { readRenderedMatrix } = await import('../../helpers/browser.js');
    const file = join(workdir, 'grade.html');
    const matrix = await readRenderedMatrix(file, join(projectRoot, 'test-artifacts', 'classroom-grade.png'));
    expect(matrix).toEqual(Object.fromEntries(graded.report.pods.map((pod) => [pod.pod, pod.cells.map((cell) => cell.state)])));
  });

  it("the student's view shows the pod's steps and the hint for the step it is stuck at", async () => {
    const view = await runCli(['grade', LAB, '-i', inventory, '--pod', 'pod02']);
    expect(view.code).toBe(1);
    expect(view.stdout).toContain('`mount -a` on the KVM host shows the error');
    expect(view.stdout).not.toContain('`exportfs -v` shows what is really exported');
  });
});

describe('watching the class', () => {
  it('grades every few seconds, reports a pod that reached a step, keeps the history, and ends on Ctrl-C', async () => {
    const html = join(workdir, 'watch.html');
    const child = spawn(process.execPath, [`${projectRoot}/bin/runbook.js`, 'grade', LAB, '-i', inventory, '--limit', 'pod03', '--watch', '2', '--html', html], {
      cwd: projectRoot,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const waitFor = async (text: string): Promise<void> => {
      for (let attempt = 0; attempt < 120 && !stdout.includes(text); attempt += 1) await new Promise((done) => setTimeout(done, 500));
      expect(stdout).toContain(text);
    };
    await waitFor('0 of 1 pod complete');
    // The student fixes the export.
    expect((await apply(LAB, '--pod', 'pod03')).cli.code).toBe(0);
    await waitFor('pod03: step 2');
    expect(stdout).toMatch(/pod03: step 2 .* now done/);
    await waitFor('1 of 1 pod complete');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const history = JSON.parse(readFileSync(`${html}.history.json`, 'utf8')) as { pods: Record<string, { reached: Record<string, string> }> };
    expect(Object.keys(history.pods.pod03!.reached)).toHaveLength(10);
  });
});
