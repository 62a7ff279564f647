import { posix } from 'node:path';
import { RunbookError } from '../errors.js';
import type { MigrateArgs } from '../schema/generated/migrate.js';
import { Command, quoted, sh } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import {
  defineFromStdin,
  dominfoProbe,
  firstLine,
  isActive,
  isDomainNotFound,
  parseAvailableMemoryKiB,
  parseDominfo,
  parseJobInfo,
  parseMigrationProgress,
  shutdownCommand,
  summariseDomain,
  undefineCommand,
  virsh,
  type DiskSummary,
  type DomainPresence,
  type DomainInfo,
  type DomainSummary,
} from './lib/libvirt.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleContext, ModuleDefinition, Outcome, Plan, Probe, ProbeResults, ProbeSet, Step } from './types.js';

/**
 * Moves a domain from the task's host (the source) to `dest`. Read first, on both hosts: where the
 * domain runs decides between ok (already moved), a refusal (runs on both or on neither: never guess)
 * and a move. Every pre-check has a name and a verdict in the result; a failed one fails the task
 * before anything moves. The shared-storage check cannot be read-only (it writes a nonce file), so it
 * runs as the first steps, before the move.
 */

interface Settings {
  domain: string;
  source: string;
  dest: string;
  mode: 'live' | 'offline';
  destUri: string;
  /** The destination's name as the source resolves and reaches it (host part of destUri). */
  destName: string;
  persistent: boolean;
  undefineSource: boolean;
  unsafe: boolean;
  autoConverge: boolean;
  timeoutS: number;
  bandwidth: number | undefined;
  copyStorage: 'none' | 'all' | 'inc';
  tunnelled: boolean;
  p2p: boolean;
  extraFlags: string[];
  shutdownTimeoutS: number;
  onShutdownTimeout: 'fail' | 'destroy';
  /** The third host that pings the guest while it moves, with the guest's address and the interval. */
  ping: { from: string; address: string; intervalMs: number } | undefined;
}

export interface PreCheck {
  name: string;
  verdict: 'passed' | 'failed' | 'skipped' | 'in steps';
  detail: string;
}

const PROBE = {
  sourceDomain: 'source domain',
  sourceDefinition: 'source definition',
  destinationDomain: 'destination domain',
  destinationMemory: 'destination memory',
  destinationAddress: 'destination address',
  destinationCpu: 'destination cpu',
  destinationDisk: (path: string) => `destination disk ${path}`,
  destinationBridge: (bridge: string) => `destination bridge ${bridge}`,
  guestAnswers: 'guest answers',
} as const;

const CAPTURE = {
  migration: 'migration',
  destinationState: 'destination state',
  sourceState: 'source state',
  job: 'job',
  ping: 'ping',
  answersOnDestination: 'answers on destination',
} as const;

/** A sed script printing the timestamp of each reply `ping -D` prints: `[1765001234.123456] 64 bytes from …`. */
const PING_REPLY_TIMESTAMP = String.raw`s/^\[\([0-9.]*\)\] .* bytes from .*/\1/p`;

/** Seconds the guest-answers pre-check waits for the guest's first reply. */
const GUEST_BOOT_WAIT_S = 60;

/** Seconds the ping_from host waits for replies once the migration has ended, before it calls the guest gone. */
const REPLY_WAIT_S = 10;

const SAFE_CACHE_MODES = new Set(['none', 'directsync']);

export const migrateModule: ModuleDefinition<MigrateArgs> = {
  name: 'migrate',
  summary: 'Move a libvirt domain to another inventory host, live or offline, after named pre-checks, verified afterwards',

  probe(args, context) {
    const settings = resolveSettings(args, context);
    const probes: ProbeSet = {
      [PROBE.sourceDomain]: dominfoProbe(settings.domain),
      [PROBE.sourceDefinition]: virsh('dumpxml', '--migratable', '--domain', settings.domain),
      [PROBE.destinationAddress]: sh`getent ahosts -- ${settings.destName}`,
    };
    // An unknown destination is refused by plan(); the engine cannot connect to it anyway.
    if (destinationProblem(settings, context) === undefined) {
      probes[PROBE.destinationDomain] = onDest(settings, dominfoProbe(settings.domain));
      probes[PROBE.destinationMemory] = onDest(settings, virsh('nodememstats'));
    }
    return probes;
  },

  plan(args, probes, context) {
    const settings = resolveSettings(args, context);
    const problem = destinationProblem(settings, context);
    if (problem) return { kind: 'fail', message: problem };
    return planMigration(settings, probes, context);
  },
};

