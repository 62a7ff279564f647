import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateModule, parsePingCapture } from '../../../../src/modules/migrate.js';
import type { ChangePlan, FailPlan, ProbeResults } from '../../../../src/modules/types.js';
import type { MigrateArgs } from '../../../../src/schema/generated/migrate.js';
import { sh } from '../../../../src/shell/command.js';
import { runShell } from '../../../helpers/local-shell.js';
import {
  CPU_INCOMPATIBLE,
  CPU_SUPERSET,
  IMAGE,
  JOBINFO,
  LIBVIRT_DOWN,
  NODEMEMSTATS,
  NOT_DEFINED,
  RESOLVES,
  domainXml,
  dominfo,
} from './fixtures.js';
import { context, failed, ok, planWith, type Planned } from './harness.js';

const LIVE: MigrateArgs = { domain: 'tiny', dest: 'kvm2' };
const DISK_PROBE = `destination disk ${IMAGE}`;

/** The probe answers of a healthy lab: tiny running on kvm1, kvm2 ready, the image shared. */
function lab(overrides: ProbeResults = {}): ProbeResults {
  return {
    'source domain': dominfo('running'),
    'source definition': ok(domainXml()),
    'destination address': RESOLVES,
    'destination domain': NOT_DEFINED,
    'destination memory': NODEMEMSTATS,
    [DISK_PROBE]: ok(),
    'destination cpu': CPU_SUPERSET,
    ...overrides,
  };
}

function plan(args: MigrateArgs, answers: ProbeResults, check = false): Planned {
  return planWith(migrateModule, args, context({ check }), answers);
}

function change(planned: Planned): ChangePlan {
  expect(planned.plan.kind, planned.plan.kind === 'fail' ? planned.plan.message : '').toBe('change');
  return planned.plan as ChangePlan;
}

function refusal(planned: Planned): FailPlan {
  expect(planned.plan.kind).toBe('fail');
  return planned.plan as FailPlan;
}

describe('migrate: where the domain runs decides', () => {
  it('is ok, with the reason, when the domain already runs on the destination and not here', () => {
    const planned = plan(LIVE, lab({ 'source domain': NOT_DEFINED, 'destination domain': dominfo('running') }));
    expect(planned.plan).toMatchObject({ kind: 'noop', reason: 'tiny already runs on kvm2 and not on kvm1' });
  });

  it('is ok when the source keeps an inactive definition (undefine_source: false)', () => {
    const planned = plan(LIVE, lab({ 'source domain': dominfo('shut off'), 'destination domain': dominfo('running') }));
    expect(planned.plan.kind).toBe('noop');
  });

  it('fails loudly when the domain runs on both hosts', () => {
    const planned = plan(LIVE, lab({ 'destination domain': dominfo('running') }));
    expect(refusal(planned).message).toMatch(/tiny runs on both kvm1 and kvm2: refusing to guess/);
  });

  it('fails loudly when the domain runs on neither host, saying what each has', () => {
    expect(refusal(plan(LIVE, lab({ 'source domain': NOT_DEFINED }))).message).toBe(
      'tiny runs neither on kvm1 nor on kvm2 (not defined on either): refusing to guess where it belongs',
    );
    expect(refusal(plan(LIVE, lab({ 'source domain': dominfo('shut off') }))).message).toMatch(
      /runs neither on kvm1 nor on kvm2 \(defined but shut off on kvm1\)/,
    );
  });

  it('reads the destination on the destination host', () => {
    const planned = plan(LIVE, lab());
    expect(planned.asked['destination domain']).toEqual({ host: 'kvm2', command: 'virsh -c qemu:///system dominfo --domain tiny' });
    expect(planned.asked['destination memory']?.host).toBe('kvm2');
    expect(planned.asked[DISK_PROBE]).toEqual({ host: 'kvm2', command: `test -e ${IMAGE}` });
    expect(planned.asked['source domain']?.host).toBe('kvm1');
    expect(planned.asked['destination address']).toEqual({ host: 'kvm1', command: 'getent ahosts -- kvm2' });
    // Disks and CPU come from the domain's XML: a second round.
    expect(planned.rounds).toBe(2);
  });

  it('refuses an unknown destination or the host itself before probing it', () => {
    expect(refusal(plan({ domain: 'tiny', dest: 'kvm9' }, lab())).message).toBe('migrate: the destination kvm9 is not a host of the inventory');
    expect(refusal(plan({ domain: 'tiny', dest: 'kvm1' }, lab())).message).toBe('migrate: the destination kvm1 is the host the task runs on');
    expect(migrateModule.probe!({ domain: 'tiny', dest: 'kvm9' }, context())).not.toHaveProperty(['destination domain']);
  });
});

