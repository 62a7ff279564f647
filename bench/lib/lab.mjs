// The real workload: fresh lab-profile sandbox hosts (nfs, kvm1, kvm2), the first apply of
// playbooks/lab.yml, then two no-op re-runs, in the same table layout as the fleet benchmark.
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { summary } from './measure.mjs';
import { REPO, runbookApply, verify } from './variants.mjs';

const LAB_PLAYBOOK = join(REPO, 'playbooks', 'lab.yml');
const LAB_HOSTS = 3;
const LEASE_WAIT_MS = 30 * 60_000;

/** Per-host counts from runbook's own report (transportStats), when the report carries them. */
function transportCounts(json) {
  const stats = Object.values(json.transportStats ?? {});
  if (stats.length === 0) return {};
  const range = (values) => ({ min: Math.min(...values), max: Math.max(...values) });
  return { connections: range(stats.map((host) => host.connections)), execs: range(stats.map((host) => host.execs)) };
}

export async function runLab({ log, logDir }) {
  // The sandbox is shared (integration test runs use it too): hold its lease from up to down, so
  // no one replaces the hosts halfway, and wait politely while someone else holds it.
  const { acquireSandboxLease, sandboxDown, sandboxUp } = await import('../../dist/sandbox/sandbox.js');
  const lease = await acquireSandboxLease('the lab benchmark (npm run bench -- --lab)', {
    waitMs: LEASE_WAIT_MS,
    onWait: (holder) => log(`lab: ${holder}; waiting up to ${LEASE_WAIT_MS / 60_000} min`),
  });
  const rows = [];
  let countsAvailable = false;
  let upMs;
  try {
    log('lab: starting fresh lab-profile sandbox hosts (what `runbook sandbox up --profile lab` does)');
    const up = await sandboxUp({ kind: 'lab' }, { leaseToken: lease.token, progress: (message) => log(`lab: ${message}`) });
    upMs = up.durationMs;
    const runs = [
      { label: 'first apply', noop: false },
      { label: 'no-op re-run 1', noop: true },
      { label: 'no-op re-run 2', noop: true },
    ];
    for (const [index, { label }] of runs.entries()) {
      log(`lab: ${label}`);
      const loadBefore = loadavg()[0];
      const result = await runbookApply({ playbook: LAB_PLAYBOOK, inventory: up.inventoryFile, hosts: LAB_HOSTS, logDir, label: `lab-${index}`, timeoutMs: 15 * 60_000 });
      // A no-op re-run that changes something is a result to report (a missed goal), not a reason to stop.
      verify(`lab ${label}`, result, { hosts: LAB_HOSTS });
      const counts = transportCounts(result.json);
      countsAvailable ||= counts.connections !== undefined;
      rows.push({ label, hosts: LAB_HOSTS, runbook: summary([result.ms]), peakRssKb: result.peakRssKb, changed: result.changed, loadBefore, loadAfter: loadavg()[0], ...counts });
      log(`lab: ${label} took ${(result.ms / 1000).toFixed(1)} s, ${result.changed} changed`);
    }
  } finally {
    log('lab: sandbox down');
    try {
      await sandboxDown({ leaseToken: lease.token });
    } finally {
      lease.release();
    }
  }
  return {
    rows,
    note: `Fresh hosts as \`runbook sandbox up --profile lab\` makes them (took ${(upMs / 1000).toFixed(1)} s, not included). Ansible was not run here; for reference, issue 6 measured an idiomatic Ansible version of the lab on the same sandbox at 47–59 s to converge and 13–17.5 s for a no-op re-run, and the same steps by hand over ssh at about 40 s of apt and 2–3 s of migration.`,
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
        runbookApply({ playbook: LAB_PLAYBOOK, inventory: up.inventoryFile, hosts: LAB_HOSTS, logDir, label: `lab-repeat-${round}-${label}`, timeoutMs: 15 * 60_000 });
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
