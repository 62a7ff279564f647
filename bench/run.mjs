// The benchmark: runbook against ansible-playbook (tuned and as shipped) and the raw ssh2 floor, on N
// OpenSSH servers on loopback, no-op re-runs of the same 10 tasks, interleaved. Also the lab (--lab)
// and a classroom of sandbox pods graded at once (--classroom N).
//   npm run bench -- --hosts 1,10,50,200 --reps 5
//   npm run bench -- --lab
//   npm run bench -- --classroom 20 --classroom-apply 3
//   npm run bench -- --lab-repeat 5        (fresh hosts, apply, re-apply: does the lab always converge?)
// Writes bench/results/latest.md (and .json). Needs root (a user, sshd on 127.0.3.x, apt-get).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Fleet } from './lib/fleet.mjs';
import { stopControlMasters } from './lib/proc.mjs';
import { abortRuns, killRunning, summary, timed } from './lib/measure.mjs';
import { hostTable, markdown, seconds, timingTable } from './lib/report.mjs';
import { build, describeMachine, ensurePackages } from './lib/setup.mjs';
import { ansibleApply, floor, REPO, RUNBOOK_BIN, runbookApply, verify } from './lib/variants.mjs';
import { writeAnsibleConfigs, writeFloorSpec, writeInventory } from './lib/workload.mjs';

const USAGE = `usage: npm run bench -- [--hosts 1,10,50,200] [--reps 5] [--ansible-reps R] [--ansible-max-hosts 50]
                        [--no-ansible] [--no-build] [--port 22] [--workdir /tmp/rb-bench] [--lab]
                        [--classroom PODS [--classroom-apply PODS]] [--lab-repeat ROUNDS]`;

const { values: options } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1,10,50,200' },
    reps: { type: 'string', default: '5' },
    'ansible-reps': { type: 'string' },
    'ansible-max-hosts': { type: 'string', default: '50' },
    'no-ansible': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    port: { type: 'string', default: '22' },
    workdir: { type: 'string', default: '/tmp/rb-bench' },
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
const RESULTS_DIR = join(REPO, 'bench', 'results');
const LATEST_JSON = join(RESULTS_DIR, 'latest.json');

async function main() {
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (process.getuid() !== 0) throw new Error('the benchmark needs root: it adds a user and starts sshd on 127.0.3.x');
  const settings = {
    hostCounts: options.hosts.split(',').map((text) => wholeNumber(text.trim(), '--hosts')).sort((a, b) => a - b),
    reps: wholeNumber(options.reps, '--reps'),
    ansibleReps: wholeNumber(options['ansible-reps'] ?? options.reps, '--ansible-reps'),
    ansibleMaxHosts: options['no-ansible'] ? 0 : wholeNumber(options['ansible-max-hosts'], '--ansible-max-hosts', 0),
    port: wholeNumber(options.port, '--port'),
  };
  await ensurePackages(log);
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
    latest.lab = { ...section, ...(await runLab({ log, logDir: prepareLogDir(options.workdir) })), measuredAt: new Date().toISOString() };
  } else {
    latest.fleet = { ...section, settings, ...(await runFleetBench(settings, section.notes)), measuredAt: new Date().toISOString() };
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const text = markdown(latest);
  writeFileSync(join(RESULTS_DIR, 'latest.md'), text);
  writeFileSync(LATEST_JSON, `${JSON.stringify(latest, null, 2)}\n`);
  process.stdout.write(`\n${text}\n`);
  log(`written ${join('bench', 'results', 'latest.md')}`);
}

