// Tables for the terminal and for bench/results/latest.md, and its plots (bench/README.md shows them).
import { classroomMarkdown } from './classroom.mjs';
import { logLogPlot } from './plot.mjs';
import { WORKLOADS } from './workload.mjs';

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

/** The best floor: the cheaper of one exec per host and one exec per command. */
export function bestFloor(row) {
  const medians = [row.floorBatched?.median, row.floorSequential?.median].filter((value) => value !== undefined);
  return medians.length > 0 ? Math.min(...medians) : undefined;
}

/** The tools in the order of the tables and plots; keys as in the result rows. */
export const TOOLS = [
  ['runbook', 'runbook'],
  ['ansibleTuned', 'ansible tuned'],
  ['ansibleMitogen', 'ansible + Mitogen'],
  ['ansibleDefault', 'ansible default'],
  ['pyinfra', 'pyinfra'],
  ['floorBatched', 'floor, 1 exec/host'],
  ['floorSequential', 'floor, 1 exec/command'],
];
const PEERS = TOOLS.slice(1, 5);

/** A table without the columns no row has a figure for (a peer not run, a lab without floors). */
function tableOfColumns(columns, rows) {
  const kept = columns.filter((column) => column.always || rows.some((row) => column.cell(row) !== '—'));
  return markdownTable(
    kept.map((column) => column.header),
    rows.map((row) => kept.map((column) => column.cell(row))),
  );
}

/** Wall-clock medians (min–max) per tool, each peer's time ÷ runbook's, runbook's ÷ the best floor. */
export function timingTable(rows, label = 'N') {
  return tableOfColumns(
    [
      { header: label, always: true, cell: (row) => row.label ?? String(row.hosts) },
      ...TOOLS.map(([key, name]) => ({ header: name, cell: (row) => spread(row[key]) })),
      ...PEERS.map(([key, name]) => ({ header: `${name} ÷ runbook`, cell: (row) => ratio(row[key]?.median, row.runbook?.median) })),
      { header: 'runbook ÷ floor', cell: (row) => ratio(row.runbook?.median, bestFloor(row)) },
    ],
    rows,
  );
}

const cpu = (value) => (value === undefined ? '—' : `${value.toFixed(value < 10 ? 2 : 1)} s`);

/** Per N and tool: peak RSS, CPU on the controller and on the hosts, connections and execs per host. */
export function resourceTable(rows) {
  const lines = rows.flatMap((row) =>
    TOOLS.filter(([key]) => row[key] !== undefined).map(([key, name]) => {
      const resources = row.resources?.[key] ?? {};
      return [
        String(row.hosts),
        name,
        megabytes(resources.peakRssKb),
        cpu(resources.controllerCpuSeconds),
        cpu(resources.hostCpuSeconds),
        perHost(row.counts?.[key]?.connections),
        perHost(row.counts?.[key]?.execs),
        resources.peakFds === undefined ? '—' : String(resources.peakFds),
      ];
    }),
  );
  return markdownTable(['N', 'tool', 'peak RSS', 'CPU, controller', 'CPU, hosts', 'SSH connections per host', 'exec round trips per host', 'open fds (peak)'], lines);
}

/** The lab's per-run figures (runbook alone): counts from its own report. */
export function hostTable(rows, label) {
  return markdownTable(
    [label, 'SSH connections per host', 'exec round trips per host', 'runbook peak RSS', 'changed', 'load average (1 min) before → after'],
    rows.map((row) => [
      row.label,
      perHost(row.connections),
      perHost(row.execs),
      megabytes(row.peakRssKb),
      String(row.changed ?? 0),
      row.loadBefore === undefined ? '—' : `${row.loadBefore.toFixed(1)} → ${row.loadAfter.toFixed(1)}`,
    ]),
  );
}

/** How far a lab run got, in one table cell. */
function howFar(run) {
  const ending = run.timedOut ? `; killed at the ${seconds(run.ms)} bound` : '';
  const failure = run.failure ? `; first failure: ${run.failure.replaceAll('|', '\\|')}` : run.exit === 0 && !run.timedOut ? ', nothing failed' : '';
  return `${run.done} ok${ending}${failure}`;
}

