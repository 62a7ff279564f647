// The benchmark: runbook against its peers (ansible-playbook tuned and as shipped, Ansible with
// Mitogen, pyinfra) and the raw ssh2 floor, on N OpenSSH servers on loopback: the first converge of 10
// tasks, their no-op re-run and a 100-item loop, interleaved. Also a soak (--soak), the lab (--lab) and
// a classroom of sandbox pods graded at once (--classroom N).
//   npm run bench -- --hosts 1,10,50,200,1000 --reps 5 --pyinfra-src DIR
//   npm run bench -- --soak
//   npm run bench -- --lab
//   npm run bench -- --classroom 20 --classroom-apply 3
//   npm run bench -- --lab-repeat 5        (fresh hosts, apply, re-apply: does the lab always converge?)
// Writes bench/results/latest.md (and .json, and the plots). Needs root (a user, sshd on 127.0.3.x, apt-get).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Fleet, MAX_HOSTS } from './lib/fleet.mjs';
import { describeAnsible, describeMitogen, findPyinfra } from './lib/peers.mjs';
import { sleep, stopControlMasters } from './lib/proc.mjs';
import { abortRuns, killRunning, summary, timed, TimeoutError } from './lib/measure.mjs';
import { markdown, plots, resourceTable, seconds, timingTable } from './lib/report.mjs';
import { build, describeMachine, ensurePackages, LAB_ANSIBLE_PACKAGES, PYINFRA_SOURCE_PACKAGES } from './lib/setup.mjs';
import { ansibleApply, floor, pyinfraApply, REPO, RUNBOOK_BIN, runbookApply, verify } from './lib/variants.mjs';
import { TOOL_DIRS, WORKLOADS, writeAnsibleConfigs, writeFloorLoopFile, writeFloorSpec, writeInventory, writePyinfraInventory } from './lib/workload.mjs';

const USAGE = `usage: npm run bench -- [--hosts 1,10,50,200,1000] [--workloads converge,noop,loop] [--reps 5] [--large-reps 3]
                        [--peer-reps 1] [--peer-max-hosts 50] [--peer-loop-max-hosts 10] [--ansible-default-max-hosts 10]
                        [--peer-timeout 600] [--no-ansible] [--no-mitogen] [--no-pyinfra] [--pyinfra-src DIR]
                        [--no-build] [--port 22] [--workdir /tmp/rb-bench] [--results-dir bench/results]
                        [--soak [--soak-hosts 200] [--soak-noop 20] [--soak-changed 10]]
                        [--lab] [--classroom PODS [--classroom-apply PODS]] [--lab-repeat ROUNDS]`;

const { values: options } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1,10,50,200,1000' },
    workloads: { type: 'string', default: 'converge,noop,loop' },
    reps: { type: 'string', default: '5' },
    'large-reps': { type: 'string', default: '3' },
    'peer-reps': { type: 'string', default: '1' },
    'peer-max-hosts': { type: 'string', default: '50' },
    'peer-loop-max-hosts': { type: 'string', default: '10' },
    'ansible-default-max-hosts': { type: 'string', default: '10' },
    'peer-timeout': { type: 'string', default: '600' },
    'no-ansible': { type: 'boolean', default: false },
    'no-mitogen': { type: 'boolean', default: false },
    'no-pyinfra': { type: 'boolean', default: false },
    'pyinfra-src': { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    'results-dir': { type: 'string', default: join(REPO, 'bench', 'results') },
    port: { type: 'string', default: '22' },
    workdir: { type: 'string', default: '/tmp/rb-bench' },
    soak: { type: 'boolean', default: false },
    'soak-hosts': { type: 'string', default: '200' },
    'soak-noop': { type: 'string', default: '20' },
    'soak-changed': { type: 'string', default: '10' },
    lab: { type: 'boolean', default: false },
    classroom: { type: 'string' },
    'classroom-apply': { type: 'string', default: '3' },
    'lab-repeat': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

function wholeNumber(text, what, min = 1) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new Error(`${what}: expected a whole number of at least ${min}, got ${text}\n${USAGE}`);
  return value;
}

const log = (message) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
const RESULTS_DIR = resolve(options['results-dir']);
const LATEST_JSON = join(RESULTS_DIR, 'latest.json');

