import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { TaskResult } from '../../../src/engine/events.js';
import type { JsonReport } from '../../../src/report/json.js';
import { runCli } from '../../helpers/cli.js';
import { sandboxInventoryPath } from '../../helpers/sandbox.js';

/** What one `runbook apply` on the sandbox printed, and its --json report. */
export interface Applied {
  code: number | null;
  stdout: string;
  stderr: string;
  report: JsonReport;
}

const work = mkdtempSync(join(tmpdir(), 'runbook-module-it-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;

/** Writes `playbook` to a fresh file and applies it to the sandbox with the built CLI. */
export async function apply(playbook: string, options: { check?: boolean; diff?: boolean } = {}): Promise<Applied> {
  runs += 1;
  const file = join(work, `playbook-${runs}.yml`);
  const reportFile = join(work, `report-${runs}.json`);
  writeFileSync(file, playbook);
  const flags = [...(options.check ? ['--check'] : []), ...(options.diff ? ['--diff'] : [])];
  const result = await runCli(['apply', file, '-i', sandboxInventoryPath(), ...flags, '--json', reportFile]);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport;
  return { ...result, report };
}

/** Per-host results of the task with this name (the only one of that name in the playbook). */
export function resultsOf(applied: Applied, taskName: string): Record<string, TaskResult> {
  const task = applied.report.plays.flatMap((play) => play.tasks).find((candidate) => candidate.name === taskName);
  if (!task) throw new Error(`no task "${taskName}" in the report; output:\n${applied.stdout}`);
  return task.results;
}

/** Asserts the run succeeded and returns the number of changed results over all hosts. */
export function changedCount(applied: Applied): number {
  expect(applied.code, `${applied.stdout}\n${applied.stderr}`).toBe(0);
  return Object.values(applied.report.recap).reduce((sum, recap) => sum + recap.changed, 0);
}
