// The real workload: fresh lab-profile sandbox hosts (nfs, kvm1, kvm2), the first apply of
// playbooks/lab.yml, then two no-op re-runs, in the same table layout as the fleet benchmark. Then each
// peer on fresh hosts of its own: the lab in its syntax, a first apply and a re-run, each recorded with
// how far it got.
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { summary, TimeoutError } from './measure.mjs';
import { stopControlMasters } from './proc.mjs';
import { ansibleProgress, pyinfraProgress, runbookProgress } from './progress.mjs';
import { seconds } from './report.mjs';
import { ansibleApply, pyinfraApply, REPO, runbookApply, verify } from './variants.mjs';
import { WORKLOAD_DIR, writeAnsibleConfigs, writePyinfraLabInventory } from './workload.mjs';

const LAB_PLAYBOOK = join(REPO, 'playbooks', 'lab.yml');
const ANSIBLE_LAB_PLAYBOOK = join(REPO, 'playbooks', 'ansible-lab', 'site.yml');
const PYINFRA_LAB_DIR = join(WORKLOAD_DIR, 'lab-pyinfra');
const LAB_HOSTS = 3;
const LEASE_WAIT_MS = 30 * 60_000;
const RUN_TIMEOUT_MS = 15 * 60_000;
const PEER_RUNS = ['first apply', 'no-op re-run'];

/** Per-host counts from runbook's own report (transportStats), when the report carries them. */
function transportCounts(json) {
  const stats = Object.values(json.transportStats ?? {});
  if (stats.length === 0) return {};
  const range = (values) => ({ min: Math.min(...values), max: Math.max(...values) });
  return { connections: range(stats.map((host) => host.connections)), execs: range(stats.map((host) => host.execs)) };
}

/**
 * The peers in the order they run the lab: how each is run on the hosts `up` made, how its output says
 * how far it got, and how it was run, for the results.
 */
function labPeers({ peers, configs, workdir, logDir }) {
  const ansible = (config, strategy) => ({
    apply: (up, label) => ansibleApply({ playbook: ANSIBLE_LAB_PLAYBOOK, config, inventory: up.inventoryFile, logDir, label, timeoutMs: RUN_TIMEOUT_MS }),
    progress: ansibleProgress,
    controlPathDir: config.controlPathDir,
    howRun: `\`ansible-playbook -i INVENTORY playbooks/ansible-lab/site.yml\` with the sandbox's own inventory as it is and the fleet benchmark's tuned configuration${strategy} (forks 50, pipelining, ControlPersist 600 s, facts cached, interpreter_python fixed), the sandbox's known_hosts with host key checking on. playbooks/ansible-lab is the lab as Ansible's own roles and modules write it (ansible.builtin, ansible.posix, community.libvirt), with the tiny boot-sector guest and no bridge; it moves the guest with runbook's migrate module, which Ansible does not have`,
  });
  return [
    { key: 'ansibleTuned', name: 'ansible tuned', ...ansible(configs.tuned, '') },
    { key: 'ansibleMitogen', name: 'ansible + Mitogen', ...ansible(configs.mitogen, ' with strategy mitogen_linear') },
    {
      key: 'pyinfra',
      name: 'pyinfra',
      apply: (up, label) =>
        pyinfraApply({
          pyinfra: peers.pyinfra,
          deploy: join(PYINFRA_LAB_DIR, 'deploy.py'),
          inventory: writePyinfraLabInventory(up.inventoryFile, join(workdir, 'pyinfra-inventory.py')),
          hosts: LAB_HOSTS,
          logDir,
          label,
          timeoutMs: RUN_TIMEOUT_MS,
          cwd: PYINFRA_LAB_DIR,
        }),
      progress: pyinfraProgress,
      howRun:
        "`pyinfra --parallel 3 INVENTORY.py deploy.py` in bench/workload/lab-pyinfra/, a pyinfra version of playbooks/lab.yml (the same steps, packages, guest and domain template; the migration checked from the NFS server before and after, without lab.yml's downtime measurement and disk-log check), its inventory written from the sandbox's: the same hosts, key and known_hosts, strict host key checking",
    },
  ].filter((peer) => peers[peer.key] !== undefined);
}

