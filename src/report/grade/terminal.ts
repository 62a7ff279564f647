import type { GradeChange, GradeReport, PodGrade } from '../../grade/types.js';
import type { Style } from '../style.js';
import {
  GLYPHS,
  applies,
  cellOf,
  clockTime,
  columns,
  describeChange,
  mergeGroups,
  type MergedGroup,
  oneLine,
  padEnd,
  paintState,
  percent,
  plural,
  podLabels,
  stepName,
  stepNumbers,
  summaryLine,
  truncate,
  worstStep,
} from './format.js';

/** Wide enough for a step number and for the pass rate below it, up to "100". */
const STEP_COLUMN = 3;
/** Pod names longer than this are cut in the matrix (the student view has them whole). */
const MAX_POD_COLUMN = 16;
const RATES_LABEL = '% done';

/**
 * `runbook grade`: one row per pod, one one-glyph column per step, then the step names, the pass rate
 * of each step, the failures shared by several pods, and a summary. Every line fits in `width` columns
 * as long as the steps do (about 20 steps in 120 columns).
 */
export function renderGradeMatrix(report: GradeReport, style: Style, width = 120): string {
  const podColumn = Math.min(MAX_POD_COLUMN, Math.max(RATES_LABEL.length, ...report.pods.map((pod) => columns(oneLine(pod.pod)))));
  const stepColumns = (cell: (index: number) => string) => report.steps.map((_step, index) => ` ${cell(index)}`).join('');
  const header = `${'pod'.padEnd(podColumn)}${stepColumns((index) => String(report.steps[index]!.number).padStart(STEP_COLUMN))}  score  result  progress`;
  const progressColumn = width - columns(header) + 'progress'.length;
  const rows = report.pods.map((pod) => {
    const name = padEnd(truncate(oneLine(pod.pod), podColumn), podColumn);
    const cells = stepColumns((index) => {
      const { state } = cellOf(pod, index);
      return `${' '.repeat(STEP_COLUMN - 1)}${paintState(style, state, GLYPHS[state])}`;
    });
    const verdict = pod.passed ? style.status('ok', 'pass') : style.status('failed', 'fail');
    return `${name}${cells}  ${percent(pod.score).padStart(5)}  ${verdict}    ${progress(report, pod, style, progressColumn)}`;
  });
  const rates = stepColumns((index) =>
    (applies(report, index) ? String(Math.round((report.passRates[index] ?? 0) * 100)) : GLYPHS.na).padStart(STEP_COLUMN),
  );
  return [
    style.bold(truncate(`GRADE ${report.playbook} -i ${report.inventory} at ${clockTime(report.gradedAt)} (${(report.durationMs / 1000).toFixed(1)} s)`, width)),
    '',
    style.bold(header),
    ...rows,
    style.dim('─'.repeat(Math.min(width, podColumn + report.steps.length * (STEP_COLUMN + 1)))),
    `${RATES_LABEL.padEnd(podColumn)}${rates}`,
    ...worstLine(report, width),
    '',
    ...legend(report, width),
    `${GLYPHS.done} done  ${GLYPHS.todo} todo  ${GLYPHS.failed} failed  ${GLYPHS.unreachable} unreachable  ${GLYPHS.na} n/a`,
    ...groupSection(report, 'Failing, by step and message:', (group) => group.state !== 'todo', style, width),
    ...groupSection(report, 'Not done yet, by step and detail:', (group) => group.state === 'todo', style, width),
    '',
    style.bold(summaryLine(report)),
  ].join('\n');
}

/** Below this many columns for its name, the stuck step loses its "since" to keep some of the name. */
const MIN_NAME = 8;

/** "complete", or where the pod is stuck and since when, cut to the column left at the end of the row. */
function progress(report: GradeReport, pod: PodGrade, style: Style, width: number): string {
  if (pod.stuckAt === undefined) return style.status('ok', truncate('complete', width));
  const lead = `stuck at ${pod.stuckAt} `;
  const name = oneLine(stepName(report, pod.stuckAt));
  const since = pod.stuckSince === undefined ? '' : ` since ${clockTime(pod.stuckSince)}`;
  const room = width - columns(lead) - columns(since);
  if (room < MIN_NAME) return truncate(`${lead}${name}`, width);
  return `${lead}${truncate(name, room)}${style.dim(since)}`;
}