describe('migrate: named pre-checks refuse before anything moves', () => {
  it('source-domain and destination-libvirt: libvirt not answering', () => {
    expect(refusal(plan(LIVE, lab({ 'source domain': LIBVIRT_DOWN }))).message).toMatch(
      /^pre-check source-domain failed: libvirt on kvm1 does not answer: error: failed to connect to the hypervisor/,
    );
    expect(refusal(plan(LIVE, lab({ 'destination domain': LIBVIRT_DOWN }))).message).toMatch(/^pre-check destination-libvirt failed: libvirt on kvm2/);
  });

  it('no-conflict: another domain of that name on the destination', () => {
    const planned = plan(LIVE, lab({ 'destination domain': dominfo('shut off', { uuid: '11111111-2222-3333-4444-555555555555' }) }));
    expect(refusal(planned).message).toMatch(/^pre-check no-conflict failed: kvm2 has another domain named tiny \(uuid 1111/);
  });

  it('accepts an inactive definition of the same domain on the destination', () => {
    const planned = plan(LIVE, lab({ 'destination domain': dominfo('shut off') }));
    expect(change(planned).result?.checks).toContainEqual(expect.objectContaining({ name: 'no-conflict', verdict: 'passed' }));
  });

  it('disk-visible: a disk that is not on shared storage', () => {
    const planned = plan(LIVE, lab({ [DISK_PROBE]: failed('', 1) }));
    const message = refusal(planned).message;
    expect(message).toMatch(/^pre-check disk-visible failed: \/var\/lib\/libvirt\/images\/tiny.img \(vda\) does not exist on kvm2/);
    expect(planned.plan.result?.checks).toContainEqual(expect.objectContaining({ name: 'disk-visible', verdict: 'failed' }));
  });

  it('disk-cache: cache=writeback is refused unless unsafe', () => {
    const writeback = lab({ 'source definition': ok(domainXml({ cache: 'writeback' })) });
    expect(refusal(plan(LIVE, writeback)).message).toBe(
      `pre-check disk-cache failed: vda (${IMAGE}) uses cache=writeback: live migration over shared storage needs cache none or directsync, or unsafe: true`,
    );
    const unsafe = change(plan({ ...LIVE, unsafe: true }, writeback));
    expect(unsafe.steps.find((step) => step.title.startsWith('migrate'))?.command.render()).toContain(' --unsafe ');
    expect(unsafe.result?.checks).toContainEqual(expect.objectContaining({ name: 'disk-cache', verdict: 'skipped' }));
  });

  it('disk-cache: no cache attribute means the hypervisor default, writeback', () => {
    const planned = plan(LIVE, lab({ 'source definition': ok(domainXml({ cache: null })) }));
    expect(refusal(planned).message).toMatch(/uses cache=default \(writeback\)/);
  });

  it('reports every failed check, each by name', () => {
    const planned = plan(LIVE, lab({ 'source definition': ok(domainXml({ cache: 'writeback' })), [DISK_PROBE]: failed('') }));
    const lines = refusal(planned).message.split('\n');
    expect(lines.map((line) => /^pre-check (\S+) failed/.exec(line)?.[1])).toEqual(['disk-visible', 'disk-cache']);
  });

  it('destination-address: the name must resolve from the source, and not to loopback', () => {
    expect(refusal(plan(LIVE, lab({ 'destination address': failed('', 2) }))).message).toBe(
      'pre-check destination-address failed: kvm2 does not resolve on kvm1',
    );
    const loopback = lab({ 'destination address': ok('127.0.1.1       STREAM kvm2\n127.0.1.1       DGRAM\n') });
    expect(refusal(plan(LIVE, loopback)).message).toMatch(/kvm2 resolves to loopback 127\.0\.1\.1 on kvm1/);
  });

  it('destination-address checks the host named by dest_uri', () => {
    const planned = plan({ ...LIVE, dest_uri: 'qemu+ssh://root@kvm2.lab/system' }, lab());
    expect(planned.asked['destination address']?.command).toBe('getent ahosts -- kvm2.lab');
    expect(change(planned).steps.find((step) => step.title.startsWith('migrate'))?.command.render()).toContain(
      '--desturi qemu+ssh://root@kvm2.lab/system',
    );
  });

  it('cpu-compatible: asks the destination to compare the domain CPU, with the domain type', () => {
    const planned = plan(LIVE, lab());
    expect(planned.asked['destination cpu']?.host).toBe('kvm2');
    expect(planned.asked['destination cpu']?.command).toContain(
      'virsh -c qemu:///system hypervisor-cpu-compare --file /dev/stdin --virttype qemu --arch x86_64 --machine pc-i440fx-7.2',
    );
    expect(refusal(plan(LIVE, lab({ 'destination cpu': CPU_INCOMPATIBLE }))).message).toBe(
      "pre-check cpu-compatible failed: kvm2 cannot provide the domain's CPU: CPU described in /dev/stdin is incompatible with the CPU provided by hypervisor on the host",
    );
    expect(change(plan(LIVE, lab())).result?.checks).toContainEqual({
      name: 'cpu-compatible',
      verdict: 'passed',
      detail: "The CPU provided by hypervisor on the host is a superset of the domain's CPU (on kvm2)",
    });
  });

  it('cpu-compatible passes without a CPU model, with no comparison probe', () => {
    const planned = plan(LIVE, lab({ 'source definition': ok(domainXml({ cpu: false })) }));
    expect(planned.asked).not.toHaveProperty(['destination cpu']);
    expect(change(planned).result?.checks).toContainEqual(expect.objectContaining({ name: 'cpu-compatible', verdict: 'passed' }));
  });

  it('destination-memory: the domain must fit in the free memory of the destination', () => {
    const tight = ok('total  :  1048576 KiB\nfree   :    20000 KiB\nbuffers:     1000 KiB\ncached :     4000 KiB\n');
    expect(refusal(plan(LIVE, lab({ 'destination memory': tight }))).message).toBe(
      'pre-check destination-memory failed: kvm2 has 24 MiB free, the domain needs 64 MiB',
    );
  });

  it('in check mode, libvirt not installed yet or no domain yet is a skip, not a failure', () => {
    const missing = failed('sh: 1: virsh: not found\n', 127);
    expect(plan(LIVE, lab({ 'source domain': missing, 'destination domain': missing }), true).plan).toMatchObject({ kind: 'noop', skipped: true });
    expect(plan(LIVE, lab({ 'source domain': NOT_DEFINED }), true).plan).toMatchObject({ kind: 'noop', skipped: true });
  });
});

describe('migrate: live plan', () => {
  it('proves shared storage, migrates with progress, timeout and abort, then verifies', () => {
    const planned = change(plan({ ...LIVE, timeout: 90, bandwidth: 100, auto_converge: true, extra_flags: ['--compressed'] }, lab()));
    expect(planned.summary).toBe('migrate tiny from kvm1 to kvm2 (live)');
    expect(planned.steps.map((step) => [step.host ?? 'kvm1', step.title])).toEqual([
      ['kvm1', `pre-check shared-storage: write a nonce beside ${IMAGE} on kvm1`],
      ['kvm2', 'pre-check shared-storage: read the nonce on kvm2'],
      ['kvm1', 'pre-check shared-storage: confirm kvm2 saw the nonce'],
      ['kvm1', 'migrate tiny to kvm2 (live)'],
      ['kvm2', 'post-check: state of tiny on kvm2'],
      ['kvm1', 'post-check: state of tiny on kvm1'],
      ['kvm2', 'read the migration statistics on kvm2'],
    ]);
    const migrate = planned.steps[3]!;
    expect(migrate.command.render()).toBe(
      [
        'date +%s%3N; timeout -s INT 90 virsh -c qemu:///system migrate --live --verbose --persistent --undefinesource --unsafe --auto-converge --bandwidth 100 --compressed --domain tiny --desturi qemu+ssh://kvm2/system; rb_rc=$?; date +%s%3N',
        'if [ "$rb_rc" -eq 124 ]; then',
        `  if virsh -c qemu:///system domstate --domain tiny 2>/dev/null | grep -qx 'running'; then echo 'no migration within 90 s: aborted, tiny keeps running on kvm1' >&2`,
        '  else rb_rc=0; fi',
        'fi',
        'exit $rb_rc',
      ].join('\n'),
    );
    expect(migrate.timeoutMs).toBe(150_000);
    expect(migrate.onAbort?.render()).toBe('virsh -c qemu:///system domjobabort --domain tiny');
    expect(migrate.progress?.('\rMigration: [  0 %]\rMigration: [ 45 %]')).toEqual({ percent: 45 });
    expect(migrate.progress?.('\rMigration: [ 64.32 %]')).toEqual({ percent: 64 });
    expect(migrate.progress?.('unrelated')).toBeUndefined();
    expect(planned.steps[2]?.failureMessage).toMatch(/^pre-check shared-storage failed/);
  });

  it('maps options to virsh flags: tunnelled implies p2p, copy_storage skips the storage checks', () => {
    const planned = change(
      plan({ ...LIVE, tunnelled: true, persistent: false, undefine_source: false, copy_storage: 'all' }, lab({ [DISK_PROBE]: failed('') })),
    );
    const command = planned.steps.find((step) => step.title.startsWith('migrate'))!.command.render();
    // libvirt's own storage check stays on when libvirt copies the disks.
    expect(command).toContain('migrate --live --verbose --p2p --tunnelled --copy-storage-all --domain tiny');
    expect(command).not.toContain('--persistent');
    expect(planned.steps[0]?.title).toBe('migrate tiny to kvm2 (live)');
    expect(planned.result?.checks).toContainEqual(expect.objectContaining({ name: 'shared-storage', verdict: 'skipped' }));
  });

  it('finishes with total time and the downtime libvirt recorded', () => {
    const planned = change(plan(LIVE, lab()));
    const outcome = planned.finish!({
      migration: ok('1764150000000\n1764150002140\n'),
      'destination state': dominfo('running'),
      'source state': failed("error: failed to get domain 'tiny'\n"),
      job: JOBINFO,
    });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.message).toBe('migrated tiny from kvm1 to kvm2 (live) in 2.1 s, downtime 27 ms; kvm1: undefined');
    expect(outcome.result).toMatchObject({ total_ms: 2140, libvirt_elapsed_ms: 1890, downtime_ms: 27, destination_state: 'running' });
  });

  it('fails the verification when the domain does not run on the destination or still runs here', () => {
    const planned = change(plan(LIVE, lab()));
    const outcome = planned.finish!({
      migration: ok('1\n2\n'),
      'destination state': dominfo('paused'),
      'source state': ok('running\n'),
      job: failed('error: domain not found'),
    });
    expect(outcome.failure).toBe(
      'post-check destination-running failed: tiny is paused on kvm2\npost-check source-stopped failed: tiny is running on kvm1',
    );
    expect(planned.finish!({ 'destination state': NOT_DEFINED, 'source state': NOT_DEFINED }).failure).toBe(
      'post-check destination-running failed: tiny is undefined on kvm2',
    );
  });

  it('fails the verification when the destination runs the domain without keeping its definition', () => {
    const planned = change(plan(LIVE, lab()));
    const outcome = planned.finish!({ 'destination state': dominfo('running', { persistent: false }), 'source state': NOT_DEFINED });
    expect(outcome.failure).toBe(
      'post-check destination-persistent failed: tiny runs on kvm2 but is not defined there (it would vanish when it stops)',
    );
    const transient = change(plan({ ...LIVE, persistent: false }, lab()));
    expect(transient.finish!({ 'destination state': dominfo('running', { persistent: false }), 'source state': NOT_DEFINED }).failure).toBeUndefined();
  });
});