/** One run of a peer: its time, exit status and how far it got; an overrun is a result too. */
async function peerRun(peer, up, label, logLabel, logDir) {
  try {
    const result = await peer.apply(up, logLabel);
    return { label, ms: result.ms, exit: result.code ?? result.signal, ...peer.progress(readFileSync(result.log, 'utf8')) };
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    return { label, ms: RUN_TIMEOUT_MS, timedOut: true, ...peer.progress(readFileSync(join(logDir, `${logLabel}.log`), 'utf8')) };
  }
}

const describeRun = (run) => `${run.timedOut ? `killed after ${seconds(run.ms)}` : `${seconds(run.ms)}, exit ${run.exit}`}, ${run.changed} changed, ${run.done} ok${run.failure ? `; first failure: ${run.failure}` : ''}`;

export async function runLab({ log, logDir, workdir, peers }) {
  // The sandbox is shared (integration test runs use it too): hold its lease from up to down, so
  // no one replaces the hosts halfway, and wait politely while someone else holds it.
  const { acquireSandboxLease, sandboxDown, sandboxUp } = await import('../../dist/sandbox/sandbox.js');
  const lease = await acquireSandboxLease('the lab benchmark (npm run bench -- --lab)', {
    waitMs: LEASE_WAIT_MS,
    onWait: (holder) => log(`lab: ${holder}; waiting up to ${LEASE_WAIT_MS / 60_000} min`),
  });
  const freshHosts = (whose) => {
    log(`lab: fresh lab-profile sandbox hosts for ${whose} (what \`runbook sandbox up --profile lab\` does)`);
    return sandboxUp({ kind: 'lab' }, { leaseToken: lease.token, progress: (message) => log(`lab: ${message}`) });
  };
  const rows = [];
  const tools = [];
  let countsAvailable = false;
  let upMs;
  let controlPathDirs = [];
  try {
    const up = await freshHosts('runbook');
    upMs = up.durationMs;
    const runs = [
      { label: 'first apply', noop: false },
      { label: 'no-op re-run 1', noop: true },
      { label: 'no-op re-run 2', noop: true },
    ];
    const runbookRuns = [];
    for (const [index, { label }] of runs.entries()) {
      log(`lab: ${label}`);
      const loadBefore = loadavg()[0];
      const result = await runbookApply({ playbook: LAB_PLAYBOOK, inventory: up.inventoryFile, hosts: LAB_HOSTS, logDir, label: `lab-${index}`, timeoutMs: RUN_TIMEOUT_MS });
      // A no-op re-run that changes something is a result to report (a missed goal), not a reason to stop.
      verify(`lab ${label}`, result, { hosts: LAB_HOSTS });
      const counts = transportCounts(result.json);
      countsAvailable ||= counts.connections !== undefined;
      rows.push({ label, hosts: LAB_HOSTS, runbook: summary([result.ms]), peakRssKb: result.peakRssKb, changed: result.changed, loadBefore, loadAfter: loadavg()[0], ...counts });
      runbookRuns.push({ label: label.replace(/ \d$/, ''), ms: result.ms, exit: result.code, ...runbookProgress(result.json) });
      log(`lab: ${label} took ${(result.ms / 1000).toFixed(1)} s, ${result.changed} changed`);
    }
    tools.push({
      key: 'runbook',
      name: 'runbook',
      howRun: '`runbook apply playbooks/lab.yml -i INVENTORY --forks 3` with the sandbox\'s own inventory (its first two runs above)',
      runs: runbookRuns.slice(0, PEER_RUNS.length),
    });

    // The sandbox's known_hosts is at the same path on every up; each configuration's fact cache
    // starts empty and serves one tool's fresh hosts.
    const configs = writeAnsibleConfigs(join(workdir, 'ansible'), up.knownHostsFile);
    const labTools = labPeers({ peers, configs, workdir, logDir });
    controlPathDirs = labTools.flatMap((peer) => peer.controlPathDir ?? []);
    for (const peer of labTools) {
      const found = peers[peer.key];
      if (found.error) {
        log(`lab: ${peer.name} cannot run: ${found.error}`);
        tools.push({ key: peer.key, name: peer.name, error: found.error });
        continue;
      }
      const peerUp = await freshHosts(peer.name);
      const peerRuns = [];
      for (const [index, label] of PEER_RUNS.entries()) {
        log(`lab: ${peer.name} ${label}`);
        const run = await peerRun(peer, peerUp, label, `lab-${peer.key}-${index}`, logDir);
        peerRuns.push(run);
        log(`lab: ${peer.name} ${label}: ${describeRun(run)}`);
      }
      // Masters to hosts that the next up replaces would only linger.
      await stopControlMasters(controlPathDirs);
      tools.push({ key: peer.key, name: peer.name, installedAs: found.installedAs, howRun: peer.howRun, runs: peerRuns });
    }
  } finally {
    await stopControlMasters(controlPathDirs);
    log('lab: sandbox down');
    try {
      await sandboxDown({ leaseToken: lease.token });
    } finally {
      lease.release();
    }
  }
  return {
    rows,
    tools,
    runBoundMs: RUN_TIMEOUT_MS,
    note: `Fresh hosts as \`runbook sandbox up --profile lab\` makes them (took ${(upMs / 1000).toFixed(1)} s, not included), for runbook and again for each peer. For reference, issue 6 measured an idiomatic Ansible version of the lab on the same sandbox at 47–59 s to converge and 13–17.5 s for a no-op re-run, and the same steps by hand over ssh at about 40 s of apt and 2–3 s of migration.`,
    notes: [
      'lab: playbooks/lab.yml applied with runbook --forks 3 to the three sandbox hosts; wall clock of each whole command, one run each (first apply, then two no-op re-runs).',
      countsAvailable
        ? 'lab: connections and exec round trips per host as counted by runbook itself (transportStats in its --json report); the sandbox hosts\' sshd logs are not read.'
        : 'lab: connections and exec round trips per host are not shown: the --json report carries no transportStats and the sandbox hosts\' sshd logs are not read.',
    ],
  };
}

