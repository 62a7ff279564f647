import type { CellState, GradeChange, GradeReport, PodGrade } from '../../grade/types.js';
import {
  GLYPHS,
  STATE_WORDS,
  applies,
  cellOf,
  clockTime,
  dateTime,
  describeChange,
  mergeGroups,
  percent,
  plural,
  stepName,
  stepNumbers,
  summaryLine,
  worstStep,
} from './format.js';

/**
 * The grade as one self-contained page: the pod × step matrix (each cell's detail on hover, and with
 * the per-host checks on click), the pass rate of each step, the failures shared by several pods and
 * the changes since the last round. It loads nothing (its Content-Security-Policy forbids it), so it
 * can be mailed, archived or opened offline.
 *
 * The matrix is the contract browser tests read: `table#matrix`, a `tr[data-pod]` per pod and a
 * `td[data-step][data-state]` per cell.
 */
export function renderGradeHtml(report: GradeReport): string {
  const title = `Grade: ${report.playbook}, ${dateTime(report.gradedAt)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escape(title)}</title>
<style>${CSS}</style>
</head>
<body>
${heading(report)}
<div class="layout">
<div class="matrix">
${matrix(report)}
<p class="key">${(Object.keys(GLYPHS) as CellState[]).map((state) => `<span class="chip" data-state="${state}">${GLYPHS[state]}</span> ${STATE_WORDS[state]}`).join(' ')} · <span class="chip sample stuck-sample">&nbsp;</span> where the pod is stuck${report.changes.length > 0 ? ' · <span class="chip sample changed">&nbsp;</span> changed since the last round' : ''} · click a cell for its checks</p>
</div>
<aside id="detail" aria-live="polite"><p class="empty">Click a cell to see what was checked on each host of the pod.</p></aside>
</div>
${changesSection(report)}${groupsSection(report)}${stepsSection(report)}
<script type="application/json" id="grade-data">${scriptJson(panelData(report))}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function heading(report: GradeReport): string {
  const worst = worstStep(report);
  const worstText =
    worst === undefined
      ? ''
      : ` · worst step: ${report.steps[worst.index]!.number} “${escape(report.steps[worst.index]!.name)}”, done by ${percent(worst.rate)} of the pods`;
  return `<header>
<h1>Classroom grade: ${escape(report.playbook)}</h1>
<p class="meta">graded <time datetime="${escape(report.gradedAt)}">${dateTime(report.gradedAt)}</time> in ${(report.durationMs / 1000).toFixed(1)} s · inventory ${escape(report.inventory)} · ${plural(report.pods.length, 'pod')} × ${plural(report.steps.length, 'step')}</p>
<p class="summary"><strong>${escape(summaryLine(report))}</strong>${worstText}</p>
</header>`;
}

function matrix(report: GradeReport): string {
  const changed = new Map(report.changes.map((change) => [`${change.pod}\n${change.step}`, change]));
  const worst = worstStep(report);
  const head = report.steps
    .map((step) => `<th scope="col" class="step" title="${escape(`${step.number}. ${step.name}`)}"><span>${step.number} ${escape(step.name)}</span></th>`)
    .join('');
  const rates = report.steps
    .map((_step, index) => {
      if (!applies(report, index)) return `<td class="rate">${GLYPHS.na}</td>`;
      const rate = report.passRates[index] ?? 0;
      return `<td class="rate${index === worst?.index ? ' worst' : ''}" style="--rate: ${percent(rate)}">${percent(rate)}</td>`;
    })
    .join('');
  return `<table id="matrix">
<thead><tr><th scope="col" class="pod">pod</th>${head}<th scope="col">score</th><th scope="col">result</th><th scope="col">stuck at</th></tr></thead>
<tbody>
${report.pods.map((pod) => podRow(report, pod, changed)).join('\n')}
</tbody>
<tfoot><tr><th scope="row">% done</th>${rates}<td colspan="3"></td></tr></tfoot>
</table>`;
}

function podRow(report: GradeReport, pod: PodGrade, changed: Map<string, GradeChange>): string {
  const cells = report.steps.map((step, index) => {
    const cell = cellOf(pod, index);
    const reachedAt = pod.reachedAt[index];
    const reached = reachedAt === undefined ? '' : clockTime(reachedAt);
    const change = changed.get(`${pod.pod}\n${step.number}`);
    const title = [
      `${pod.pod} · step ${step.number}. ${step.name}`,
      `${STATE_WORDS[cell.state]}${reached === '' ? '' : ` (reached at ${reached})`}${change === undefined ? '' : `, was ${STATE_WORDS[change.from]} last round`}`,
      cell.detail,
    ].join('\n');
    const classes = [...(change === undefined ? [] : ['changed']), ...(pod.stuckAt === step.number ? ['stuck'] : [])];
    return `<td data-step="${step.number}" data-state="${cell.state}"${classes.length > 0 ? ` class="${classes.join(' ')}"` : ''} tabindex="0" title="${escape(title)}"><span class="glyph">${GLYPHS[cell.state]}</span>${reached === '' ? '' : `<small>${reached}</small>`}</td>`;
  });
  const verdict = pod.passed ? '<span class="chip" data-state="done">✓ pass</span>' : '<span class="chip" data-state="failed">✗ fail</span>';
  return `<tr data-pod="${escape(pod.pod)}"><th scope="row" title="${escape(pod.pod)}">${escape(pod.pod)}</th>${cells.join('')}<td class="score">${percent(pod.score)}</td><td>${verdict}</td><td class="progress">${progress(report, pod)}</td></tr>`;
}

function progress(report: GradeReport, pod: PodGrade): string {
  if (pod.stuckAt === undefined) return '<span class="complete">complete</span>';
  const name = stepName(report, pod.stuckAt);
  const since = pod.stuckSince === undefined ? '' : ` <span class="since">since ${clockTime(pod.stuckSince)}</span>`;
  return `<span class="stuck-step" title="${escape(`stuck at ${pod.stuckAt}. ${name}`)}">${pod.stuckAt} ${escape(name)}</span>${since}`;
}

function changesSection(report: GradeReport): string {
  if (report.changes.length === 0) return '';
  const items = report.changes.map((change) => {
    const name = stepName(report, change.step);
    return `<li data-state="${change.to}"><span class="chip" data-state="${change.to}">${GLYPHS[change.to]}</span> <strong>${escape(change.pod)}</strong>: step ${change.step} “${escape(name)}” ${describeChange(change)}</li>`;
  });
  return `<section><h2>Since the last round</h2>\n<ul id="changes">\n${items.join('\n')}\n</ul></section>\n`;
}

function groupsSection(report: GradeReport): string {
  if (report.groups.length === 0) return '';
  const items = mergeGroups(report.groups).map((group) => {
    const [only] = group.steps;
    const where =
      group.steps.length === 1 && only !== undefined
        ? `step ${only} “${escape(stepName(report, only))}”`
        : `steps ${stepNumbers(group.steps)}`;
    return `<li data-state="${group.state}"><span class="chip" data-state="${group.state}">${GLYPHS[group.state]}</span> <strong>${plural(group.pods.length, 'pod')}</strong> <span class="pods">(${group.pods.map(escape).join(', ')})</span>: ${where}: <code>${escape(group.detail)}</code></li>`;
  });
  return `<section><h2>Not in place, by step and detail</h2>\n<ul id="groups">\n${items.join('\n')}\n</ul></section>\n`;
}

function stepsSection(report: GradeReport): string {
  const items = report.steps.map((step, index) => {
    const weight = step.weight === 1 ? '' : ` <span class="weight">weight ${step.weight}</span>`;
    const rate = applies(report, index) ? ` <span class="weight">${percent(report.passRates[index] ?? 0)} done</span>` : '';
    const message = step.message === undefined ? '' : `<br><span class="message">${escape(step.message)}</span>`;
    return `<li value="${step.number}">${escape(step.name)}${weight}${rate}${message}</li>`;
  });
  return `<section><h2>Steps</h2>\n<ol id="steps">\n${items.join('\n')}\n</ol></section>\n`;
}

/** What the detail panel shows, per cell: the page's script reads it by row and column. */
function panelData(report: GradeReport): unknown {
  return {
    steps: report.steps.map((step) => ({ number: step.number, name: step.name, message: step.message, hint: step.hint })),
    pods: report.pods.map((pod) => ({
      pod: pod.pod,
      stuckAt: pod.stuckAt,
      cells: report.steps.map((_step, index) => {
        const reachedAt = pod.reachedAt[index];
        return { ...cellOf(pod, index), reachedAt: reachedAt === undefined ? undefined : clockTime(reachedAt) };
      }),
    })),
    glyphs: GLYPHS,
    words: STATE_WORDS,
  };
}

/** JSON inside a <script> element: no "<" may stay (it could close the element), nor the JS line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** For text and for attribute values (always written in double quotes). */
function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

/*
 * Okabe–Ito colours (told apart with every common colour-vision deficiency), pale behind dark, and a
 * glyph in every cell so that nothing rests on colour alone.
 */
const CSS = `
:root { --done: #00704f; --done-bg: #dcf1e7; --todo: #8a5800; --todo-bg: #fcefd2; --failed: #b23c00; --failed-bg: #fbdfd0;
  --unreachable: #8e3f73; --unreachable-bg: #f3e0ec; --na: #8a8a8a; --na-bg: #f1f1f1; --line: #d9dce1; --muted: #5f6670; }
* { box-sizing: border-box; }
body { margin: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1f2328; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
.meta { margin: 0; color: var(--muted); }
.summary { margin: 6px 0 20px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
.layout { display: flex; gap: 24px; align-items: flex-start; flex-wrap: wrap; }
.matrix { overflow-x: auto; }
table#matrix { border-collapse: separate; border-spacing: 3px; }
#matrix th { font-weight: 600; text-align: left; white-space: nowrap; padding: 2px 8px 2px 2px; }
#matrix tbody th { max-width: 200px; overflow: hidden; text-overflow: ellipsis; }
#matrix thead th { vertical-align: bottom; color: var(--muted); font-weight: 500; }
#matrix thead th.step { padding: 0; width: 42px; }
#matrix thead th.step span { display: block; writing-mode: vertical-rl; transform: rotate(180deg); max-height: 170px; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; margin: 0 auto; padding: 4px 0; }
#matrix td { text-align: center; padding: 0 8px; white-space: nowrap; }
#matrix td[data-state] { width: 42px; height: 38px; padding: 0; border-radius: 5px; cursor: pointer; line-height: 1.1; }
#matrix td[data-state] .glyph { display: block; font-size: 17px; font-weight: 700; }
#matrix td[data-state="todo"] .glyph { font-size: 26px; line-height: 20px; }
#matrix td[data-state] small { display: block; font-size: 10px; opacity: 0.85; }
#matrix td[data-state]:hover, #matrix td[data-state]:focus { outline: 2px solid #1f2328; outline-offset: 1px; }
#matrix td.selected { outline: 3px solid #0072b2; outline-offset: 1px; }
#matrix td.stuck, .stuck-sample { box-shadow: inset 0 0 0 2px currentColor; }
#matrix td.changed, .chip.changed { background-image: linear-gradient(225deg, #0072b2 8px, transparent 8px); }
.chip.sample { background-color: var(--na-bg); color: #1f2328; }
[data-state="done"] { color: var(--done); background: var(--done-bg); }
[data-state="todo"] { color: var(--todo); background: var(--todo-bg); }
[data-state="failed"] { color: var(--failed); background: var(--failed-bg); }
[data-state="unreachable"] { color: var(--unreachable); background: var(--unreachable-bg); }
[data-state="na"] { color: var(--na); background: var(--na-bg); }
li[data-state] { background: none; color: inherit; }
.chip { display: inline-block; min-width: 1.6em; padding: 0 6px; border-radius: 4px; font-weight: 700; text-align: center; }
#matrix td.score { text-align: right; font-variant-numeric: tabular-nums; }
#matrix td.progress { text-align: left; color: var(--muted); }
.stuck-step { display: inline-block; max-width: 220px; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; color: #1f2328; }
.since { font-size: 12px; }
.complete { color: var(--done); }
#matrix tfoot th { color: var(--muted); font-weight: 500; }
#matrix td.rate { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; padding: 2px 0;
  background: linear-gradient(to top, #cfe3f1 var(--rate, 0%), transparent var(--rate, 0%)); border-radius: 3px; }
#matrix td.rate.worst { color: var(--failed); font-weight: 700; }
.key { color: var(--muted); font-size: 13px; }
aside#detail { flex: 1 1 300px; max-width: 460px; overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; position: sticky; top: 16px; background: #fafbfc; }
aside#detail .empty { color: var(--muted); margin: 0; }
aside#detail h2 { margin: 0 0 2px; font-size: 15px; }
aside#detail p { margin: 6px 0; }
aside#detail .text { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
aside#detail .hint { border-left: 4px solid var(--todo); background: var(--todo-bg); padding: 6px 10px; color: #1f2328; }
aside#detail table { border-collapse: collapse; width: 100%; font-size: 12.5px; margin-top: 8px; }
aside#detail th, aside#detail td { border-top: 1px solid var(--line); padding: 4px 8px 4px 0; text-align: left; vertical-align: top; }
aside#detail td.host, aside#detail td.status { white-space: nowrap; }
aside#detail td.message { overflow-wrap: anywhere; }
ul#groups, ul#changes { padding-left: 0; list-style: none; }
ul#groups li, ul#changes li { margin: 5px 0; }
.pods { color: var(--muted); }
ol#steps li { margin: 3px 0; }
.weight { font-size: 12px; color: var(--muted); border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; margin-left: 4px; }
.message { color: var(--muted); font-size: 13px; }
`;

/** Fills the detail panel from the JSON above: text only (textContent), so no data becomes markup. */
const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('grade-data').textContent);
  const panel = document.getElementById('detail');
  const element = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  };
  const show = (td) => {
    const pod = data.pods[td.parentElement.sectionRowIndex];
    const index = data.steps.findIndex((step) => String(step.number) === td.dataset.step);
    const step = data.steps[index];
    const cell = pod.cells[index];
    const state = element('p');
    state.append(element('span', data.glyphs[cell.state] + ' ' + data.words[cell.state], 'chip'));
    state.firstChild.dataset.state = cell.state;
    if (cell.reachedAt) state.append(' reached at ' + cell.reachedAt);
    const parts = [element('h2', pod.pod + ' · step ' + step.number), element('p', step.name), state];
    if (cell.detail) parts.push(element('p', cell.detail, 'text'));
    if (step.message) parts.push(element('p', step.message, 'message'));
    if (pod.stuckAt === step.number && step.hint) parts.push(element('p', 'Hint: ' + step.hint, 'hint'));
    if (cell.checks.length > 0) {
      // The task column only says something when the step is made of several tasks.
      const tasks = cell.checks.some((check) => check.task !== step.name);
      const table = element('table');
      const header = table.insertRow();
      for (const name of tasks ? ['host', 'task', 'status', 'message'] : ['host', 'status', 'message']) header.append(element('th', name));
      for (const check of cell.checks) {
        const row = table.insertRow();
        row.append(element('td', check.host, 'host'));
        if (tasks) row.append(element('td', check.task));
        row.append(element('td', check.status, 'status'), element('td', check.message, 'message'));
      }
      parts.push(table);
    }
    panel.replaceChildren(...parts);
    document.querySelectorAll('#matrix td.selected').forEach((other) => other.classList.remove('selected'));
    td.classList.add('selected');
  };
  const matrix = document.getElementById('matrix');
  matrix.addEventListener('click', (event) => {
    const td = event.target.closest('td[data-step]');
    if (td) show(td);
  });
  matrix.addEventListener('keydown', (event) => {
    const td = event.target.closest('td[data-step]');
    if (td && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      show(td);
    }
  });
})();
`;