function resolveSettings(args: MigrateArgs, context: ModuleContext): Settings {
  const dest = context.resolveHost(args.dest);
  const destUri = args.dest_uri ?? `qemu+ssh://${dest}/system`;
  return {
    domain: args.domain,
    source: context.host,
    dest,
    mode: args.mode ?? 'live',
    destUri,
    destName: uriHost(destUri),
    persistent: args.persistent ?? true,
    undefineSource: args.undefine_source ?? true,
    unsafe: args.unsafe ?? false,
    autoConverge: args.auto_converge ?? false,
    timeoutS: args.timeout ?? 600,
    bandwidth: args.bandwidth,
    copyStorage: args.copy_storage ?? 'none',
    tunnelled: args.tunnelled ?? false,
    p2p: args.p2p ?? false,
    extraFlags: args.extra_flags ?? [],
    shutdownTimeoutS: args.shutdown_timeout ?? 120,
    onShutdownTimeout: args.on_shutdown_timeout ?? 'fail',
    ping:
      args.ping_from === undefined || args.guest_address === undefined
        ? undefined
        : { from: context.resolveHost(args.ping_from), address: args.guest_address, intervalMs: args.ping_interval_ms ?? 20 },
  };
}

/** The host a libvirt URI names (the schema admits only URIs that name one, and only such destinations), without IPv6 brackets. */
function uriHost(uri: string): string {
  return new URL(uri).hostname.replace(/^\[(.*)\]$/, '$1');
}

function destinationProblem(settings: Settings, context: ModuleContext): string | undefined {
  if (settings.dest === settings.source) return `migrate: the destination ${settings.dest} is the host the task runs on`;
  if (context.hostVars(settings.dest) === undefined) return `migrate: the destination ${settings.dest} is not a host of the inventory`;
  const { ping } = settings;
  if (ping === undefined) return undefined;
  if (settings.mode !== 'live') return 'migrate: ping_from measures the downtime of a live migration; an offline one has no downtime to measure (remove ping_from or use mode: live)';
  if (context.hostVars(ping.from) === undefined) return `migrate: ping_from ${ping.from} is not a host of the inventory`;
  if (ping.from === settings.source || ping.from === settings.dest) {
    return `migrate: ping_from must be a third host, neither the source ${settings.source} nor the destination ${settings.dest}: the guest's network moves between these two`;
  }
  return undefined;
}

function onDest(settings: Settings, command: Command): Probe {
  return { host: settings.dest, command };
}

function planMigration(settings: Settings, probes: ProbeResults, { nonce, check }: ModuleContext): Plan {
  const { domain, source, dest } = settings;
  const here = parseDominfo(probeOutput(probes, PROBE.sourceDomain));
  const there = parseDominfo(probeOutput(probes, PROBE.destinationDomain));
  if (check && (here.kind === 'error' || there.kind === 'error')) {
    return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `libvirt does not answer on ${here.kind === 'error' ? source : dest} (check mode: an earlier task may install it)` };
  }
  if (here.kind === 'error') return refuse([failed('source-domain', `libvirt on ${source} does not answer: ${here.message}`)]);
  if (there.kind === 'error') return refuse([failed('destination-libvirt', `libvirt on ${dest} does not answer: ${there.message}`)]);
  const placement = placementOf(settings, here.kind === 'present' ? here.info : undefined, there.kind === 'present' ? there.info : undefined, check);
  if (placement.kind !== 'move') return placement;
  const { sourceInfo, thereInfo } = placement;

  const checks: PreCheck[] = [
    passed('source-domain', `${domain} is ${sourceInfo.state} on ${source}`),
    passed('destination-libvirt', `libvirt on ${dest} answers`),
  ];
  if (thereInfo !== undefined && thereInfo.uuid !== sourceInfo.uuid) {
    checks.push(failed('no-conflict', `${dest} has another domain named ${domain} (uuid ${thereInfo.uuid}, ${source}'s is ${sourceInfo.uuid})`));
    return refuse(checks);
  }
  checks.push(
    passed('no-conflict', thereInfo ? `${dest} holds only an inactive definition of the same domain (uuid ${thereInfo.uuid})` : `${domain} is not defined on ${dest}`),
  );

  const definition = probeOutput(probes, PROBE.sourceDefinition);
  if (definition.code !== 0) return { kind: 'fail', message: `cannot read the definition of ${domain} on ${source}: ${firstLine(definition.stderr)}` };
  const summary = summariseDomain(definition.stdout);

  const more = missingProbes(settings, summary, probes);
  if (Object.keys(more).length > 0) return { kind: 'probe', probes: more };

  const storage = storageChecks(settings, summary, probes);
  checks.push(...storage.checks);
  const needsAddress = settings.mode === 'live' || storage.copy.length > 0;
  checks.push(needsAddress ? addressCheck(settings, probeOutput(probes, PROBE.destinationAddress)) : skipped('destination-address', 'offline move over shared storage: the source does not connect to the destination'));
  checks.push(cpuCheck(settings, summary, probes[PROBE.destinationCpu]));
  checks.push(memoryCheck(settings, summary, probeOutput(probes, PROBE.destinationMemory)));
  checks.push(...bridgeChecks(settings, summary, probes));
  if (settings.ping) checks.push(guestAnswersCheck(settings.ping, probeOutput(probes, PROBE.guestAnswers)));
  if (checks.some((check) => check.verdict === 'failed')) return refuse(checks);

  const steps = [
    ...sharedStorageSteps(settings, storage.proveShared, nonce),
    ...(settings.mode === 'live' ? liveSteps(settings, nonce) : offlineSteps(settings, sourceInfo, summary, definition.stdout, storage.copy)),
    ...verificationSteps(settings),
  ];
  return {
    kind: 'change',
    summary: `migrate ${domain} from ${source} to ${dest} (${settings.mode}${storage.copy.length ? `, copying ${storage.copy.length} disk${storage.copy.length === 1 ? '' : 's'}` : ''})`,
    steps,
    diff: [{ label: `domain ${domain}`, before: `running on: ${isActive(sourceInfo) ? source : 'nowhere'}\n`, after: `running on: ${dest}\n` }],
    result: { source, dest, mode: settings.mode, checks },
    finish: (captured) => finish(settings, captured, checks),
  };
}

