import type { GradeReport } from '../../grade/types.js';

/** The grade as data, for other tools. Steps never reached (reachedAt) are written as null. */
export function renderGradeJson(report: GradeReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
