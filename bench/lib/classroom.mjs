// A classroom on sandbox pods: N pods of the lab's three hosts (`runbook sandbox up --profile lab
// --pods N`), the lab applied to the first M of them, then `runbook grade` timed over all N pods.
// Also what N idle pods cost this machine (memory, time to start).
import { readFileSync } from 'node:fs';
import { freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { summary, timed } from './measure.mjs';
import { REPO, RUNBOOK_BIN, runbookApply } from './variants.mjs';

const LAB_PLAYBOOK = join(REPO, 'playbooks', 'lab.yml');
const HOSTS_PER_POD = 3;
const LEASE_WAIT_MS = 30 * 60_000;
const MINUTE = 60_000;

/** Memory in use on the machine, MB (what `free` calls used: total less available). */
function usedMemoryMb() {
  const available = Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? freemem() / 1024);
  return Math.round((totalmem() / 1024 - available) / 1024);
}

async function grade({ inventory, logDir, label }) {
  const log = join(logDir, `${label}.log`);
  const json = join(logDir, `${label}.json`);
  const result = await timed(process.execPath, [RUNBOOK_BIN, 'grade', LAB_PLAYBOOK, '-i', inventory, '--json', json], {
    env: { ...process.env, NO_COLOR: '1' },
    cwd: REPO,
    timeoutMs: 5 * MINUTE,
    log,
  });
  // Exit 1 is a class not yet complete: a grade, not a failure of the run.
  if (result.code !== 0 && result.code !== 1) throw new Error(`grade ${label}: exit ${result.code ?? result.signal} (log: ${log})`);
  return { ...result, report: JSON.parse(readFileSync(json, 'utf8')) };
}

export async function runClassroom({ pods, applyPods, reps, log, logDir }) {
  const { acquireSandboxLease, sandboxDown, sandboxUp } = await import('../../dist/sandbox/sandbox.js');
  const lease = await acquireSandboxLease('the classroom benchmark (npm run bench -- --classroom)', {
    waitMs: LEASE_WAIT_MS,
    onWait: (holder) => log(`classroom: ${holder}; waiting up to ${LEASE_WAIT_MS / 60_000} min`),
  });
  try {
    // Before anything else of the sandbox runs: the idle pods' memory is the difference.
    await sandboxDown({ leaseToken: lease.token });
    const memoryBefore = usedMemoryMb();
    const up = await sandboxUp({ kind: 'lab', pods }, { leaseToken: lease.token, progress: (message) => log(`classroom: ${message}`) });
    // Let the hosts' systemd finish booting before memory is read.
    await new Promise((done) => setTimeout(done, 20_000));
    const idle = { upMs: up.durationMs, memoryMb: usedMemoryMb() - memoryBefore };
    log(`classroom: up in ${(up.durationMs / 1000).toFixed(1)} s; ${idle.memoryMb} MB for ${pods} idle pods`);

    let apply;
    if (applyPods > 0) {
      const limit = Array.from({ length: applyPods }, (_, index) => `pod${String(index + 1).padStart(2, '0')}`).join(':');
      log(`classroom: applying the lab to ${applyPods} pods (${limit})`);
      const loadBefore = loadavg()[0];
      const applied = await runbookApply({ playbook: LAB_PLAYBOOK, inventory: up.inventoryFile, hosts: applyPods * HOSTS_PER_POD, logDir, label: 'classroom-apply', timeoutMs: 30 * MINUTE, limit });
      if (applied.code !== 0) throw new Error(`the lab apply to ${applyPods} pods failed: exit ${applied.code} (log: ${applied.log})`);
      apply = { pods: applyPods, ms: applied.ms, changed: applied.changed, peakRssKb: applied.peakRssKb, loadBefore, loadAfter: loadavg()[0] };
      log(`classroom: lab applied to ${applyPods} pods in ${(applied.ms / 1000).toFixed(1)} s`);
    }

    const rounds = [];
    for (let round = 1; round <= reps; round += 1) {
      const graded = await grade({ inventory: up.inventoryFile, logDir, label: `classroom-grade-${round}` });
      rounds.push(graded);
      log(`classroom: grade ${round} of ${reps}: ${(graded.ms / 1000).toFixed(2)} s (load average ${loadavg()[0].toFixed(1)})`);
    }
    const last = rounds.at(-1).report;
    const stats = Object.values(last.transportStats ?? {});
    const complete = last.pods.filter((pod) => pod.stuckAt === undefined).length;
    return {
      pods,
      hosts: pods * HOSTS_PER_POD,
      idle,
      apply,
      grade: {
        timing: summary(rounds.map((round) => round.ms)),
        peakRssKb: Math.max(...rounds.map((round) => round.peakRssKb ?? 0)),
        connections: { min: Math.min(...stats.map((host) => host.connections)), max: Math.max(...stats.map((host) => host.connections)) },
        execs: { min: Math.min(...stats.map((host) => host.execs)), max: Math.max(...stats.map((host) => host.execs)) },
        podsGraded: last.pods.length,
        complete,
        steps: last.steps.length,
      },
    };
  } finally {
    log('classroom: sandbox down');
    try {
      await sandboxDown({ leaseToken: lease.token });
    } finally {
      lease.release();
    }
  }
}

/** The classroom section of latest.md. */
export function classroomMarkdown(classroom, measuredLine) {
  const { pods, hosts, idle, apply, grade: graded } = classroom;
  const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const rows = [
    ['sandbox up, warm image', `${pods} pods (${hosts} hosts)`, seconds(idle.upMs)],
    ['memory of the idle pods', `${pods} pods`, `${idle.memoryMb} MB (${Math.round(idle.memoryMb / pods)} MB a pod)`],
    ...(apply ? [['first apply of playbooks/lab.yml', `${apply.pods} pods (${apply.pods * HOSTS_PER_POD} hosts)`, `${seconds(apply.ms)}, ${apply.changed} changed`]] : []),
    [
      `runbook grade, median (min–max) of ${graded.timing.count}`,
      `${graded.podsGraded} pods (${hosts} hosts, ${graded.steps} steps), ${graded.complete} complete`,
      `${seconds(graded.timing.median)} (${seconds(graded.timing.min)}–${seconds(graded.timing.max)})`,
    ],
    ['SSH connections per host while grading', '', graded.connections.min === graded.connections.max ? String(graded.connections.max) : `${graded.connections.min}–${graded.connections.max}`],
    ['exec round trips per host while grading', '', `${graded.execs.min}–${graded.execs.max}`],
    ['grade peak RSS', '', `${Math.round(graded.peakRssKb / 1024)} MB`],
  ];
  const table = ['| what | on | measured |', '|---|---|---|', ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
  const goal = graded.podsGraded < 20 ? 'not measured by this run (fewer than 20 pods)' : graded.timing.median <= 5000 && graded.connections.max <= 1 ? 'met' : 'missed';
  return [
    '## A classroom (sandbox pods, runbook grade)',
    '',
    measuredLine,
    '',
    table,
    '',
    `Goal (issue 12): grading ≥ 20 pods in ≤ 5 s with one SSH connection per host: ${goal} (${graded.podsGraded} pods, ${seconds(graded.timing.median)}, ${graded.connections.max} connection${graded.connections.max === 1 ? '' : 's'} per host at most).`,
    '',
  ].join('\n');
}