// Runs with at least this many hosts take --large-reps rounds: one 1000-host round is minutes.
const LARGE_HOSTS = 500;
const WORKLOAD_ORDER = ['converge', 'noop', 'loop'];

async function main() {
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (process.getuid() !== 0) throw new Error('the benchmark needs root: it adds a user and starts sshd on 127.0.3.x');
  const workloads = options.workloads.split(',').map((name) => name.trim());
  for (const name of workloads) if (!WORKLOAD_ORDER.includes(name)) throw new Error(`--workloads: unknown workload ${name} (known: ${WORKLOAD_ORDER.join(', ')})\n${USAGE}`);
  const hostCounts = options.hosts.split(',').map((text) => wholeNumber(text.trim(), '--hosts')).sort((a, b) => a - b);
  if (hostCounts.at(-1) > MAX_HOSTS) throw new Error(`--hosts: at most ${MAX_HOSTS}`);
  const settings = {
    hostCounts,
    workloads: WORKLOAD_ORDER.filter((name) => workloads.includes(name)),
    reps: wholeNumber(options.reps, '--reps'),
    largeReps: wholeNumber(options['large-reps'], '--large-reps'),
    peerReps: wholeNumber(options['peer-reps'], '--peer-reps'),
    peerMaxHosts: wholeNumber(options['peer-max-hosts'], '--peer-max-hosts', 0),
    peerLoopMaxHosts: wholeNumber(options['peer-loop-max-hosts'], '--peer-loop-max-hosts', 0),
    ansibleDefaultMaxHosts: wholeNumber(options['ansible-default-max-hosts'], '--ansible-default-max-hosts', 0),
    peerTimeoutS: wholeNumber(options['peer-timeout'], '--peer-timeout'),
    port: wholeNumber(options.port, '--port'),
  };
  const fleetMode = options.classroom === undefined && options['lab-repeat'] === undefined && !options.lab;
  await ensurePackages(log, [
    ...((fleetMode || options.lab) && options['pyinfra-src'] ? PYINFRA_SOURCE_PACKAGES : []),
    ...(options.lab && !options['no-ansible'] ? LAB_ANSIBLE_PACKAGES : []),
  ]);
  if (!options['no-build']) await build(REPO, log);
  const section = {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: await describeMachine(),
    notes: [],
  };
  // Each mode replaces only its own section: a lab run keeps the latest fleet figures, and back.
  const latest = readLatest();
  if (options.classroom !== undefined) {
    const { runClassroom } = await import('./lib/classroom.mjs');
    const run = await runClassroom({
      pods: wholeNumber(options.classroom, '--classroom'),
      applyPods: wholeNumber(options['classroom-apply'], '--classroom-apply', 0),
      reps: settings.reps,
      log,
      logDir: prepareLogDir(options.workdir),
    });
    latest.classroom = { ...section, ...run, measuredAt: new Date().toISOString() };
  } else if (options['lab-repeat'] !== undefined) {
    const { runLabRepeat } = await import('./lib/lab.mjs');
    const run = await runLabRepeat({ repeats: wholeNumber(options['lab-repeat'], '--lab-repeat'), log, logDir: prepareLogDir(options.workdir) });
    latest.labRepeat = { ...section, ...run, measuredAt: new Date().toISOString() };
  } else if (options.lab) {
    const { runLab } = await import('./lib/lab.mjs');
    const workdir = prepareLabDir(options.workdir);
    const peers = await findPeers({ metaDir: join(workdir, 'pyinfra-meta'), ansibleDefault: false });
    latest.lab = { ...section, ...(await runLab({ log, logDir: prepareLogDir(options.workdir), workdir, peers })), measuredAt: new Date().toISOString() };
  } else if (options.soak) {
    const soak = {
      hosts: wholeNumber(options['soak-hosts'], '--soak-hosts'),
      noopRuns: wholeNumber(options['soak-noop'], '--soak-noop'),
      changedRuns: wholeNumber(options['soak-changed'], '--soak-changed'),
      port: settings.port,
    };
    latest.soak = { ...section, settings: soak, ...(await runSoak(soak)), measuredAt: new Date().toISOString() };
  } else {
    latest.fleet = { ...section, settings, ...(await runFleetBench(settings, section.notes)), measuredAt: new Date().toISOString() };
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const text = markdown(latest);
  writeFileSync(join(RESULTS_DIR, 'latest.md'), text);
  writeFileSync(LATEST_JSON, `${JSON.stringify(latest, null, 2)}\n`);
  for (const [name, svg] of Object.entries(plots(latest))) writeFileSync(join(RESULTS_DIR, name), svg);
  process.stdout.write(`\n${text}\n`);
  log(`written ${join(RESULTS_DIR, 'latest.md')}`);
  // The figures up to the failure are kept, but a run that did not finish is no success.
  if (fleetMode && !options.soak && latest.fleet.stoppedAt !== undefined) {
    log(`the run stopped at ${latest.fleet.stoppedAt} hosts (see the notes)`);
    process.exitCode = 1;
  }
}

function readLatest() {
  try {
    const { fleet, lab, classroom, labRepeat, soak } = JSON.parse(readFileSync(LATEST_JSON, 'utf8'));
    return Object.fromEntries(Object.entries({ fleet, lab, classroom, labRepeat, soak }).filter(([, value]) => value !== undefined));
  } catch {
    return {};
  }
}

function prepareLogDir(workdir) {
  // Logs outlive the work directory (removed at teardown) so a failed run can be read afterwards.
  const dir = `${workdir}-logs`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The lab's own work directory (Ansible's configurations, pyinfra's inventory and metadata), replaced
 * on every lab run; beside the fleet's, which a fleet run removes when it ends.
 */
function prepareLabDir(workdir) {
  const dir = `${workdir}-lab`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

let fleet;
let ansibleControlDirs = [];

/**
 * The peers to run, each { installedAs, version } or { error }; keys as in the result rows. pyinfra
 * from source keeps its metadata in `metaDir`; Ansible as shipped only runs in the fleet benchmark.
 */
async function findPeers({ metaDir, ansibleDefault = true }) {
  const peers = {};
  if (!options['no-ansible']) {
    const ansible = await describeAnsible();
    peers.ansibleTuned = ansible;
    if (ansibleDefault) peers.ansibleDefault = ansible;
    if (!options['no-mitogen']) peers.ansibleMitogen = await describeMitogen();
  }
  if (!options['no-pyinfra']) peers.pyinfra = await findPyinfra({ sourceDir: options['pyinfra-src'], metaDir });
  for (const [key, peer] of Object.entries(peers)) log(`peer ${key}: ${peer.error ? `cannot run: ${peer.error}` : peer.installedAs}`);
  return peers;
}

/**
 * The variants of `workload` on `count` hosts: { key, tool, peer, reps, run(label, files), reset() }.
 * A peer runs while within its bounds and while it has not failed or overrun on a smaller N.
 */
function variantsFor(workload, count, { settings, peers, inventories, configs, spec, logDir }) {
  const peerTimeoutMs = settings.peerTimeoutS * 1000;
  const reps = count >= LARGE_HOSTS ? Math.min(settings.largeReps, settings.reps) : settings.reps;
  const peerBound = workload === 'loop' ? Math.min(settings.peerMaxHosts, settings.peerLoopMaxHosts) : settings.peerMaxHosts;
  const peerRuns = (key) => peers[key] && !peers[key].error && !peers[key].failedAt && count <= (key === 'ansibleDefault' ? Math.min(peerBound, settings.ansibleDefaultMaxHosts) : peerBound);
  const hosts = fleet.hosts.slice(0, count);
  const resetTool = (dir, extraDirs = []) => () => {
    fleet.resetPaths(hosts, [dir]);
    for (const dir of extraDirs) rmSync(dir, { recursive: true, force: true });
  };
  const ansible = (key, config, appDir) => ({
    key,
    tool: 'ansible',
    peer: true,
    reps: settings.peerReps,
    run: (label, files) => ansibleApply({ playbook: files.ansible, config, inventory: inventories.yaml, logDir, label, timeoutMs: peerTimeoutMs, appDir }),
    // A first converge gathers facts: the tuned configurations' fact cache goes with the hosts' state.
    reset: resetTool(appDir, config.factCacheDir ? [config.factCacheDir] : []),
  });
  return [
    { key: 'runbook', tool: 'runbook', reps, run: (label, files) => runbookApply({ playbook: files.runbook, inventory: inventories.yaml, hosts: count, logDir, label }), reset: resetTool(TOOL_DIRS.runbook) },
    ...(peerRuns('ansibleTuned') ? [ansible('ansibleTuned', configs.tuned, TOOL_DIRS.ansible)] : []),
    ...(peerRuns('ansibleMitogen') ? [ansible('ansibleMitogen', configs.mitogen, TOOL_DIRS.ansibleMitogen)] : []),
    ...(workload === 'noop' && peerRuns('ansibleDefault') ? [ansible('ansibleDefault', configs.default, TOOL_DIRS.ansible)] : []),
    ...(peerRuns('pyinfra')
      ? [
          {
            key: 'pyinfra',
            tool: 'pyinfra',
            peer: true,
            reps: settings.peerReps,
            run: (label, files) => pyinfraApply({ pyinfra: peers.pyinfra, deploy: files.pyinfra, inventory: inventories.pyinfra, hosts: count, logDir, label, timeoutMs: peerTimeoutMs }),
            reset: resetTool(TOOL_DIRS.pyinfra),
          },
        ]
      : []),
    ...['batched', 'sequential'].map((mode) => ({
      key: mode === 'batched' ? 'floorBatched' : 'floorSequential',
      tool: 'floor',
      reps,
      run: (label) => floor({ spec, mode, hosts: count, logDir, label }),
      reset: resetTool(TOOL_DIRS.floor),
    })),
  ];
}

/**
 * Runs one variant and checks it. A peer's failure or overrun is recorded (the peer stops there and
 * the results say why) and returns undefined; runbook's or the floor's stops the benchmark.
 */
async function attempt(variant, peers, count, label, run, expectChanged) {
  try {
    return verify(`${variant.key} ${label}`, await run(), { hosts: count, changed: expectChanged });
  } catch (error) {
    if (!variant.peer || (error.message === 'interrupted')) throw error;
    const reason = error instanceof TimeoutError ? `did not finish within the bound: ${error.message}` : error.message;
    peers[variant.key].failedAt = { hosts: count, label, error: reason };
    log(`N=${count}: ${variant.key} stops here: ${reason}`);
    return undefined;
  }
}

/** Returns the fleet section's figures; adds its notes to `notes`. */
async function runFleetBench(settings, notes) {
  const logDir = prepareLogDir(options.workdir);
  fleet = new Fleet({ workdir: options.workdir, port: settings.port, log });
  log(`logs in ${logDir}`);
  await fleet.prepare();
  const peers = await findPeers({ metaDir: join(options.workdir, 'pyinfra-meta') });
  const configs = writeAnsibleConfigs(join(options.workdir, 'ansible'), fleet.knownHosts);
  ansibleControlDirs = Object.values(configs).map((config) => config.controlPathDir);
  const workloads = Object.fromEntries(settings.workloads.map((name) => [name, { rows: [] }]));
  let stoppedAt;
  for (const count of settings.hostCounts) {
    // A failure of runbook or the floor on a large N keeps the figures of the smaller ones.
    try {
      await benchHostCount(count, { settings, peers, configs, logDir, workloads });
    } catch (error) {
      if (interrupted) throw error;
      log(`N=${count}: stopped: ${error.message}`);
      notes.push(`**The run stopped at ${count} hosts**: ${error.message}`);
      stoppedAt = count;
      break;
    }
  }
  const startup = await measureStartup(logDir);
  notes.push(...fleetNotes(settings));
  const agreement = Object.values(workloads).flatMap((entry) => entry.rows.map((row) => row.ownCountAgrees));
  notes.push(
    agreement.every((agrees) => agrees === undefined)
      ? "runbook's --json report carries no per-host transport counts (RunSummary.transportStats is not written to it), so the counts above are sshd's alone."
      : `runbook's own per-host counts (transportStats in its --json report) ${agreement.every((agrees) => agrees !== false) ? 'agree' : 'DO NOT agree'} with sshd's.`,
  );
  return { workloads, peers, startup, ...(stoppedAt === undefined ? {} : { stoppedAt }) };
}

/** Every workload on `count` hosts; adds a row to each of `workloads`. */
async function benchHostCount(count, { settings, peers, configs, logDir, workloads }) {
  log(`N=${count}: starting ${count} sshd host(s)`);
  const hosts = await fleet.grow(count);
  const inventories = {
    yaml: writeInventory(fleet, hosts, join(options.workdir, `inventory-${count}.yml`)),
    pyinfra: writePyinfraInventory(fleet, hosts, join(options.workdir, `inventory-${count}.py`)),
  };
  for (const name of settings.workloads) {
    const workload = WORKLOADS[name];
    const spec = await writeFloorSpec(fleet, hosts, name, join(options.workdir, `floor-${name}-${count}.json`));
    const context = { settings, peers, inventories, configs, spec, logDir };
    let variants = variantsFor(name, count, context);
    const live = () => variants.filter((variant) => !variant.peer || !peers[variant.key].failedAt);
    const tag = `n${count}-${name}`;

    // Converged hosts first, for the re-runs: the loop's own file, or the 10 tasks when no converge ran.
    if (!workload.fresh) {
      const prepare = name === 'loop' ? { files: workload.files, changed: workload.prepareChangedPerHost } : { files: WORKLOADS.converge.files, changed: WORKLOADS.converge.changedPerHost };
      if (name === 'loop') {
        fleet.resetPaths(hosts, Object.values(TOOL_DIRS).map((dir) => join(dir, 'flags.conf')));
        writeFloorLoopFile(hosts);
      }
      if (name === 'loop' || !settings.workloads.includes('converge')) {
        log(`N=${count} ${name}: converging untimed`);
        const floorPrepare = name === 'noop' ? variantsFor('converge', count, { ...context, spec: await writeFloorSpec(fleet, hosts, 'converge', join(options.workdir, `floor-converge-${count}.json`)) }) : [];
        for (const variant of [...live().filter((candidate) => candidate.tool !== 'floor'), ...floorPrepare.filter((candidate) => candidate.key === 'floorBatched')]) {
          await attempt(variant, peers, count, 'converge', () => variant.run(`${tag}-${variant.key}-converge`, prepare.files), variant.tool === 'floor' ? 0 : prepare.changed[variant.tool] * count);
        }
      }
    }

    // One untimed run of each first, at LogLevel VERBOSE: connections and exec round trips per host
    // as each host's sshd counts them; caches warm, and every tool proven to do what is expected.
    const row = { hosts: count, counts: {}, resources: {}, loadBefore: loadavg()[0] };
    await fleet.setLogLevel('VERBOSE');
    for (const variant of live()) {
      if (workload.fresh) variant.reset();
      const mark = fleet.logMark();
      const result = await attempt(variant, peers, count, 'counted', () => variant.run(`${tag}-${variant.key}-counted`, workload.files), workload.changedPerHost[variant.tool] * count);
      if (result === undefined) continue;
      // sshd writes a session's last lines as it ends, just after the client has gone.
      await sleep(300);
      const seen = Object.values(fleet.sessionCounts(mark, hosts.map((host) => host.name)));
      row.counts[variant.key] = { connections: range(seen.map((host) => host.connections)), execs: range(seen.map((host) => host.execs)) };
      if (variant.key === 'runbook') row.ownCountAgrees = ownCountAgrees(result.json, mark);
    }
    await fleet.setLogLevel('ERROR');

    variants = live();
    const samples = Object.fromEntries(variants.map((variant) => [variant.key, []]));
    const rounds = Math.max(...variants.map((variant) => variant.reps));
    for (let round = 1; round <= rounds; round += 1) {
      for (const variant of live().filter((candidate) => candidate.reps >= round)) {
        if (workload.fresh) variant.reset();
        const hostCpuBefore = fleet.cpuSeconds(count);
        const result = await attempt(variant, peers, count, `round ${round}`, () => variant.run(`${tag}-${variant.key}-${round}`, workload.files), workload.changedPerHost[variant.tool] * count);
        if (result === undefined) continue;
        // Sessions' CPU reaches their sshd when it reaps them, just after the client has gone.
        await sleep(250);
        samples[variant.key].push({ ...result, hostCpuSeconds: fleet.cpuSeconds(count) - hostCpuBefore });
        log(`N=${count} ${name} round ${round}/${rounds}: ${variant.key} ${seconds(result.ms)}`);
      }
    }
    for (const [key, runs] of Object.entries(samples)) {
      if (runs.length === 0) continue;
      row[key] = summary(runs.map((sample) => sample.ms));
      row.resources[key] = {
        peakRssKb: Math.max(...runs.map((sample) => sample.peakRssKb ?? 0)) || undefined,
        controllerCpuSeconds: summary(runs.map((sample) => sample.cpuSeconds).filter((value) => value !== undefined))?.median,
        hostCpuSeconds: summary(runs.map((sample) => sample.hostCpuSeconds)).median,
        peakFds: runs.some((sample) => sample.peakFds !== undefined) ? Math.max(...runs.map((sample) => sample.peakFds ?? 0)) : undefined,
      };
    }
    row.loadAfter = loadavg()[0];
    workloads[name].rows.push(row);
    // Idle masters of this N would only weigh on the next runs.
    await stopControlMasters(ansibleControlDirs);
    process.stderr.write(`\n${workload.title}\n\n${timingTable([row])}\n\n${resourceTable([row])}\n\n`);
  }
}

const range = (values) => ({ min: Math.min(...values), max: Math.max(...values) });

/** runbook's own count (transportStats in its JSON report), when present, must agree with sshd's. */
function ownCountAgrees(json, mark) {
  const own = json.transportStats;
  if (own === undefined) return undefined;
  return Object.entries(fleet.sessionCounts(mark, Object.keys(own))).every(([name, seen]) => own[name]?.connections === seen.connections && own[name]?.execs === seen.execs);
}

function fleetNotes(settings) {
  return [
    `Hosts: one \`sshd -D\` per host on 127.0.3.1…, 127.0.4.1… (254 a /24) port ${settings.port}, each with its own config, fresh ed25519 host key and working directory (host variable \`root\`, a subdirectory per tool); one user with a clean home and /bin/sh; LogLevel ERROR while timing; UsePAM no.`,
    'Every tool reads the same hosts, user, client key and known_hosts, with host key checking on (pyinfra: ssh_strict_host_key_checking yes, from its own Python inventory). runbook runs with --forks N and pyinfra with --parallel N (all hosts at once).',
    'ansible tuned: forks 50, pipelining, ControlPersist 600 s without compression, gathering smart with a jsonfile fact cache (facts gathered at the first converge), interpreter_python fixed, internal_poll_interval 0.001. ansible + Mitogen: the same with strategy mitogen_linear. ansible default: no settings but private paths for its temp and ControlPath directories (forks 5, full facts every run, interpreter discovery, ControlPersist 60 s); no-op re-run only.',
    `Peers run ${settings.peerReps} time(s) per N up to ${settings.peerMaxHosts} hosts (the loop up to ${Math.min(settings.peerMaxHosts, settings.peerLoopMaxHosts)}, ansible default up to ${Math.min(settings.peerMaxHosts, settings.ansibleDefaultMaxHosts)}), each run bounded by ${settings.peerTimeoutS} s; a peer that fails or overruns stops there (see Peers). runbook and the floors run ${settings.reps} times per N (${Math.min(settings.largeReps, settings.reps)} from ${LARGE_HOSTS} hosts).`,
    'floor: bench/floor.mjs, Node + ssh2 with TCP_NODELAY, one connection per host, hosts in parallel (at most 100 handshakes at once, as runbook), either one exec per host (all commands joined with &&) or one exec per command; node start-up included, as for the CLIs. Its commands: for the no-op re-run, the 9 reads the tasks need (facts, stats, file contents, the guard, dpkg-query); for the first converge, the same with the writes (mkdir, printf > file and chmod for the three files, touch); for the loop, one grep per item.',
    'Every run is checked: exit 0, every host in the recap, nothing failed, and exactly the expected number changed. The order within a round is fixed: runbook, ansible tuned, ansible + Mitogen, ansible default, pyinfra, floor batched, floor sequential. One untimed run of each (counted at LogLevel VERBOSE) precedes the timed rounds; a first converge empties the tool\'s directory before every run.',
    "Resources: peak RSS is the largest single process's (GNU time; Ansible's forks and ssh clients are separate processes); controller CPU is user + system time of the command and the children it waited for (not Ansible's ControlPersist masters, which detach); host CPU is what every host's sshd and the sessions under it used during the run, from /proc (listeners' own and reaped children's times plus live sessions; a process that detaches from its session, e.g. by forking at start-up, escapes it); open file descriptors sampled every 50 ms in /proc/PID/fd of the runbook process.",
    '(d) the lab, with each peer on fresh sandbox hosts: `--lab`, in the lab section.',
  ];
}

/**
 * The soak: `hosts` hosts, converged, then `noopRuns` no-op re-runs in a row and `changedRuns` first
 * converges (runbook's directory emptied before each): nothing may fail, the no-ops may change
 * nothing; runbook's peak RSS and open file descriptors per run show whether anything accumulates.
 */
async function runSoak({ hosts: count, noopRuns, changedRuns, port }) {
  const logDir = prepareLogDir(options.workdir);
  fleet = new Fleet({ workdir: options.workdir, port, log });
  await fleet.prepare();
  log(`soak: starting ${count} sshd host(s)`);
  const hosts = await fleet.grow(count);
  const inventory = writeInventory(fleet, hosts, join(options.workdir, `inventory-${count}.yml`));
  const changedEach = WORKLOADS.converge.changedPerHost.runbook * count;
  const apply = (label) => runbookApply({ inventory, hosts: count, logDir, label: `soak-${label}` });
  verify('soak converge', await apply('converge'), { hosts: count, changed: changedEach });
  const runs = [];
  const plan = [
    ...Array.from({ length: noopRuns }, (_, index) => ({ kind: 'no-op', index: index + 1, changed: 0 })),
    ...Array.from({ length: changedRuns }, (_, index) => ({ kind: 'changed', index: index + 1, changed: changedEach })),
  ];
  for (const step of plan) {
    if (step.kind === 'changed') fleet.resetPaths(hosts, [TOOL_DIRS.runbook]);
    const result = verify(`soak ${step.kind} ${step.index}`, await apply(`${step.kind}-${step.index}`), { hosts: count, changed: step.changed });
    runs.push({ kind: step.kind, index: step.index, ms: result.ms, changed: result.changed, peakRssKb: result.peakRssKb, peakFds: result.peakFds });
    log(`soak ${step.kind} ${step.index}: ${seconds(result.ms)}, ${result.changed} changed, peak RSS ${Math.round(result.peakRssKb / 1024)} MB, ${result.peakFds ?? '?'} open fds at most`);
  }
  return { runs };
}

async function measureStartup(logDir) {
  const times = [];
  for (let run = 1; run <= 10; run += 1) {
    const result = await timed(process.execPath, [RUNBOOK_BIN, '--version'], { cwd: REPO, timeoutMs: 30_000, log: join(logDir, 'version.log') });
    if (result.code !== 0) throw new Error(`runbook --version exited ${result.code} (log: ${result.log})`);
    times.push(result.ms);
  }
  return summary(times);
}

async function teardown() {
  killRunning();
  // Ansible's ControlPersist masters outlive ansible-playbook: ask each to exit.
  await stopControlMasters(ansibleControlDirs);
  ansibleControlDirs = [];
  if (fleet) {
    log('tearing down the hosts');
    await fleet.teardown();
    fleet = undefined;
  }
}

let interrupted = false;
for (const name of ['SIGINT', 'SIGTERM']) {
  process.on(name, () => {
    if (interrupted) {
      log(`${name} again: tearing down and exiting now`);
      teardown().finally(() => process.exit(130));
      return;
    }
    interrupted = true;
    // The killed run makes the benchmark unwind through its own clean-ups (hosts, sandbox, lease).
    log(`${name}: stopping (again to exit at once)`);
    abortRuns();
  });
}

try {
  await main();
} catch (error) {
  // After an interrupt, the killed run's failure is expected, not news.
  if (!interrupted) process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = interrupted ? 130 : 1;
} finally {
  await teardown();
}