/** Every task and host that changed in a run's --json report: on a second apply, each is a convergence bug. */
function changedTasks(json) {
  return (json.plays ?? []).flatMap((play) =>
    (play.tasks ?? []).flatMap((task) =>
      Object.entries(task.results ?? {})
        .filter(([, result]) => result.status === 'changed')
        .map(([host, result]) => ({ task: task.name, host, message: result.message ?? '' })),
    ),
  );
}

/**
 * Does the lab converge every time? `repeats` rounds of fresh lab-profile sandbox hosts, a first
 * apply, then a second apply whose every change is listed by task and host.
 */
export async function runLabRepeat({ repeats, log, logDir }) {
  const { acquireSandboxLease, sandboxDown, sandboxUp } = await import('../../dist/sandbox/sandbox.js');
  const lease = await acquireSandboxLease('the lab convergence benchmark (npm run bench -- --lab-repeat N)', {
    waitMs: LEASE_WAIT_MS,
    onWait: (holder) => log(`lab-repeat: ${holder}; waiting up to ${LEASE_WAIT_MS / 60_000} min`),
  });
  const rounds = [];
  try {
    for (let round = 1; round <= repeats; round += 1) {
      log(`lab-repeat ${round}/${repeats}: fresh sandbox hosts`);
      const up = await sandboxUp({ kind: 'lab' }, { leaseToken: lease.token, progress: () => {} });
      const apply = (label) =>
        runbookApply({ playbook: LAB_PLAYBOOK, inventory: up.inventoryFile, hosts: LAB_HOSTS, logDir, label: `lab-repeat-${round}-${label}`, timeoutMs: RUN_TIMEOUT_MS });
      const first = await apply('first');
      verify(`lab-repeat ${round} first apply`, first, { hosts: LAB_HOSTS });
      const second = await apply('second');
      verify(`lab-repeat ${round} second apply`, second, { hosts: LAB_HOSTS });
      const changes = changedTasks(second.json);
      rounds.push({ round, firstMs: first.ms, firstChanged: first.changed, secondMs: second.ms, secondChanged: second.changed, changes });
      log(`lab-repeat ${round}/${repeats}: first ${(first.ms / 1000).toFixed(1)} s (${first.changed} changed), second ${(second.ms / 1000).toFixed(1)} s (${second.changed} changed)`);
      for (const change of changes) log(`lab-repeat ${round}: CHANGED on re-apply: ${change.host} "${change.task}" ${change.message}`);
    }
  } finally {
    log('lab-repeat: sandbox down');
    try {
      await sandboxDown({ leaseToken: lease.token });
    } finally {
      lease.release();
    }
  }
  return {
    rounds,
    converged: rounds.every((round) => round.secondChanged === 0),
    note: `${repeats} rounds of fresh lab-profile sandbox hosts (sandbox up not timed), playbooks/lab.yml applied twice each; every change on a second apply is listed by task and host.`,
  };
}