/** The lab per tool and run: wall time, exit status, changed, how far it got. */
export function labToolsTable(tools) {
  return markdownTable(
    ['tool', 'run', 'wall', 'exit', 'changed', 'how far (task results ok, summed over the hosts)'],
    tools.flatMap((tool) =>
      tool.error
        ? [[tool.name, '—', '—', '—', '—', `could not run: ${tool.error}`]]
        : tool.runs.map((run) => [tool.name, run.label, run.timedOut ? `> ${seconds(run.ms)}` : seconds(run.ms), run.timedOut ? 'killed' : String(run.exit), String(run.changed), howFar(run)]),
    ),
  );
}

/** How each tool ran the lab, and how it was installed. */
function labToolNotes(tools) {
  return tools.filter((tool) => !tool.error).map((tool) => `- ${tool.name}: ${tool.howRun}${tool.installedAs ? `; ${tool.installedAs}` : ''}.`);
}

/** A fleet section from before the workloads (rows of no-op re-runs only) reads as the no-op workload. */
function fleetWorkloads(fleet) {
  return fleet?.workloads ?? (fleet?.rows ? { noop: { rows: fleet.rows } } : {});
}

/** Checks a goal: `value` is the figure shown, undefined when not measured. */
function goalChecker() {
  const checks = [];
  const goal = (text, value, pass) => checks.push([text, value ?? 'not measured', value === undefined ? '—' : pass ? 'met' : 'MISSED']);
  return { goal, checks };
}