describe('migrate: offline plan', () => {
  const OFFLINE: MigrateArgs = { domain: 'tiny', dest: 'kvm2', mode: 'offline', shutdown_timeout: 5, on_shutdown_timeout: 'destroy' };

  it('shuts down, carries the definition, starts on the destination, undefines here', () => {
    const planned = change(plan(OFFLINE, lab({ 'source definition': ok(domainXml({ cache: 'writeback' })) })));
    expect(planned.steps.map((step) => [step.host ?? 'kvm1', step.title])).toEqual([
      ['kvm1', `pre-check shared-storage: write a nonce beside ${IMAGE} on kvm1`],
      ['kvm2', 'pre-check shared-storage: read the nonce on kvm2'],
      ['kvm1', 'pre-check shared-storage: confirm kvm2 saw the nonce'],
      ['kvm1', 'shut down tiny on kvm1'],
      ['kvm2', 'define tiny on kvm2'],
      ['kvm2', 'start tiny on kvm2'],
      ['kvm1', 'undefine tiny on kvm1'],
      ['kvm2', 'post-check: state of tiny on kvm2'],
      ['kvm1', 'post-check: state of tiny on kvm1'],
    ]);
    const shutdown = planned.steps[3]!.command.render();
    expect(shutdown).toContain('virsh -c qemu:///system shutdown --domain tiny');
    expect(shutdown).toContain('-lt 5 ]');
    expect(shutdown).toContain('virsh -c qemu:///system destroy --domain tiny');
    expect(planned.steps[4]?.stdin).toBe(domainXml({ cache: 'writeback' }));
    expect(planned.steps[4]?.command.render()).toBe('cat | virsh -c qemu:///system define --file /dev/stdin');
    expect(planned.steps[6]?.command.render()).toBe('virsh -c qemu:///system undefine --domain tiny');
    // Cache mode matters only while both hosts could touch a disk.
    expect(planned.result?.checks).toContainEqual(expect.objectContaining({ name: 'disk-cache', verdict: 'skipped' }));
  });

  it('copies a disk the destination does not see, over ssh, after the shutdown', () => {
    const planned = change(plan(OFFLINE, lab({ [DISK_PROBE]: failed('') })));
    const titles = planned.steps.map((step) => step.title);
    expect(titles.slice(0, 3)).toEqual(['shut down tiny on kvm1', `copy ${IMAGE} to kvm2`, 'define tiny on kvm2']);
    expect(planned.steps[1]?.command.render()).toBe(
      `ssh -o BatchMode=yes -- kvm2 'mkdir -p -- /var/lib/libvirt/images && dd of=${IMAGE}.runbook-copy bs=1M conv=sparse status=none && mv -f -- ${IMAGE}.runbook-copy ${IMAGE}' < ${IMAGE}`,
    );
    expect(planned.summary).toBe('migrate tiny from kvm1 to kvm2 (offline, copying 1 disk)');
  });

  it('moves a domain that is already shut off here without a shutdown step', () => {
    const planned = change(plan(OFFLINE, lab({ 'source domain': dominfo('shut off') })));
    expect(planned.steps.some((step) => step.title.startsWith('shut down'))).toBe(false);
  });

  it('refuses when the domain is defined, but not running, on both hosts', () => {
    const planned = plan(OFFLINE, lab({ 'source domain': dominfo('shut off'), 'destination domain': dominfo('shut off') }));
    expect(refusal(planned).message).toMatch(/defined but shut off on kvm1; defined but shut off on kvm2/);
  });
});

