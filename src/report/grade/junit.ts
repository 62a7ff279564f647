import type { CellState, GradeCell, GradeReport, GradeStep, PodGrade } from '../../grade/types.js';
import { cellOf } from './format.js';

/**
 * JUnit XML, for CI servers and test dashboards: a test suite per pod, a test case per step. done
 * passes; todo is a failure (the step is not in place yet); failed and unreachable are errors (the
 * check itself could not say); n/a is skipped.
 */
export function renderGradeJunit(report: GradeReport): string {
  const suites = report.pods.map((pod) => testSuite(report, pod));
  const count = (...states: CellState[]) => report.pods.reduce((sum, pod) => sum + countCells(pod, ...states), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attribute(report.playbook)}" tests="${report.pods.length * report.steps.length}" failures="${count('todo')}" errors="${count('failed', 'unreachable')}" skipped="${count('na')}" time="${seconds(report.durationMs)}" timestamp="${attribute(report.gradedAt)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function testSuite(report: GradeReport, pod: PodGrade): string {
  const name = attribute(pod.pod);
  const counts = `tests="${report.steps.length}" failures="${countCells(pod, 'todo')}" errors="${countCells(pod, 'failed', 'unreachable')}" skipped="${countCells(pod, 'na')}"`;
  const properties = [
    ['hosts', pod.hosts.join(',')],
    ['score', String(pod.score)],
    ['passed', String(pod.passed)],
    ...(pod.stuckAt === undefined ? [] : [['stuck_at', String(pod.stuckAt)]]),
  ].map(([key, value]) => `      <property name="${key}" value="${attribute(value ?? '')}"/>`);
  return [
    `  <testsuite name="${name}" ${counts} timestamp="${attribute(report.gradedAt)}">`,
    '    <properties>',
    ...properties,
    '    </properties>',
    ...report.steps.map((step, index) => testCase(step, cellOf(pod, index), name)),
    '  </testsuite>',
  ].join('\n');
}

function testCase(step: GradeStep, cell: GradeCell, classname: string): string {
  const open = `    <testcase name="${attribute(`${step.number}. ${step.name}`)}" classname="${classname}"`;
  if (cell.state === 'done') return `${open}/>`;
  const message = attribute(cell.detail);
  const checks = text(cell.checks.map((check) => `${check.host}: ${check.status}: ${check.task}: ${check.message}`).join('\n'));
  const outcome = {
    todo: `<failure message="${message}" type="todo">${checks}</failure>`,
    failed: `<error message="${message}" type="failed">${checks}</error>`,
    unreachable: `<error message="${message}" type="unreachable">${checks}</error>`,
    na: `<skipped message="${message}"/>`,
  }[cell.state];
  return `${open}>\n      ${outcome}\n    </testcase>`;
}

function countCells(pod: PodGrade, ...states: CellState[]): number {
  return pod.cells.filter((cell) => states.includes(cell.state)).length;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** Characters XML 1.0 cannot hold at all, not even escaped (most C0 controls, lone surrogates, U+FFFE/F). */
const NOT_XML = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

function text(value: string): string {
  return value.replace(NOT_XML, '').replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('\r', '&#13;');
}

/** Line breaks and tabs as references: a parser would turn them into spaces in an attribute otherwise. */
function attribute(value: string): string {
  return text(value).replaceAll('"', '&quot;').replaceAll("'", '&apos;').replaceAll('\n', '&#10;').replaceAll('\t', '&#9;');
}
