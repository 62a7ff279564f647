import type { CellGroup, CellState, GradeCell, GradeChange, GradeReport, PodGrade } from '../../grade/types.js';
import type { Style } from '../style.js';

/** A pod's cell of a step; a grade has one per step, and a missing one reads as not graded (n/a). */
export function cellOf(pod: PodGrade, stepIndex: number): GradeCell {
  return pod.cells[stepIndex] ?? { state: 'na', detail: 'not graded', checks: [] };
}

/** One glyph per state, all different, so a matrix reads the same without colour (NO_COLOR). */
export const GLYPHS: Record<CellState, string> = {
  done: '✓',
  todo: '·',
  failed: '✗',
  unreachable: '?',
  na: '–',
};

/** How a state reads in a sentence. */
export const STATE_WORDS: Record<CellState, string> = {
  done: 'done',
  todo: 'todo',
  failed: 'failed',
  unreachable: 'unreachable',
  na: 'n/a',
};

/** The same colours as a run's task results: done like ok, todo like changed, n/a dimmed. */
export function paintState(style: Style, state: CellState, text: string): string {
  switch (state) {
    case 'done':
      return style.status('ok', text);
    case 'todo':
      return style.status('changed', text);
    case 'failed':
      return style.status('failed', text);
    case 'unreachable':
      return style.status('unreachable', text);
    case 'na':
      return style.dim(text);
  }
}

/** Detail texts come from hosts: newlines and control characters (escape sequences among them) become spaces. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').trim();
}

/** Counted in code points, so a glyph or an accented letter is one column. */
export function columns(text: string): number {
  return [...text].length;
}

/** Cut to at most `width` columns, ending in … when something was cut. */
export function truncate(text: string, width: number): string {
  const points = [...text];
  if (points.length <= width) return text;
  return width <= 0 ? '' : `${points.slice(0, width - 1).join('')}…`;
}

/** padEnd in columns rather than UTF-16 units. */
export function padEnd(text: string, width: number): string {
  return `${text}${' '.repeat(Math.max(0, width - columns(text)))}`;
}

export function percent(rate: number): string {
  return `${Math.round(rate * 100)}%`;
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** HH:MM in local time: an instructor reads it against the clock on the wall. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** YYYY-MM-DD HH:MM in local time, for the heading of a report that is kept. */
export function dateTime(iso: string): string {
  const date = new Date(iso);
  const day = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
  return `${day} ${clockTime(iso)}`;
}

/**
 * Short names for lists of pods: when every pod is the same prefix and a number (pod01, pod02, …), the
 * number alone; otherwise the names unchanged.
 */
export function podLabels(pods: readonly string[]): Map<string, string> {
  const numbered = pods.map((pod) => /^(.*?)(\d+)$/.exec(pod));
  const prefixes = new Set(numbered.map((match) => match?.[1]));
  const shorten = pods.length > 0 && numbered.every((match) => match !== null) && prefixes.size === 1;
  return new Map(pods.map((pod, index) => [pod, shorten ? numbered[index]![2]! : pod]));
}

/**
 * Whether some pod is known to need the step (done, todo or failed there). A step that is n/a
 * everywhere, or unknown (unreachable) where it is not n/a, has no pass rate worth showing, whatever
 * the grade's number says; it would otherwise be "worst" at 0%.
 */
export function applies(report: GradeReport, stepIndex: number): boolean {
  return report.pods.some((pod) => ['done', 'todo', 'failed'].includes(cellOf(pod, stepIndex).state));
}

/**
 * The step with the lowest pass rate among those that apply (the first of equals); undefined when
 * every such step is done everywhere, as there is no worst step then.
 */
export function worstStep(report: GradeReport): { index: number; rate: number } | undefined {
  let worst: { index: number; rate: number } | undefined;
  report.steps.forEach((_step, index) => {
    const rate = report.passRates[index] ?? 0;
    if (applies(report, index) && rate < 1 && (worst === undefined || rate < worst.rate)) worst = { index, rate };
  });
  return worst;
}

/** Groups of the same pods with the same state and detail over several steps, as one. */
export interface MergedGroup extends Omit<CellGroup, 'step'> {
  steps: number[];
}

/**
 * The report's groups, with those that differ only by step merged, in the report's order (largest
 * first) but failures before the steps merely not done: those are what an instructor walks over to
 * fix, the others mostly follow from them. An unreachable host makes one line, not one per step.
 */
export function mergeGroups(groups: readonly CellGroup[]): MergedGroup[] {
  const merged = new Map<string, MergedGroup>();
  for (const { step, ...group } of groups) {
    const key = JSON.stringify([group.state, group.detail, group.pods]);
    const same = merged.get(key);
    if (same === undefined) merged.set(key, { ...group, steps: [step] });
    else same.steps.push(step);
  }
  const all = [...merged.values()];
  return [...all.filter((group) => group.state !== 'todo'), ...all.filter((group) => group.state === 'todo')];
}

/** "6", or "3, 6–12" for several steps (runs of consecutive numbers shortened). */
export function stepNumbers(steps: readonly number[]): string {
  const runs: Array<[number, number]> = [];
  for (const step of [...steps].sort((a, b) => a - b)) {
    const last = runs.at(-1);
    if (last !== undefined && step === last[1] + 1) last[1] = step;
    else runs.push([step, step]);
  }
  return runs.map(([first, last]) => (first === last ? String(first) : `${first}${last === first + 1 ? ', ' : '–'}${last}`)).join(', ');
}

/** A step's name by its number (groups, changes and stuckAt refer to steps by number). */
export function stepName(report: GradeReport, number: number): string {
  return report.steps.find((step) => step.number === number)?.name ?? '';
}

/** What a change between two rounds means: progress, a regression, or another kind of trouble. */
export function describeChange(change: GradeChange): string {
  if (change.to === 'done') return 'now done';
  if (change.from === 'done') return `no longer done (now ${STATE_WORDS[change.to]})`;
  return `now ${STATE_WORDS[change.to]} (was ${STATE_WORDS[change.from]})`;
}

/** The summary every view ends with. */
export function summaryLine(report: GradeReport): string {
  const complete = report.pods.filter((pod) => pod.stuckAt === undefined).length;
  const passed = report.pods.filter((pod) => pod.passed).length;
  return `${complete} of ${plural(report.pods.length, 'pod')} complete, ${passed} passed (pass mark ${percent(report.passMark)})`;
}