function readLatest() {
  try {
    const { fleet, lab, classroom, labRepeat } = JSON.parse(readFileSync(LATEST_JSON, 'utf8'));
    return { ...(fleet ? { fleet } : {}), ...(lab ? { lab } : {}), ...(classroom ? { classroom } : {}), ...(labRepeat ? { labRepeat } : {}) };
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

let fleet;
let ansibleControlDirs = [];

/** Returns the fleet section's figures; adds its notes to `notes`. */
async function runFleetBench(settings, notes) {
  const rows = [];
  const logDir = prepareLogDir(options.workdir);
  fleet = new Fleet({ workdir: options.workdir, port: settings.port, log });
  log(`logs in ${logDir}`);
  await fleet.prepare();
  const ansibleConfigs = writeAnsibleConfigs(join(options.workdir, 'ansible'), fleet.knownHosts);
  ansibleControlDirs = Object.values(ansibleConfigs).map((config) => config.controlPathDir);
  for (const count of settings.hostCounts) {
    log(`N=${count}: starting ${count} sshd host(s)`);
    const hosts = await fleet.grow(count);
    const inventory = writeInventory(fleet, hosts, join(options.workdir, `inventory-${count}.yml`));
    const spec = await writeFloorSpec(fleet, hosts, join(options.workdir, `floor-${count}.json`));
    const withAnsible = count <= settings.ansibleMaxHosts;
    const variants = [
      { key: 'runbook', reps: settings.reps, run: (label) => runbookApply({ inventory, hosts: count, logDir, label }) },
      ...(withAnsible
        ? [
            { key: 'ansibleTuned', reps: settings.ansibleReps, run: (label) => ansibleApply({ config: ansibleConfigs.tuned, inventory, logDir, label }) },
            { key: 'ansibleDefault', reps: settings.ansibleReps, run: (label) => ansibleApply({ config: ansibleConfigs.default, inventory, logDir, label }) },
          ]
        : []),
      { key: 'floorBatched', reps: settings.reps, run: (label) => floor({ spec, mode: 'batched', hosts: count, logDir, label }) },
      { key: 'floorSequential', reps: settings.reps, run: (label) => floor({ spec, mode: 'sequential', hosts: count, logDir, label }) },
    ];

    log(`N=${count}: converging`);
    verify('runbook converge', await runbookApply({ inventory, hosts: count, logDir, label: `n${count}-runbook-converge` }), { hosts: count, noop: false });
    if (withAnsible) {
      verify('ansible converge', await ansibleApply({ config: ansibleConfigs.tuned, inventory, logDir, label: `n${count}-ansible-converge` }), { hosts: count, noop: false });
    }
    // One untimed no-op of each first: caches warm, Python byte-compiled, facts cached, all proven to be no-ops.
    for (const variant of variants) verify(`${variant.key} warm-up`, await variant.run(`n${count}-${variant.key}-warmup`), { hosts: count, noop: true });

    const row = { hosts: count, ...(await countSessions(count, logDir, inventory)), loadBefore: loadavg()[0] };
    const times = Object.fromEntries(variants.map((variant) => [variant.key, []]));
    const rss = [];
    const rounds = Math.max(...variants.map((variant) => variant.reps));
    for (let round = 1; round <= rounds; round += 1) {
      for (const variant of variants.filter((candidate) => candidate.reps >= round)) {
        const result = verify(variant.key, await variant.run(`n${count}-${variant.key}-${round}`), { hosts: count, noop: true });
        times[variant.key].push(result.ms);
        if (variant.key === 'runbook' && result.peakRssKb !== undefined) rss.push(result.peakRssKb);
        log(`N=${count} round ${round}/${rounds}: ${variant.key} ${seconds(result.ms)}`);
      }
    }
    for (const [key, values] of Object.entries(times)) row[key] = summary(values);
    row.peakRssKb = rss.length > 0 ? Math.max(...rss) : undefined;
    row.loadAfter = loadavg()[0];
    rows.push(row);
    // Idle masters of this N would only weigh on the next one.
    await stopControlMasters(ansibleControlDirs);
    process.stderr.write(`\n${timingTable([row])}\n\n${hostTable([row])}\n\n`);
  }
  const startup = await measureStartup(logDir);
  notes.push(
    `Hosts: one \`sshd -D\` per host on 127.0.3.1…N port ${settings.port}, each with its own config, fresh ed25519 host key and working directory (host variable \`root\`); one user with a clean home and /bin/sh; LogLevel ERROR while timing; UsePAM no.`,
    'Both tools read the same YAML inventory, client key and known_hosts, with host key checking on. runbook runs with --forks N (all hosts at once).',
    'ansible tuned: forks 50, pipelining, ControlPersist 600 s without compression, gathering smart with a jsonfile fact cache (facts gathered once, at converge), interpreter_python fixed, internal_poll_interval 0.001. ansible default: no settings but private paths for its temp and ControlPath directories (forks 5, full facts every run, interpreter discovery, ControlPersist 60 s).',
    'floor: bench/floor.mjs, Node + ssh2 with TCP_NODELAY, one connection per host, hosts in parallel, the 9 reads the no-op run needs (facts, stats, file contents, the guard, dpkg-query), as one exec per host or one exec per read; node start-up included, as for the CLIs.',
    'Every run is checked: exit 0, every host in the recap, nothing failed, and (for no-op re-runs) nothing changed. The order within a round is fixed: runbook, ansible tuned, ansible default, floor batched, floor sequential. One untimed warm-up run of each precedes the timed rounds.',
  );
  const agreement = rows.map((row) => row.ownCountAgrees);
  notes.push(
    agreement.every((agrees) => agrees === undefined)
      ? "runbook's --json report carries no per-host transport counts (RunSummary.transportStats is not written to it), so the counts above are sshd's alone."
      : `runbook's own per-host counts (transportStats in its --json report) ${agreement.every((agrees) => agrees !== false) ? 'agree' : 'DO NOT agree'} with sshd's.`,
  );
  return { rows, startup };
}

/**
 * Connections and exec round trips per host for one untimed no-op runbook run, counted by sshd at
 * LogLevel VERBOSE; runbook's own count (transportStats in the JSON report) is kept when present.
 */
async function countSessions(count, logDir, inventory) {
  await fleet.setLogLevel('VERBOSE');
  const mark = fleet.logMark();
  const result = verify('runbook (counted)', await runbookApply({ inventory, hosts: count, logDir, label: `n${count}-runbook-counted` }), { hosts: count, noop: true });
  // sshd writes a session's last lines as it ends, just after the client has gone.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const counts = Object.values(fleet.sessionCounts(mark, fleet.hosts.slice(0, count).map((host) => host.name)));
  await fleet.setLogLevel('ERROR');
  const range = (values) => ({ min: Math.min(...values), max: Math.max(...values) });
  const own = result.json.transportStats;
  return {
    connections: range(counts.map((host) => host.connections)),
    execs: range(counts.map((host) => host.execs)),
    // runbook's own count, when its report carries one: it must agree with what the servers saw.
    ownCountAgrees:
      own === undefined
        ? undefined
        : Object.entries(fleet.sessionCounts(mark, Object.keys(own))).every(
            ([name, seen]) => own[name]?.connections === seen.connections && own[name]?.execs === seen.execs,
          ),
    changed: result.changed,
  };
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
