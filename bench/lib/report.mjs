// Tables for the terminal and for bench/results/latest.md (the README includes that file's table).
import { classroomMarkdown } from './classroom.mjs';

export function milliseconds(ms) {
  return ms === undefined ? '—' : `${Math.round(ms)} ms`;
}

export function seconds(ms) {
  if (ms === undefined) return '—';
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(2)} s` : `${s.toFixed(1)} s`;
}

function spread(stats) {
  if (stats === undefined) return '—';
  if (stats.count === 1) return seconds(stats.median);
  return `${seconds(stats.median)} (${seconds(stats.min).replace(' s', '')}–${seconds(stats.max)})`;
}

function ratio(numerator, denominator) {
  if (numerator === undefined || denominator === undefined) return '—';
  const value = numerator / denominator;
  return value >= 10 ? `${value.toFixed(0)}×` : `${value.toFixed(2)}×`;
}

function markdownTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const perHost = (stats) => (stats === undefined ? '—' : stats.max === stats.min ? String(stats.max) : `${stats.min}–${stats.max}`);
const megabytes = (kb) => (kb === undefined ? '—' : `${Math.round(kb / 1024)} MB`);

/** The best floor: the cheaper of one exec per host and one exec per read. */
export function bestFloor(row) {
  const medians = [row.floorBatched?.median, row.floorSequential?.median].filter((value) => value !== undefined);
  return medians.length > 0 ? Math.min(...medians) : undefined;
}

export function timingTable(rows, label = 'N') {
  return markdownTable(
    [label, 'runbook', 'ansible tuned', 'ansible default', 'floor, 1 exec/host', 'floor, 1 exec/read', 'ansible tuned ÷ runbook', 'runbook ÷ floor'],
    rows.map((row) => [
      row.label ?? String(row.hosts),
      spread(row.runbook),
      spread(row.ansibleTuned),
      spread(row.ansibleDefault),
      spread(row.floorBatched),
      spread(row.floorSequential),
      ratio(row.ansibleTuned?.median, row.runbook?.median),
      ratio(row.runbook?.median, bestFloor(row)),
    ]),
  );
}

export function hostTable(rows, label = 'N') {
  return markdownTable(
    [label, 'SSH connections per host', 'exec round trips per host', 'runbook peak RSS', 'changed', 'load average (1 min) before → after'],
    rows.map((row) => [
      row.label ?? String(row.hosts),
      perHost(row.connections),
      perHost(row.execs),
      megabytes(row.peakRssKb),
      String(row.changed ?? 0),
      row.loadBefore === undefined ? '—' : `${row.loadBefore.toFixed(1)} → ${row.loadAfter.toFixed(1)}`,
    ]),
  );
}

/** The issue's goals, checked against the latest figures; a goal without figures is "not measured". */
export function goals({ fleet, lab }) {
  const rows = fleet?.rows ?? [];
  const at = (hosts) => rows.find((row) => row.hosts === hosts);
  const checks = [];
  const goal = (text, value, pass) => checks.push([text, value ?? 'not measured', value === undefined ? '—' : pass ? 'met' : 'MISSED']);
  const one = at(1);
  const fifty = at(50);
  const twoHundred = at(200);
  goal('1 host no-op ≤ 0.35 s', one?.runbook && seconds(one.runbook.median), one?.runbook?.median <= 350);
  goal('50 hosts no-op ≤ 2.5 s', fifty?.runbook && seconds(fifty.runbook.median), fifty?.runbook?.median <= 2500);
  goal(
    '50 hosts ≥ 45× faster than ansible tuned',
    fifty?.runbook && fifty?.ansibleTuned && ratio(fifty.ansibleTuned.median, fifty.runbook.median),
    fifty?.ansibleTuned?.median / fifty?.runbook?.median >= 45,
  );
  goal('50 hosts within 1.3× of the floor', fifty?.runbook && bestFloor(fifty) && ratio(fifty.runbook.median, bestFloor(fifty)), fifty?.runbook?.median / bestFloor(fifty ?? {}) <= 1.3);
  goal('200 hosts no-op ≤ 8 s', twoHundred?.runbook && seconds(twoHundred.runbook.median), twoHundred?.runbook?.median <= 8000);
  const counted = rows.filter((row) => row.connections);
  goal(
    '≤ 1 connection and ≤ 2 exec round trips per host (no-op)',
    counted.length > 0 ? `max ${Math.max(...counted.map((row) => row.connections.max))} connection(s), ${Math.max(...counted.map((row) => row.execs.max))} exec(s)` : undefined,
    counted.every((row) => row.connections.max <= 1 && row.execs.max <= 2),
  );
  goal('`runbook --version` ≤ 150 ms', fleet?.startup && milliseconds(fleet.startup.median), fleet?.startup?.median <= 150);
  goal('peak RSS at 200 hosts ≤ 250 MB', twoHundred?.peakRssKb && megabytes(twoHundred.peakRssKb), twoHundred?.peakRssKb <= 250 * 1024);
  const first = lab?.rows.find((row) => row.label === 'first apply');
  const noops = lab?.rows.filter((row) => row.label !== 'first apply') ?? [];
  goal('lab first apply ≤ 45 s', first?.runbook && seconds(first.runbook.median), first?.runbook?.median <= 45_000);
  goal(
    'lab no-op re-run ≤ 1.5 s, 0 changed',
    noops.length > 0 ? noops.map((row) => `${seconds(row.runbook.median)}, ${row.changed} changed`).join('; ') : undefined,
    noops.length > 0 && noops.every((row) => row.runbook.median <= 1500 && row.changed === 0),
  );
  return markdownTable(['goal (issue 6)', 'measured', ''], checks);
}

export function machineLine(machine) {
  return `${machine.cpus} CPUs (${machine.model}), ${machine.memoryGb} GB, ${machine.os}, kernel ${machine.kernel}, Node ${machine.node}, ansible-core ${machine.ansible}, ${machine.openssh}`;
}

const measuredLine = (section) => `Measured ${section.measuredAt} on ${machineLine(section.machine)}, with \`${section.command}\`.`;
const notesList = (section) => section.notes.map((note) => `- ${note}`);