/** Where the domain runs decides: already moved (ok), on both or on neither (refused), or to be moved. */
function placementOf(
  settings: Settings,
  hereInfo: DomainInfo | undefined,
  thereInfo: DomainInfo | undefined,
  check: boolean,
): Plan | { kind: 'move'; sourceInfo: DomainInfo; thereInfo: DomainInfo | undefined } {
  const { domain, source, dest } = settings;
  const runsHere = hereInfo !== undefined && isActive(hereInfo);
  const runsThere = thereInfo !== undefined && isActive(thereInfo);
  if (runsThere && !runsHere) {
    return { kind: 'noop', reason: `${domain} already runs on ${dest} and not on ${source}`, result: { source, dest, migrated: false } };
  }
  if (runsThere && runsHere) {
    return {
      kind: 'fail',
      message: `${domain} runs on both ${source} and ${dest}: refusing to guess which copy is the real one (stop the wrong one, then run again)`,
    };
  }
  // Offline mode also moves a domain that is shut off here, as long as the destination has none.
  const movable = runsHere || (settings.mode === 'offline' && thereInfo === undefined);
  if (hereInfo !== undefined && movable) return { kind: 'move', sourceInfo: hereInfo, thereInfo };
  if (check && hereInfo === undefined && thereInfo === undefined) {
    return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${domain} is defined on neither ${source} nor ${dest} (check mode: an earlier task may define it)` };
  }
  const where = [hereInfo && `defined but ${hereInfo.state} on ${source}`, thereInfo && `defined but ${thereInfo.state} on ${dest}`]
    .filter(Boolean)
    .join('; ');
  return {
    kind: 'fail',
    message: `${domain} runs neither on ${source} nor on ${dest}${where ? ` (${where})` : ' (not defined on either)'}: refusing to guess where it belongs`,
  };
}

function passed(name: string, detail: string): PreCheck {
  return { name, verdict: 'passed', detail };
}
function failed(name: string, detail: string): PreCheck {
  return { name, verdict: 'failed', detail };
}
function skipped(name: string, detail: string): PreCheck {
  return { name, verdict: 'skipped', detail };
}

function refuse(checks: PreCheck[]): Plan {
  const failures = checks.filter((check) => check.verdict === 'failed');
  return {
    kind: 'fail',
    message: failures.map((check) => `pre-check ${check.name} failed: ${check.detail}`).join('\n'),
    result: { checks, migrated: false },
  };
}

/** Disks the checks are about: those backed by a path (network disks and empty drives have none). */
function diskPaths(summary: DomainSummary): Array<DiskSummary & { path: string }> {
  return summary.disks.filter((disk): disk is DiskSummary & { path: string } => disk.path !== undefined);
}

function storageIsCopiedByLibvirt(settings: Settings): boolean {
  return settings.mode === 'live' && settings.copyStorage !== 'none';
}

/** Second round: facts that depend on the domain's XML (its disks, its CPU), read on the destination. */
function missingProbes(settings: Settings, summary: DomainSummary, probes: ProbeResults): ProbeSet {
  const wanted: ProbeSet = {};
  if (!storageIsCopiedByLibvirt(settings)) {
    for (const disk of diskPaths(summary)) wanted[PROBE.destinationDisk(disk.path)] = onDest(settings, sh`test -e ${disk.path}`);
  }
  for (const bridge of summary.bridges) wanted[PROBE.destinationBridge(bridge)] = onDest(settings, sh`ip -o link show type bridge dev ${bridge}`);
  if (settings.ping) {
    const { from, address } = settings.ping;
    // A guest started by the task before may still be booting: ping until its first reply, bounded.
    // (One `ping -w` would give up at the first "host unreachable", which counts as an answer.)
    wanted[PROBE.guestAnswers] = {
      host: from,
      command: sh`command -v ping > /dev/null || exit 127
rb_start=$(date +%s)
until ping -n -q -c 1 -W 1 ${address} > /dev/null 2>&1; do
  if [ $(($(date +%s) - rb_start)) -ge ${GUEST_BOOT_WAIT_S} ]; then ping -n -q -c 1 -W 1 ${address}; exit 1; fi
  sleep 0.5
done`,
    };
  }
  if (summary.cpuXml !== undefined && summary.cpuMode !== 'host-passthrough') {
    const options = [
      '--virttype',
      summary.type,
      ...(summary.arch ? ['--arch', summary.arch] : []),
      ...(summary.machine ? ['--machine', summary.machine] : []),
    ];
    wanted[PROBE.destinationCpu] = onDest(settings, sh`printf '%s' ${summary.cpuXml} | ${virsh('hypervisor-cpu-compare', '--file', '/dev/stdin', ...options)}`);
  }
  return Object.fromEntries(Object.entries(wanted).filter(([key]) => probes[key] === undefined));
}

interface StorageDecision {
  checks: PreCheck[];
  /** Disks visible on both hosts at the same path: the nonce steps prove they are one file. */
  proveShared: string[];
  /** Offline mode: disks absent on the destination, copied there after the shutdown. */
  copy: string[];
}

function storageChecks(settings: Settings, summary: DomainSummary, probes: ProbeResults): StorageDecision {
  const decision: StorageDecision = { checks: [], proveShared: [], copy: [] };
  const disks = diskPaths(summary);
  if (storageIsCopiedByLibvirt(settings)) {
    decision.checks.push(skipped('disk-visible', `copy_storage: ${settings.copyStorage} (libvirt copies the disks)`));
    decision.checks.push(skipped('shared-storage', `copy_storage: ${settings.copyStorage}`));
    decision.checks.push(skipped('disk-cache', `copy_storage: ${settings.copyStorage}`));
    return decision;
  }
  const absent = disks.filter((disk) => probeOutput(probes, PROBE.destinationDisk(disk.path)).code !== 0);
  decision.proveShared = disks.filter((disk) => !absent.includes(disk)).map((disk) => disk.path);
  if (settings.mode === 'live') {
    decision.checks.push(
      absent.length > 0
        ? failed(
            'disk-visible',
            `${absent.map((disk) => `${disk.path} (${disk.target})`).join(', ')} ${absent.length === 1 ? 'does' : 'do'} not exist on ${settings.dest}: live migration without copy_storage needs the disks on storage both hosts share, at the same path`,
          )
        : passed('disk-visible', disks.length ? `${disks.map((disk) => disk.path).join(', ')} visible on ${settings.dest}` : 'no disk images'),
    );
    const unsafeDisks = disks.filter((disk) => !disk.readonly && !disk.shareable && !SAFE_CACHE_MODES.has(disk.cache ?? 'default'));
    const described = unsafeDisks.map((disk) => `${disk.target} (${disk.path}) uses cache=${disk.cache ?? 'default (writeback)'}`).join(', ');
    decision.checks.push(
      unsafeDisks.length === 0
        ? passed('disk-cache', 'every writable disk uses cache none or directsync')
        : settings.unsafe
          ? skipped('disk-cache', `unsafe: true accepts ${described}`)
          : failed('disk-cache', `${described}: live migration over shared storage needs cache none or directsync, or unsafe: true`),
    );
  } else {
    decision.copy = absent.map((disk) => disk.path);
    decision.checks.push(
      passed('disk-visible', [
        decision.proveShared.length ? `visible on ${settings.dest}: ${decision.proveShared.join(', ')}` : '',
        decision.copy.length ? `to copy to ${settings.dest}: ${decision.copy.join(', ')}` : '',
      ].filter(Boolean).join('; ') || 'no disk images'),
    );
    decision.checks.push(skipped('disk-cache', 'offline move: the guest is off while its disks change hosts'));
  }
  decision.checks.push(
    decision.proveShared.length > 0
      ? { name: 'shared-storage', verdict: 'in steps', detail: `a nonce file beside each image on ${settings.source} must be read on ${settings.dest}` }
      : skipped('shared-storage', 'no disk is visible on both hosts'),
  );
  return decision;
}

function addressCheck(settings: Settings, result: ExecResult): PreCheck {
  const { destName, source } = settings;
  if (result.code !== 0) return failed('destination-address', `${destName} does not resolve on ${source}`);
  const addresses = [...new Set(result.stdout.split('\n').map((line) => line.trim().split(/\s+/)[0]).filter((address): address is string => Boolean(address)))];
  const loopback = addresses.filter((address) => /^127\.|^::1$|^::ffff:127\./.test(address));
  if (addresses.length === 0) return failed('destination-address', `${destName} does not resolve on ${source}`);
  if (loopback.length > 0) {
    return failed('destination-address', `${destName} resolves to loopback ${loopback.join(', ')} on ${source}: the migration would reach ${source} itself (fix /etc/hosts or set dest_uri)`);
  }
  return passed('destination-address', `${destName} resolves to ${addresses.join(', ')} on ${source}`);
}

function cpuCheck(settings: Settings, summary: DomainSummary, result: ExecResult | undefined): PreCheck {
  if (summary.cpuXml === undefined) return passed('cpu-compatible', 'the domain asks for no CPU model (hypervisor default)');
  if (summary.cpuMode === 'host-passthrough') {
    return skipped('cpu-compatible', 'host-passthrough CPU: libvirt cannot compare it; the destination must have the same CPU');
  }
  if (result === undefined) throw new RunbookError('RB_INTERNAL', 'migrate: the CPU comparison was not read');
  const said = `${result.stdout}\n${result.stderr}`;
  if (result.code === 0 && !/incompatible/i.test(said)) {
    const verdict = firstLine(result.stdout).replace('CPU described in /dev/stdin', "the domain's CPU");
    return passed('cpu-compatible', `${verdict || "the hypervisor provides the domain's CPU"} (on ${settings.dest})`);
  }
  return failed('cpu-compatible', `${settings.dest} cannot provide the domain's CPU: ${firstLine(result.stderr) || firstLine(result.stdout)}`);
}

function memoryCheck(settings: Settings, summary: DomainSummary, result: ExecResult): PreCheck {
  const available = parseAvailableMemoryKiB(result);
  if (available === undefined) return failed('destination-memory', `cannot read free memory on ${settings.dest}: ${firstLine(result.stderr) || 'no figures'}`);
  const mib = (kib: number): string => `${Math.round(kib / 1024)} MiB`;
  if (available < summary.memoryKiB) {
    return failed('destination-memory', `${settings.dest} has ${mib(available)} free, the domain needs ${mib(summary.memoryKiB)}`);
  }
  return passed('destination-memory', `${settings.dest} has ${mib(available)} free, the domain needs ${mib(summary.memoryKiB)}`);
}

function bridgeChecks(settings: Settings, summary: DomainSummary, probes: ProbeResults): PreCheck[] {
  if (summary.bridges.length === 0) return [];
  const missing = summary.bridges.filter((bridge) => probeOutput(probes, PROBE.destinationBridge(bridge)).stdout.trim() === '');
  const named = summary.bridges.join(', ');
  return [
    missing.length === 0
      ? passed('destination-bridge', `${named} ${summary.bridges.length === 1 ? 'is a bridge' : 'are bridges'} on ${settings.dest}`)
      : failed('destination-bridge', `${missing.join(', ')} ${missing.length === 1 ? 'is not a bridge' : 'are not bridges'} on ${settings.dest}: the guest's network interface would have nowhere to attach`),
  ];
}

function guestAnswersCheck(ping: NonNullable<Settings['ping']>, result: ExecResult): PreCheck {
  if (result.code === 0) return passed('guest-answers', `${ping.address} answers ping from ${ping.from}`);
  if (result.code === 127) return failed('guest-answers', `ping is not installed on ${ping.from} (iputils-ping)`);
  const said = firstLine(result.stderr) || result.stdout.split('\n').find((line) => /packets transmitted/.test(line)) || `exit ${result.code}`;
  return failed('guest-answers', `${ping.address} does not answer ping from ${ping.from} within ${GUEST_BOOT_WAIT_S} s before the move (${said.trim()}): nothing to measure the downtime with`);
}

function nonceFile(path: string, nonce: string): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.runbook-nonce-${nonce}`);
}

/**
 * Proves each image is one file seen by both hosts: the source writes a nonce beside it, the
 * destination removes that file only if it reads the nonce there, and the source then checks the file
 * is gone (and removes it itself otherwise, so no probe file is left behind either way).
 */
function sharedStorageSteps(settings: Settings, paths: string[], nonce: string): Step[] {
  if (paths.length === 0) return [];
  const { source, dest } = settings;
  const files = paths.map((path) => ({ path, file: nonceFile(path, nonce) }));
  const verify = files.map(
    ({ path, file }) =>
      sh`if rm -- ${file} 2>/dev/null; then echo ${`${path} on ${source} is not the file ${dest} sees at that path`} >&2; rb_failed=1; fi`,
  );
  return [
    {
      title: `pre-check shared-storage: write a nonce beside ${paths.length === 1 ? paths[0] : `${paths.length} images`} on ${source}`,
      command: Command.join(files.map(({ file }) => sh`printf '%s\n' ${nonce} > ${file}`), ' && '),
      failureMessage: `pre-check shared-storage failed: cannot write a nonce file beside the images on ${source}`,
    },
    {
      title: `pre-check shared-storage: read the nonce on ${dest}`,
      host: dest,
      command: Command.join(files.map(({ file }) => sh`if [ "$(cat -- ${file} 2>/dev/null)" = ${nonce} ]; then rm -f -- ${file}; fi`), '\n'),
    },
    {
      title: `pre-check shared-storage: confirm ${dest} saw the nonce`,
      command: sh`rb_failed=0
${Command.join(verify, '\n')}
exit $rb_failed`,
      failureMessage: `pre-check shared-storage failed: the disks are not on storage shared by ${source} and ${dest}; nothing was moved`,
    },
  ];
}

/** Files on the ping_from host: the pinger's output and its process id, unique to this task run. */
function pingFiles(nonce: string): { log: string; pid: string } {
  const base = `/tmp/runbook-ping-${nonce}`;
  return { log: `${base}.log`, pid: `${base}.pid` };
}

/**
 * The pinger runs in the background on ping_from across the migration step: `ping -D` timestamps every
 * reply, so the longest gap between two replies is the downtime as the network saw it. `timeout`
 * bounds it even if runbook never reaches the step that stops it (a failed migration).
 */
function startPingStep(settings: Settings, ping: NonNullable<Settings['ping']>, nonce: string): Step {
  const files = pingFiles(nonce);
  const interval = (ping.intervalMs / 1000).toFixed(3);
  const limitS = settings.timeoutS + 120;
  return {
    title: `ping ${ping.address} from ${ping.from} every ${ping.intervalMs} ms`,
    host: ping.from,
    command: sh`setsid timeout ${limitS} ping -D -n -i ${interval} ${ping.address} > ${files.log} 2>&1 < /dev/null & echo $! > ${files.pid}`,
    failureMessage: `cannot start ping on ${ping.from}`,
  };
}

/** Waits (bounded) for replies after the migration, stops the pinger and prints the reply timestamps. */
function stopPingStep(ping: NonNullable<Settings['ping']>, nonce: string): Step {
  const files = pingFiles(nonce);
  const tenths = REPLY_WAIT_S * 10;
  return {
    title: `stop pinging ${ping.address} from ${ping.from}`,
    host: ping.from,
    command: sh`rb_replies() { grep -c 'bytes from' ${files.log}; }
rb_before=$(rb_replies); rb_waited=0
while [ "$(rb_replies)" -lt $((rb_before + 3)) ] && [ $rb_waited -lt ${tenths} ]; do sleep 0.1; rb_waited=$((rb_waited + 1)); done
echo "after $(( $(rb_replies) - rb_before ))"
kill "$(cat ${files.pid})" 2>/dev/null
sed -n ${PING_REPLY_TIMESTAMP} ${files.log}
rm -f -- ${files.log} ${files.pid}`,
    capture: CAPTURE.ping,
  };
}

function liveSteps(settings: Settings, nonce: string): Step[] {
  const flags = [
    '--live',
    '--verbose',
    ...(settings.persistent ? ['--persistent'] : []),
    ...(settings.undefineSource ? ['--undefinesource'] : []),
    // libvirt judges shared storage by filesystem type and refuses what it does not recognise (a bind
    // mount, some cluster filesystems). runbook proved sharing (nonce) and checked the cache mode itself.
    ...(settings.unsafe || settings.copyStorage === 'none' ? ['--unsafe'] : []),
    ...(settings.autoConverge ? ['--auto-converge'] : []),
    ...(settings.p2p || settings.tunnelled ? ['--p2p'] : []),
    ...(settings.tunnelled ? ['--tunnelled'] : []),
    ...(settings.copyStorage === 'all' ? ['--copy-storage-all'] : settings.copyStorage === 'inc' ? ['--copy-storage-inc'] : []),
    ...(settings.bandwidth === undefined ? [] : ['--bandwidth', String(settings.bandwidth)]),
    ...settings.extraFlags,
  ];
  const migrate = virsh('migrate', ...flags, '--domain', settings.domain, '--desturi', settings.destUri);
  const timedOut = `no migration within ${settings.timeoutS} s: aborted, ${settings.domain} keeps running on ${settings.source}`;
  const { ping } = settings;
  return [
    ...(ping ? [startPingStep(settings, ping, nonce)] : []),
    {
      title: `migrate ${settings.domain} to ${settings.dest} (live)`,
      // The limit is kept on the source itself: on SIGINT virsh aborts its migration job, whatever
      // happens to runbook's connection. A migration that completed just as the limit hit leaves the
      // guest gone from the source: that is a success, which the post-checks then verify.
      // Timestamps around virsh give the total time as the source saw it.
      command: sh`date +%s%3N; timeout -s INT ${settings.timeoutS} ${migrate}; rb_rc=$?; date +%s%3N
if [ "$rb_rc" -eq 124 ]; then
  if ${virsh('domstate', '--domain', settings.domain)} 2>/dev/null | grep -qx 'running'; then echo ${timedOut} >&2
  else rb_rc=0; fi
fi
exit $rb_rc`,
      // runbook's own limit only backs that up (and Ctrl-C in runbook aborts the job with onAbort).
      timeoutMs: (settings.timeoutS + 60) * 1000,
      onAbort: virsh('domjobabort', '--domain', settings.domain),
      progress: parseMigrationProgress,
      capture: CAPTURE.migration,
      failureMessage: `live migration of ${settings.domain} to ${settings.dest} failed (libvirt keeps it running on ${settings.source})`,
    },
    ...(ping ? [stopPingStep(ping, nonce)] : []),
  ];
}

function offlineSteps(settings: Settings, sourceInfo: DomainInfo, summary: DomainSummary, xml: string, copy: string[]): Step[] {
  const { domain, source, dest } = settings;
  const stepTimeoutMs = settings.timeoutS * 1000;
  const steps: Step[] = [];
  if (isActive(sourceInfo)) {
    steps.push({
      title: `shut down ${domain} on ${source}`,
      command: shutdownCommand(domain, settings.shutdownTimeoutS, settings.onShutdownTimeout),
      // The wait loop is bounded by shutdown_timeout; the margin covers virsh itself.
      timeoutMs: (settings.shutdownTimeoutS + 60) * 1000,
    });
  }
  for (const path of copy) {
    const temporary = `${path}.runbook-copy`;
    const receive = sh`mkdir -p -- ${posix.dirname(path)} && dd of=${temporary} bs=1M conv=sparse status=none && mv -f -- ${temporary} ${path}`;
    steps.push({
      title: `copy ${path} to ${dest}`,
      command: sh`ssh -o BatchMode=yes -- ${settings.destName} ${quoted(receive)} < ${path}`,
      timeoutMs: stepTimeoutMs,
      failureMessage: `copying ${path} from ${source} to ${dest} failed (${domain} is shut off on ${source}, nothing defined on ${dest})`,
    });
  }
  steps.push(
    {
      title: `define ${domain} on ${dest}`,
      host: dest,
      command: defineFromStdin(),
      stdin: xml,
      timeoutMs: stepTimeoutMs,
      failureMessage: `libvirt on ${dest} refused the definition of ${domain}`,
    },
    {
      title: `start ${domain} on ${dest}`,
      host: dest,
      command: virsh('start', '--domain', domain),
      timeoutMs: stepTimeoutMs,
      failureMessage: `${domain} is defined on ${dest} but did not start there`,
    },
  );
  if (settings.undefineSource) {
    steps.push({ title: `undefine ${domain} on ${source}`, command: undefineCommand(domain, sourceInfo, summary.hasNvram), timeoutMs: stepTimeoutMs });
  }
  return steps;
}

function verificationSteps(settings: Settings): Step[] {
  return [
    // dominfo, not domstate: it also says whether the definition persists there. (On an incoming
    // migration's domain libvirt answers the first dominfo in ~0.8 s; it is paid here, once.)
    {
      title: `post-check: state of ${settings.domain} on ${settings.dest}`,
      host: settings.dest,
      command: dominfoProbe(settings.domain),
      okCodes: [0, 1],
      capture: CAPTURE.destinationState,
    },
    {
      title: `post-check: state of ${settings.domain} on ${settings.source}`,
      command: virsh('domstate', '--domain', settings.domain),
      okCodes: [0, 1],
      capture: CAPTURE.sourceState,
    },
    ...(settings.mode === 'live'
      ? [
          {
            title: `read the migration statistics on ${settings.dest}`,
            host: settings.dest,
            command: virsh('domjobinfo', '--completed', '--domain', settings.domain),
            okCodes: [0, 1],
            capture: CAPTURE.job,
          },
        ]
      : []),
    ...(settings.ping
      ? [
          {
            title: `post-check: ${settings.ping.address} answers ping from ${settings.dest}`,
            host: settings.dest,
            command: sh`ping -n -q -c 3 -i 0.2 -W 2 ${settings.ping.address}`,
            okCodes: [0, 1, 2, 127],
            capture: CAPTURE.answersOnDestination,
          },
        ]
      : []),
  ];
}

export interface PingMeasurement {
  /** Replies received while the migration ran and until the pinger stopped. */
  replies: number;
  /** Replies received after the migration step ended. */
  repliesAfter: number;
  /** The longest gap between two consecutive replies, in ms: the downtime as the network saw it. */
  longestGapMs: number | undefined;
}

/** Reads the stop step's output: `after N`, then one reply timestamp (seconds, from ping -D) per line. */
export function parsePingCapture(stdout: string): PingMeasurement {
  const lines = stdout.split('\n').map((line) => line.trim());
  const repliesAfter = Number(/^after (\d+)$/.exec(lines.find((line) => line.startsWith('after ')) ?? '')?.[1] ?? 0);
  const stamps = lines.filter((line) => /^\d+\.\d+$/.test(line)).map((line) => Math.round(Number(line) * 1000));
  let longest: number | undefined;
  for (let index = 1; index < stamps.length; index += 1) {
    const gap = (stamps[index] as number) - (stamps[index - 1] as number);
    if (longest === undefined || gap > longest) longest = gap;
  }
  return { replies: stamps.length, repliesAfter, longestGapMs: longest };
}

/** The ping figures for the result, and what failed in them (no reply after the move, or none on the destination). */
function pingOutcome(settings: Settings, captured: ProbeResults): { result: Record<string, unknown>; problems: string[] } {
  const { ping } = settings;
  if (ping === undefined) return { result: {}, problems: [] };
  const measured = parsePingCapture(captured[CAPTURE.ping]?.stdout ?? '');
  const onDestination = captured[CAPTURE.answersOnDestination];
  const problems = [
    measured.repliesAfter > 0
      ? ''
      : `post-check guest-answers failed: ${ping.address} gave ${ping.from} no ping reply in ${REPLY_WAIT_S} s after the migration`,
    onDestination?.code === 0
      ? ''
      : `post-check guest-answers failed: ${ping.address} does not answer ping from ${settings.dest}${onDestination?.code === 127 ? ' (ping is not installed there)' : ''}`,
  ].filter(Boolean);
  return {
    result: {
      ping: {
        from: ping.from,
        address: ping.address,
        interval_ms: ping.intervalMs,
        replies: measured.replies,
        ...(measured.longestGapMs === undefined ? {} : { longest_gap_ms: measured.longestGapMs }),
        answers_on_destination: onDestination?.code === 0,
      },
      ...(measured.longestGapMs === undefined ? {} : { measured_downtime_ms: measured.longestGapMs }),
    },
    problems,
  };
}

/** A domstate result: the state, or "undefined" when libvirt does not know the domain. */
function stateOf(result: ExecResult | undefined): string {
  if (!result) return 'unknown';
  if (result.code === 0) return firstLine(result.stdout) || 'unknown';
  return isDomainNotFound(result.stderr) ? 'undefined' : `unknown (${firstLine(result.stderr)})`;
}

/** A dominfo result's state, in stateOf's words. */
function presenceState(presence: DomainPresence | undefined): string {
  if (presence?.kind === 'present') return presence.info.state;
  if (presence?.kind === 'absent') return 'undefined';
  return presence ? `unknown (${presence.message})` : 'unknown';
}

function finish(settings: Settings, captured: ProbeResults, checks: PreCheck[]): Outcome {
  const { domain, source, dest } = settings;
  const destination = captured[CAPTURE.destinationState];
  const presence = destination ? parseDominfo(destination) : undefined;
  const destinationState = presenceState(presence);
  const sourceState = stateOf(captured[CAPTURE.sourceState]);
  const timestamps = (captured[CAPTURE.migration]?.stdout ?? '').split('\n').filter((line) => /^\d{10,}$/.test(line.trim())).map(Number);
  const job = parseJobInfo(captured[CAPTURE.job]?.stdout ?? '');
  const totalMs = timestamps.length >= 2 ? (timestamps.at(-1) as number) - (timestamps[0] as number) : undefined;
  const result = {
    source,
    dest,
    mode: settings.mode,
    migrated: true,
    checks: checks.map((check) => (check.verdict === 'in steps' ? { ...check, verdict: 'passed' as const } : check)),
    destination_state: destinationState,
    source_state: sourceState,
    ...(totalMs === undefined ? {} : { total_ms: totalMs }),
    ...(job.elapsedMs === undefined ? {} : { libvirt_elapsed_ms: job.elapsedMs }),
    ...(job.downtimeMs === undefined ? {} : { downtime_ms: job.downtimeMs }),
  };
  const pinged = pingOutcome(settings, captured);
  Object.assign(result, pinged.result);
  const problems = [
    destinationState === 'running' ? '' : `post-check destination-running failed: ${domain} is ${destinationState} on ${dest}`,
    settings.persistent && presence?.kind === 'present' && !presence.info.persistent
      ? `post-check destination-persistent failed: ${domain} runs on ${dest} but is not defined there (it would vanish when it stops)`
      : '',
    sourceState === 'shut off' || sourceState === 'undefined' ? '' : `post-check source-stopped failed: ${domain} is ${sourceState} on ${source}`,
    ...pinged.problems,
  ].filter(Boolean);
  if (problems.length > 0) return { result: { ...result, migrated: false }, failure: problems.join('\n') };
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const timing = [
    totalMs === undefined ? '' : ` in ${seconds(totalMs)}`,
    job.downtimeMs === undefined ? '' : `, downtime ${job.downtimeMs} ms${settings.ping ? ' (libvirt)' : ''}`,
    typeof pinged.result.measured_downtime_ms === 'number' && settings.ping
      ? `, ${pinged.result.measured_downtime_ms} ms measured by ping from ${settings.ping.from} (every ${settings.ping.intervalMs} ms), answers at ${settings.ping.address} on ${dest}`
      : '',
  ].join('');
  return {
    result,
    message: `migrated ${domain} from ${source} to ${dest} (${settings.mode})${timing}; ${source}: ${sourceState}`,
  };
}
