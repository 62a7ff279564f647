import type { GradeReport } from '../../grade/types.js';
import { cellOf } from './format.js';

/** Fields that RFC 4180 requires quoted: a comma, a double quote, or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * For a gradebook import (RFC 4180, CRLF line ends): one row per pod, one column per step holding its
 * state word (done, todo, failed, unreachable, na), then the score in percent, passed, and the number
 * of the step the pod is stuck at (empty when complete).
 */
export function renderGradeCsv(report: GradeReport): string {
  const header = ['pod', ...report.steps.map((step) => step.name), 'score', 'passed', 'stuck_at'];
  const rows = report.pods.map((pod) => [
    pod.pod,
    ...report.steps.map((_step, index) => cellOf(pod, index).state),
    String(Math.round(pod.score * 1000) / 10),
    String(pod.passed),
    pod.stuckAt === undefined ? '' : String(pod.stuckAt),
  ]);
  return [header, ...rows].map((fields) => `${fields.map(csvField).join(',')}\r\n`).join('');
}

function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