/** The goals of issue 6 (the no-op re-run against Ansible), checked against the latest figures. */
export function goals({ fleet, lab }) {
  const rows = fleetWorkloads(fleet).noop?.rows ?? [];
  const at = (hosts) => rows.find((row) => row.hosts === hosts);
  const { goal, checks } = goalChecker();
  const one = at(1);
  const fifty = at(50);
  const twoHundred = at(200);
  const rss = (row) => row?.resources?.runbook?.peakRssKb ?? row?.peakRssKb;
  goal('1 host no-op ≤ 0.35 s', one?.runbook && seconds(one.runbook.median), one?.runbook?.median <= 350);
  goal('50 hosts no-op ≤ 2.5 s', fifty?.runbook && seconds(fifty.runbook.median), fifty?.runbook?.median <= 2500);
  goal(
    '50 hosts ≥ 45× faster than ansible tuned',
    fifty?.runbook && fifty?.ansibleTuned && ratio(fifty.ansibleTuned.median, fifty.runbook.median),
    fifty?.ansibleTuned?.median / fifty?.runbook?.median >= 45,
  );
  goal('50 hosts within 1.3× of the floor', fifty?.runbook && bestFloor(fifty) && ratio(fifty.runbook.median, bestFloor(fifty)), fifty?.runbook?.median / bestFloor(fifty ?? {}) <= 1.3);
  goal('200 hosts no-op ≤ 8 s', twoHundred?.runbook && seconds(twoHundred.runbook.median), twoHundred?.runbook?.median <= 8000);
  const counted = rows.map((row) => row.counts?.runbook ?? (row.connections ? { connections: row.connections, execs: row.execs } : undefined)).filter(Boolean);
  goal(
    '≤ 1 connection and ≤ 2 exec round trips per host (no-op)',
    counted.length > 0 ? `max ${Math.max(...counted.map((count) => count.connections.max))} connection(s), ${Math.max(...counted.map((count) => count.execs.max))} exec(s)` : undefined,
    counted.every((count) => count.connections.max <= 1 && count.execs.max <= 2),
  );
  goal('`runbook --version` ≤ 150 ms', fleet?.startup && milliseconds(fleet.startup.median), fleet?.startup?.median <= 150);
  goal('peak RSS at 200 hosts ≤ 250 MB', rss(twoHundred) && megabytes(rss(twoHundred)), rss(twoHundred) <= 250 * 1024);
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

/** The goals of the fast-peers issue: pyinfra and Mitogen at 50 hosts, 1000-host memory, the loop. */
export function peerGoals({ fleet }) {
  const workloads = fleetWorkloads(fleet);
  const at = (name, hosts) => workloads[name]?.rows.find((row) => row.hosts === hosts);
  const { goal, checks } = goalChecker();
  const faster = (name, peer, times) => {
    const row = at(name, 50);
    const value = row?.[peer] && row.runbook ? row[peer].median / row.runbook.median : undefined;
    return [value === undefined ? undefined : `${ratio(row[peer].median, row.runbook.median)} (${seconds(row.runbook.median)} against ${seconds(row[peer].median)})`, value >= times];
  };
  goal('50 hosts, (a) no-op: runbook ≥ 4× faster than pyinfra', ...faster('noop', 'pyinfra', 4));
  goal('50 hosts, (b) first converge: runbook ≥ 3× faster than pyinfra', ...faster('converge', 'pyinfra', 3));
  goal('50 hosts, (a) no-op: runbook ≥ 10× faster than ansible + Mitogen', ...faster('noop', 'ansibleMitogen', 10));
  goal('50 hosts, (b) first converge: runbook ≥ 10× faster than ansible + Mitogen', ...faster('converge', 'ansibleMitogen', 10));
  const thousand = at('noop', 1000)?.resources?.runbook?.peakRssKb;
  goal('1000 hosts, (a) no-op: peak RSS ≤ 500 MB', thousand && megabytes(thousand), thousand <= 500 * 1024);
  const loopOne = at('loop', 1)?.runbook?.median;
  const loopFifty = at('loop', 50)?.runbook?.median;
  goal('(c) 100-item loop on 1 host ≤ 0.5 s', loopOne && seconds(loopOne), loopOne <= 500);
  goal('(c) 100-item loop on 50 hosts ≤ 2× the 1-host figure', loopOne && loopFifty && `${seconds(loopFifty)}, ${ratio(loopFifty, loopOne)} the 1-host figure`, loopFifty <= 2 * loopOne);
  return markdownTable(['goal (the fast peers)', 'measured', ''], checks);
}

/** How each peer was installed, or why it did not run, and where it stopped. */
function peersList(peers) {
  const names = Object.fromEntries(TOOLS);
  return Object.entries(peers ?? {}).map(([key, peer]) => {
    if (peer.error) return `- ${names[key]}: could not run: ${peer.error}`;
    const stopped = peer.failedAt ? `; stopped at ${peer.failedAt.hosts} hosts (${peer.failedAt.label}): ${peer.failedAt.error}` : '';
    return `- ${names[key]}: ${peer.installedAs}${stopped}`;
  });
}

export function machineLine(machine) {
  return `${machine.cpus} CPUs (${machine.model}), ${machine.memoryGb} GB, ${machine.os}, kernel ${machine.kernel}, Node ${machine.node}, ansible-core ${machine.ansible}, ${machine.openssh}`;
}

const measuredLine = (section) => `Measured ${section.measuredAt} on ${machineLine(section.machine)}, with \`${section.command}\`.`;
const notesList = (section) => section.notes.map((note) => `- ${note}`);

/** The plots written next to latest.md: one per workload, wall time against N. */
export function plots({ fleet }) {
  return Object.fromEntries(
    Object.entries(fleetWorkloads(fleet)).map(([name, { rows }]) => [
      `latest-${name}.svg`,
      logLogPlot({
        title: WORKLOADS[name].title,
        series: [...TOOLS.slice(0, 5), ['floor', 'floor (best)']]
          .map(([key, label]) => ({ label, points: rows.map((row) => [row.hosts, key === 'floor' ? bestFloor(row) : row[key]?.median]).filter(([, ms]) => ms !== undefined) }))
          .filter((series) => series.points.length > 0),
      }),
    ]),
  );
}

function fleetMarkdown(fleet) {
  const settings = fleet.settings;
  const parts = ['## N hosts on loopback: runbook, its peers and the floor', '', measuredLine(fleet), ''];
  for (const [name, { rows }] of Object.entries(fleetWorkloads(fleet))) {
    parts.push(
      `### ${WORKLOADS[name].title}`,
      '',
      `${WORKLOADS[name].what[0].toUpperCase()}${WORKLOADS[name].what.slice(1)}. Wall clock of the whole command, median (min–max) of ${settings.reps ?? '?'} interleaved runs for runbook and the floors${settings.peerReps ? `, ${settings.peerReps} for the peers` : ''}.`,
      '',
      timingTable(rows),
      '',
      `![${WORKLOADS[name].title}: wall time against N, log axes](latest-${name}.svg)`,
      '',
      resourceTable(rows),
      '',
      `Load average (1 min) before → after the timed rounds: ${rows.map((row) => `${row.hosts}: ${row.loadBefore?.toFixed(1)} → ${row.loadAfter?.toFixed(1)}`).join('; ')}.`,
      '',
    );
  }
  parts.push(
    `\`runbook --version\` starts in ${milliseconds(fleet.startup?.median)} (median of ${fleet.startup?.count ?? 0}; min ${milliseconds(fleet.startup?.min)}, max ${milliseconds(fleet.startup?.max)}).`,
    '',
    ...(fleet.peers ? ['Peers:', '', ...peersList(fleet.peers), ''] : []),
    ...notesList(fleet),
    '',
  );
  return parts.join('\n');
}

function soakMarkdown(soak) {
  const { runs, settings } = soak;
  const mb = runs.map((run) => run.peakRssKb / 1024);
  const fds = runs.map((run) => run.peakFds).filter((value) => value !== undefined);
  const table = markdownTable(
    ['run', 'wall', 'changed', 'peak RSS', 'open fds (peak)'],
    runs.map((run) => [`${run.kind} ${run.index}`, seconds(run.ms), String(run.changed), megabytes(run.peakRssKb), String(run.peakFds ?? '—')]),
  );
  return [
    `## Soak: ${settings.hosts} hosts, ${settings.noopRuns} no-op runs then ${settings.changedRuns} changed runs`,
    '',
    measuredLine(soak),
    '',
    `Each run a new runbook process (the first converge of bench/workload/runbook.yml after emptying runbook's directory on every host for a changed run). Every run exited 0 with every host in the recap, nothing failed, ${settings.noopRuns} no-op runs changed nothing. Peak RSS ${Math.round(Math.min(...mb))}–${Math.round(Math.max(...mb))} MB; open file descriptors of the runbook process at most ${fds.length > 0 ? `${Math.min(...fds)}–${Math.max(...fds)}` : '—'} (sampled every 50 ms).`,
    '',
    table,
    '',
  ].join('\n');
}

/** latest.md: the fleet, soak, lab and classroom sections, each from its own latest run, then the goals. */
export function markdown({ fleet, lab, classroom, labRepeat, soak }) {
  const parts = ['# runbook benchmark: latest results', ''];
  if (fleet) parts.push(fleetMarkdown(fleet));
  if (soak) parts.push(soakMarkdown(soak));
  if (lab) {
    parts.push('## The lab (playbooks/lab.yml on fresh sandbox hosts)', '', measuredLine(lab), '', lab.note, '', timingTable(lab.rows, 'lab run'), '', hostTable(lab.rows, 'lab run'), '', ...notesList(lab), '');
    if (lab.tools) {
      parts.push(
        '### The lab with its peers, each on fresh sandbox hosts of its own',
        '',
        `A first apply, then a re-run, whatever the first apply's outcome (after a failed one it is a second attempt rather than a no-op), each bounded by ${lab.runBoundMs / 60_000} min. "ok" counts the task results that succeeded, ok or changed, summed over the hosts (pyinfra: its operations; Ansible: a loop once per task and host); the first failure is the tool's own error, on one line.`,
        '',
        labToolsTable(lab.tools),
        '',
        ...labToolNotes(lab.tools),
        '',
      );
    }
  }
  if (classroom) parts.push(classroomMarkdown(classroom, measuredLine(classroom)));
  if (labRepeat) parts.push(labRepeatMarkdown(labRepeat, measuredLine(labRepeat)));
  parts.push('## Goals (the fast peers)', '', peerGoals({ fleet }), '', '## Goals (issue 6)', '', goals({ fleet, lab }), '');
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