describe('migrate: shared-storage steps through a real sh', () => {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });

  function stepsFor(image: string): ChangePlan['steps'] {
    const answers = lab({ 'source definition': ok(domainXml({ image })), [`destination disk ${image}`]: ok() });
    return change(plan(LIVE, answers)).steps.slice(0, 3);
  }

  it('passes and leaves nothing behind when the destination sees the same file', () => {
    const directory = mkdtempSync(join(tmpdir(), 'runbook-nonce-'));
    directories.push(directory);
    const image = join(directory, 'disk with space.img');
    writeFileSync(image, '');
    const results = stepsFor(image).map((step) => runShell(step.command));
    expect(results.map((result) => result.code)).toEqual([0, 0, 0]);
    expect(readdirSync(directory)).toEqual(['disk with space.img']);
  });

  it('fails, and still cleans up, when the destination did not see the nonce', () => {
    const directory = mkdtempSync(join(tmpdir(), 'runbook-nonce-'));
    directories.push(directory);
    const image = join(directory, 'tiny.img');
    writeFileSync(image, '');
    const [write, , confirm] = stepsFor(image);
    expect(runShell(write!.command).code).toBe(0);
    expect(readdirSync(directory)).toHaveLength(2);
    // The destination step ran elsewhere and found no nonce: nothing removed it here.
    const result = runShell(confirm!.command);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${image} on kvm1 is not the file kvm2 sees at that path`);
    expect(readdirSync(directory)).toEqual(['tiny.img']);
  });

  it('only removes a file holding the exact nonce', () => {
    const directory = mkdtempSync(join(tmpdir(), 'runbook-nonce-'));
    directories.push(directory);
    const image = join(directory, 'tiny.img');
    const [, read] = stepsFor(image);
    const stranger = join(directory, '.tiny.img.runbook-nonce-0123456789abcdef');
    writeFileSync(stranger, 'someone else\n');
    expect(runShell(read!.command).code).toBe(0);
    expect(readdirSync(directory)).toContain('.tiny.img.runbook-nonce-0123456789abcdef');
  });
});

describe('migrate: results carry every check', () => {
  it('lists the checks with verdicts in a change plan', () => {
    const planned = change(plan(LIVE, lab()));
    const checks = planned.result?.checks as Array<{ name: string; verdict: string }>;
    expect(checks.map((check) => `${check.name}:${check.verdict}`)).toEqual([
      'source-domain:passed',
      'destination-libvirt:passed',
      'no-conflict:passed',
      'disk-visible:passed',
      'disk-cache:passed',
      'shared-storage:in steps',
      'destination-address:passed',
      'cpu-compatible:passed',
      'destination-memory:passed',
    ]);
  });
});

describe('migrate: the guest network, proven by ping from a third host', () => {
  const PINGED: MigrateArgs = { ...LIVE, ping_from: 'nfs', guest_address: '10.77.0.16' };
  const BRIDGED = 'destination bridge br0';
  const ANSWERS = ok('--- 10.77.0.16 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n');
  const networked = (overrides: ProbeResults = {}): ProbeResults =>
    lab({ 'source definition': ok(domainXml({ bridge: 'br0' })), [BRIDGED]: ok('7: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n'), 'guest answers': ANSWERS, ...overrides });

  it('pings the guest from ping_from before the move, and checks the bridge on the destination', () => {
    const planned = plan(PINGED, networked());
    const moving = change(planned);
    expect(planned.asked['guest answers']?.host).toBe('nfs');
    // Pings until the first reply (a guest just started may still be booting), for at most 60 s.
    expect(planned.asked['guest answers']?.command).toContain('until ping -n -q -c 1 -W 1 10.77.0.16 > /dev/null 2>&1; do');
    expect(planned.asked['guest answers']?.command).toContain('-ge 60 ]');
    expect(runShell(sh`sh -n -c ${planned.asked['guest answers']!.command}`).code).toBe(0);
    expect(planned.asked[BRIDGED]).toEqual({ host: 'kvm2', command: 'ip -o link show type bridge dev br0' });
    expect(moving.result?.checks).toContainEqual({ name: 'guest-answers', verdict: 'passed', detail: '10.77.0.16 answers ping from nfs' });
    expect(moving.result?.checks).toContainEqual({ name: 'destination-bridge', verdict: 'passed', detail: 'br0 is a bridge on kvm2' });
  });

  it('pings on nfs across the migration step, then checks the address answers from the destination', () => {
    const steps = change(plan(PINGED, networked())).steps;
    const titles = steps.map((step) => `${step.host ?? 'kvm1'}: ${step.title}`);
    const migrating = titles.indexOf('kvm1: migrate tiny to kvm2 (live)');
    expect(titles[migrating - 1]).toBe('nfs: ping 10.77.0.16 from nfs every 20 ms');
    expect(titles[migrating + 1]).toBe('nfs: stop pinging 10.77.0.16 from nfs');
    expect(titles.at(-1)).toBe('kvm2: post-check: 10.77.0.16 answers ping from kvm2');
    const start = steps[migrating - 1]!.command.render();
    // Bounded even if runbook never reaches the stop step: the migration's timeout plus a margin.
    expect(start).toBe(
      'setsid timeout 720 ping -D -n -i 0.020 10.77.0.16 > /tmp/runbook-ping-0123456789abcdef.log 2>&1 < /dev/null & echo $! > /tmp/runbook-ping-0123456789abcdef.pid',
    );
    expect(steps.at(-1)).toMatchObject({ okCodes: [0, 1, 2, 127], capture: 'answers on destination' });
  });

  it('guest-answers and destination-bridge refuse before anything moves', () => {
    const silent = refusal(plan(PINGED, networked({ 'guest answers': failed('', 1), [BRIDGED]: ok('') })));
    expect(silent.message).toBe(
      "pre-check destination-bridge failed: br0 is not a bridge on kvm2: the guest's network interface would have nowhere to attach\n" +
        'pre-check guest-answers failed: 10.77.0.16 does not answer ping from nfs within 60 s before the move (exit 1): nothing to measure the downtime with',
    );
    expect(refusal(plan(PINGED, networked({ 'guest answers': failed('sh: 1: ping: not found', 127) }))).message).toBe(
      'pre-check guest-answers failed: ping is not installed on nfs (iputils-ping)',
    );
  });

  it('refuses ping_from on the source or destination, an unknown host, and an offline move', () => {
    expect(refusal(plan({ ...PINGED, ping_from: 'kvm2' }, networked())).message).toBe(
      "migrate: ping_from must be a third host, neither the source kvm1 nor the destination kvm2: the guest's network moves between these two",
    );
    expect(refusal(plan({ ...PINGED, ping_from: 'nowhere' }, networked())).message).toBe('migrate: ping_from nowhere is not a host of the inventory');
    expect(refusal(plan({ ...PINGED, mode: 'offline' }, networked())).message).toMatch(/^migrate: ping_from measures the downtime of a live migration/);
  });

  it('reports the longest gap between replies as the measured downtime, beside libvirt figure', () => {
    const planned = change(plan(PINGED, networked()));
    const outcome = planned.finish!({
      migration: ok('1764150000000\n1764150002140\n'),
      ping: ok('after 3\n1764150000.010000\n1764150000.030000\n1764150001.500000\n1764150001.730000\n1764150001.750000\n'),
      'destination state': dominfo('running'),
      'source state': ok('shut off\n'),
      job: JOBINFO,
      'answers on destination': ANSWERS,
    });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.message).toBe(
      'migrated tiny from kvm1 to kvm2 (live) in 2.1 s, downtime 27 ms (libvirt), 1470 ms measured by ping from nfs (every 20 ms), answers at 10.77.0.16 on kvm2; kvm1: shut off',
    );
    expect(outcome.result).toMatchObject({
      downtime_ms: 27,
      measured_downtime_ms: 1470,
      ping: { from: 'nfs', address: '10.77.0.16', interval_ms: 20, replies: 5, longest_gap_ms: 1470, answers_on_destination: true },
    });
  });

  it('fails the verification when the guest stops answering after the move', () => {
    const planned = change(plan(PINGED, networked()));
    const outcome = planned.finish!({
      ping: ok('after 0\n1764150000.010000\n1764150000.030000\n'),
      'destination state': dominfo('running'),
      'source state': ok('shut off\n'),
      'answers on destination': failed('', 1),
    });
    expect(outcome.failure).toBe(
      'post-check guest-answers failed: 10.77.0.16 gave nfs no ping reply in 10 s after the migration\n' +
        'post-check guest-answers failed: 10.77.0.16 does not answer ping from kvm2',
    );
  });

  it('the stop step, through a real sh: waits for replies after the move, stops the pinger, prints reply times, cleans up', () => {
    const steps = change(plan(PINGED, networked())).steps;
    const stop = steps.find((step) => step.title.startsWith('stop pinging'))!;
    const log = '/tmp/runbook-ping-0123456789abcdef.log';
    const pid = '/tmp/runbook-ping-0123456789abcdef.pid';
    // A stand-in pinger: a process that appends replies in ping -D's format while the step waits.
    const pinger = runShell(sh`printf '%s\n' 'PING 10.77.0.16 (10.77.0.16) 56(84) bytes of data.' '[1764150000.010000] 64 bytes from 10.77.0.16: icmp_seq=1 ttl=64 time=0.4 ms' > ${log}
(for seq in 2 3 4 5; do sleep 0.05; echo "[1764150001.5$seq] 64 bytes from 10.77.0.16: icmp_seq=$seq ttl=64 time=0.4 ms" >> ${log}; done; exec sleep 30) > /dev/null 2>&1 &
echo $! > ${pid}; echo $!`);
    const stopped = runShell(stop.command);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toMatch(/^after [34]\n1764150000\.010000\n1764150001\.52\n1764150001\.53\n1764150001\.54\n/);
    expect(runShell(sh`test -e ${log} || test -e ${pid}`).code).not.toBe(0);
    // Gone, or a zombie: the machine's PID 1 may be slow to reap an orphan.
    const gone = sh`for rb_try in 1 2 3 4 5 6 7 8 9 10; do ps -o stat= -p ${pinger.stdout.trim()} | grep -qv '^Z' || exit 0; sleep 0.1; done; exit 1`;
    expect(runShell(gone).code).toBe(0);
  });
});

describe('migrate: parsePingCapture', () => {
  it('reads the replies after the move and the longest gap; none without two replies', () => {
    expect(parsePingCapture('after 2\n100.000000\n100.020000\n100.530000\n')).toEqual({ replies: 3, repliesAfter: 2, longestGapMs: 510 });
    expect(parsePingCapture('after 0\n100.000000\n')).toEqual({ replies: 1, repliesAfter: 0, longestGapMs: undefined });
    expect(parsePingCapture('')).toEqual({ replies: 0, repliesAfter: 0, longestGapMs: undefined });
  });
});
