import { RunbookError } from '../../errors.js';
import type { GradeCell, GradeReport, GradeStep, PodGrade } from '../../grade/types.js';
import type { Style } from '../style.js';
import { GLYPHS, STATE_WORDS, cellOf, clockTime, columns, oneLine, paintState, percent, truncate } from './format.js';

/** Where a step's texts start, below its number and name. */
const INDENT = '      ';

/**
 * What a student sees of their own pod: every step with its state and why, what the step is about, and
 * the hint of the first step not in place (where to look next), set apart so it is not missed.
 */
export function renderPodView(report: GradeReport, podName: string, style: Style, width = 120): string {
  const pod = report.pods.find((candidate) => candidate.pod === podName);
  if (pod === undefined) {
    throw new RunbookError('RB_USAGE', `no pod "${podName}" in this grade; its pods are: ${report.pods.map((candidate) => candidate.pod).join(', ')}`);
  }
  return [
    ...podHeading(report, pod, style, width),
    ...report.steps.flatMap((step, index) => ['', ...stepLines(step, cellOf(pod, index), pod, index, style, width)]),
  ].join('\n');
}

function podHeading(report: GradeReport, pod: PodGrade, style: Style, width: number): string[] {
  const verdict = pod.passed ? style.status('ok', 'passed') : style.status('changed', 'not passed yet');
  const where =
    pod.stuckAt === undefined
      ? style.status('ok', 'every step is done')
      : `next: step ${pod.stuckAt}${pod.stuckSince === undefined ? '' : ` (since ${clockTime(pod.stuckSince)})`}`;
  return [
    style.bold(truncate(`${oneLine(pod.pod)}: ${report.playbook}, graded at ${clockTime(report.gradedAt)}`, width)),
    ...wrap(`hosts: ${pod.hosts.join(', ')}`, width, ''),
    `score ${percent(pod.score)}, ${verdict} (pass mark ${percent(report.passMark)}); ${where}`,
  ];
}

function stepLines(step: GradeStep, cell: GradeCell, pod: PodGrade, index: number, style: Style, width: number): string[] {
  const stuck = pod.stuckAt === step.number;
  const reachedAt = pod.reachedAt[index];
  const state = `${STATE_WORDS[cell.state]}${cell.state === 'done' && reachedAt !== undefined ? ` at ${clockTime(reachedAt)}` : ''}`;
  const marker = stuck ? '  ◀ you are here' : '';
  const number = `${String(step.number).padStart(2)}  `;
  const tail = `: ${state}${marker}`;
  const name = truncate(oneLine(step.name), width - columns(`${GLYPHS[cell.state]} ${number}${tail}`));
  const title = `${paintState(style, cell.state, GLYPHS[cell.state])} ${number}${stuck ? style.bold(name) : name}: ${paintState(style, cell.state, state)}${style.bold(marker)}`;
  const detail = cell.detail === '' ? [] : wrap(cell.detail, width, INDENT).map((line) => (cell.state === 'done' ? style.dim(line) : line));
  const about = step.message === undefined ? [] : wrap(step.message, width, INDENT).map((line) => style.dim(line));
  const hint = stuck && step.hint !== undefined ? wrap(`HINT: ${step.hint}`, width, `${INDENT}> `).map((line) => style.bold(style.warning(line))) : [];
  return [title, ...detail, ...about, ...hint];
}

/**
 * Lines of at most `width` columns, each starting with `indent`; the text's own line breaks are kept
 * (hints and messages are written in YAML blocks), control characters are not.
 */
function wrap(text: string, width: number, indent: string): string[] {
  const room = Math.max(1, width - columns(indent));
  return text.split(/\r?\n/).flatMap((paragraph) => {
    const lines: string[] = [];
    let line = '';
    for (const word of oneLine(paragraph).split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (columns(candidate) <= room) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = word;
      // A word longer than the line (a path, a URL) is cut into pieces rather than overflowing.
      while (columns(line) > room) {
        const points = [...line];
        lines.push(points.slice(0, room).join(''));
        line = points.slice(room).join('');
      }
    }
    if (line !== '') lines.push(line);
    return lines.map((wrapped) => `${indent}${wrapped}`);
  });
}