function worstLine(report: GradeReport, width: number): string[] {
  const worst = worstStep(report);
  if (worst === undefined) return [];
  const step = report.steps[worst.index]!;
  const lead = `worst step: ${step.number} "`;
  const tail = `", done by ${percent(worst.rate)} of the pods`;
  return [`${lead}${truncate(oneLine(step.name), width - columns(lead) - columns(tail))}${tail}`];
}

/** The step names below the matrix, in two columns (top to bottom, then the next) when there is room. */
function legend(report: GradeReport, width: number): string[] {
  const numberWidth = String(Math.max(...report.steps.map((step) => step.number), 1)).length;
  const perLine = width >= 80 && report.steps.length > 4 ? 2 : 1;
  const entryWidth = Math.floor((width - (perLine - 1) * 2) / perLine);
  const entries = report.steps.map((step) => {
    const lead = `${String(step.number).padStart(numberWidth)} `;
    const weight = step.weight === 1 ? '' : ` (weight ${step.weight})`;
    return `${lead}${truncate(oneLine(step.name), entryWidth - columns(lead) - columns(weight))}${weight}`;
  });
  const lines = Math.ceil(entries.length / perLine);
  return Array.from({ length: lines }, (_line, line) => {
    const left = entries[line]!;
    const right = entries[line + lines];
    return right === undefined ? left : `${padEnd(left, entryWidth)}  ${right}`;
  });
}

/** The groups of one kind (failing, or not done yet) under a heading, one line each. */
function groupSection(report: GradeReport, heading: string, wanted: (group: MergedGroup) => boolean, style: Style, width: number): string[] {
  const groups = mergeGroups(report.groups).filter(wanted);
  const labels = podLabels(report.pods.map((pod) => pod.pod));
  return groups.length === 0 ? [] : ['', heading, ...groups.map((group) => groupLine(report, group, labels, style, width))];
}

/** Room the pod list of a group line may take: a few names, never most of the line. */
const POD_LIST_SHARE = 0.3;

/**
 * `✗ 3 pods (02, 04, 06): step 6 "The export mounted …": mount.nfs: access denied`, in `width`
 * columns; a group over several steps names only their numbers (`steps 6–12: …`).
 */
function groupLine(report: GradeReport, group: MergedGroup, labels: Map<string, string>, style: Style, width: number): string {
  const pods = podList(group.pods.map((pod) => oneLine(labels.get(pod) ?? pod)), Math.floor(width * POD_LIST_SHARE));
  const lead = `${plural(group.pods.length, 'pod')} (${pods}): `;
  const detail = oneLine(group.detail);
  const room = width - columns(`${GLYPHS[group.state]} ${lead}`);
  const [only] = group.steps;
  const where = group.steps.length === 1 && only !== undefined ? namedStep(report, only, room, detail) : `steps ${stepNumbers(group.steps)}: `;
  return `${paintState(style, group.state, GLYPHS[group.state])} ${lead}${where}${truncate(detail, room - columns(where))}`;
}

/** `step 6 "name": `, the name cut to leave the detail after it most of `room` (the error matters most). */
function namedStep(report: GradeReport, number: number, room: number, detail: string): string {
  const quoting = columns(`step ${number} "": `);
  // The name gets what the detail leaves, and at least 40% of the room.
  const nameWidth = Math.max(Math.floor((room - quoting) * 0.4), room - quoting - columns(detail));
  return `step ${number} "${truncate(oneLine(stepName(report, number)), nameWidth)}": `;
}

/** As many names as fit in `width` columns, then "…" for the rest. */
function podList(names: readonly string[], width: number): string {
  for (let count = names.length; count > 1; count -= 1) {
    const text = `${names.slice(0, count).join(', ')}${count < names.length ? ', …' : ''}`;
    if (columns(text) <= width) return text;
  }
  const more = names.length > 1 ? ', …' : '';
  return `${truncate(names[0] ?? '', width - columns(more))}${more}`;
}

/** For --watch: what changed since the previous round, one line per pod and step. */
export function renderGradeChanges(changes: readonly GradeChange[], report: GradeReport, style: Style): string {
  if (changes.length === 0) return 'No change since the last round.';
  return changes
    .map((change) => `${oneLine(change.pod)}: step ${change.step} "${oneLine(stepName(report, change.step))}" ${paintState(style, change.to, describeChange(change))}`)
    .join('\n');
}