/** latest.md: the fleet, lab and classroom sections, each from its own latest run, then the goals. */
export function markdown({ fleet, lab, classroom, labRepeat }) {
  const parts = ['# runbook benchmark: latest results', ''];
  if (fleet) {
    parts.push(
      '## No-op re-runs on N hosts',
      '',
      measuredLine(fleet),
      '',
      `The same 10 converged tasks (bench/workload/) on N OpenSSH servers on loopback, wall clock of the whole command: median (min–max) of ${fleet.settings.reps} interleaved runs (${
        fleet.settings.ansibleMaxHosts > 0 ? `Ansible: ${fleet.settings.ansibleReps}, up to ${fleet.settings.ansibleMaxHosts} hosts` : 'Ansible not run'
      }).`,
      '',
      timingTable(fleet.rows),
      '',
      "runbook per host, counted by each host's sshd (LogLevel VERBOSE, separate untimed no-op run); peak RSS of the runbook process (GNU time); the machine's 1-minute load average around the timed rounds (2 cores, shared with other work and with the benchmark's own processes):",
      '',
      hostTable(fleet.rows),
      '',
      `\`runbook --version\` starts in ${milliseconds(fleet.startup?.median)} (median of ${fleet.startup?.count ?? 0}; min ${milliseconds(fleet.startup?.min)}, max ${milliseconds(fleet.startup?.max)}).`,
      '',
      ...notesList(fleet),
      '',
    );
  }
  if (lab) {
    parts.push('## The lab (playbooks/lab.yml on fresh sandbox hosts)', '', measuredLine(lab), '', lab.note, '', timingTable(lab.rows, 'lab run'), '', hostTable(lab.rows, 'lab run'), '', ...notesList(lab), '');
  }
  if (classroom) parts.push(classroomMarkdown(classroom, measuredLine(classroom)));
  if (labRepeat) parts.push(labRepeatMarkdown(labRepeat, measuredLine(labRepeat)));
  parts.push('## Goals (issue 6)', '', goals({ fleet, lab }), '');
  return parts.join('\n');
}

/** Does the lab converge every time: one row per round, then every change a second apply made. */
function labRepeatMarkdown(run, measured) {
  const rows = run.rounds.map(
    (round) => `| ${round.round} | ${seconds(round.firstMs)} | ${round.firstChanged} | ${seconds(round.secondMs)} | ${round.secondChanged} |`,
  );
  const changes = run.rounds.flatMap((round) => round.changes.map((change) => `- round ${round.round}, ${change.host}: "${change.task}" ${change.message}`));
  return [
    '## Does the lab converge every time? (fresh hosts, apply, re-apply)',
    '',
    measured,
    '',
    run.note,
    '',
    '| round | first apply | changed | second apply | changed |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    run.converged ? 'Every second apply changed nothing.' : `Changes on a second apply:\n\n${changes.join('\n')}`,
    '',
  ].join('\n');
}
