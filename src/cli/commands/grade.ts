import { existsSync, readFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunbookError } from '../../errors.js';
import { gradeReport, gradeSteps, type GradeHistory } from '../../grade/grade.js';
import { checkClassroom } from '../../grade/run.js';
import type { GradeReport } from '../../grade/types.js';
import { renderGradeCsv } from '../../report/grade/csv.js';
import { renderGradeHtml } from '../../report/grade/html.js';
import { renderGradeJson } from '../../report/grade/json.js';
import { renderGradeJunit } from '../../report/grade/junit.js';
import { renderPodView } from '../../report/grade/student.js';
import { renderGradeChanges, renderGradeMatrix } from '../../report/grade/terminal.js';
import { colorWanted, createStyle } from '../../report/style.js';
import type { HostKeyPolicy } from '../../transport/types.js';
import { writeAtomically } from '../atomic-write.js';
import { EXIT } from '../exit-codes.js';
import { assertPod, podLimit } from '../pod-options.js';
import { listenForInterrupts } from '../signals.js';
import { loadForRun } from './load.js';

export interface GradeOptions {
  inventory: string;
  limit?: string;
  pod?: string;
  extraVars: string[];
  forks: number;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeout: number;
  timeout: number;
  passMark: number;
  html?: string;
  json?: string;
  csv?: string;
  junit?: string;
  history?: string;
  watch?: number;
}

/**
 * `runbook grade`: every pod of a classroom against every step of the playbook, in check mode.
 * Exit 0 when every pod is complete, 1 otherwise; --watch grades again until Ctrl-C.
 */
export async function gradeCommand(playbookPath: string, options: GradeOptions): Promise<number> {
  const loaded = loadForRun(playbookPath, options);
  if (!loaded.ok) return EXIT.invalidInput;
  const { playbook, inventory, extraVars } = loaded;
  if (options.pod !== undefined) assertPod(inventory, options.pod);
  const plan = gradeSteps(playbook);
  if (plan.steps.length === 0) throw new RunbookError('RB_USAGE', `${playbookPath} has no task to grade`, { hint: 'every task has grade: false' });

  const historyFile = options.history ?? (options.html ?? options.json ?? options.csv ?? options.junit)?.concat('.history.json');
  let history = readHistory(historyFile);
  const style = createStyle(colorWanted(process.stdout, process.env));
  const width = Math.max(80, process.stdout.columns ?? 120);
  const controller = new AbortController();
  setMaxListeners(Math.max(10, 2 * options.forks + 1), controller.signal);
  const interrupts = listenForInterrupts(controller);
  let report: GradeReport | undefined;
  try {
    for (;;) {
      const started = new Date();
      const round = await checkClassroom(playbook, inventory, {
        forks: options.forks,
        limit: podLimit(options.limit, options.pod),
        tags: [],
        skipTags: [],
        extraVars,
        hostKeyPolicy: options.hostKeyPolicy,
        connectTimeoutMs: options.connectTimeout * 1000,
        commandTimeoutMs: options.timeout * 1000,
        signal: controller.signal,
      });
      // A round cut short by Ctrl-C says nothing true about the pods: the last whole one stands.
      if (round.interrupted) break;
      const graded = gradeReport({
        playbook,
        inventory,
        plan,
        ...round,
        gradedAt: started,
        passMark: options.passMark / 100,
        history,
        previous: report,
      });
      const changes = report === undefined ? '' : renderGradeChanges(graded.report.changes, graded.report, style);
      report = graded.report;
      history = graded.history;
      writeOutputs(report, options, historyFile, history);
      if (changes) process.stdout.write(`${changes}\n`);
      process.stdout.write(`${options.pod === undefined ? renderGradeMatrix(report, style, width) : renderPodView(report, options.pod, style, width)}\n`);
      if (options.watch === undefined || controller.signal.aborted) break;
      await sleep(options.watch * 1000, undefined, { signal: controller.signal }).catch(() => undefined);
      if (controller.signal.aborted) break;
    }
  } finally {
    interrupts.dispose();
  }
  if (report === undefined) return interrupts.exitCode() ?? EXIT.interrupted;
  return report.complete ? EXIT.ok : EXIT.taskFailed;
}

function readHistory(file: string | undefined): GradeHistory {
  if (file === undefined || !existsSync(file)) return { pods: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as GradeHistory;
    if (typeof parsed.pods === 'object' && parsed.pods !== null) return parsed;
  } catch {
    // unreadable: started afresh below, and rewritten whole after this round
  }
  process.stderr.write(`warning: ${file} is not a grading history; starting a new one\n`);
  return { pods: {} };
}

function writeOutputs(report: GradeReport, options: GradeOptions, historyFile: string | undefined, history: GradeHistory): void {
  if (options.html) writeAtomically(options.html, renderGradeHtml(report));
  if (options.json) writeAtomically(options.json, renderGradeJson(report));
  if (options.csv) writeAtomically(options.csv, renderGradeCsv(report));
  if (options.junit) writeAtomically(options.junit, renderGradeJunit(report));
  if (historyFile) writeAtomically(historyFile, `${JSON.stringify(history, null, 2)}\n`);
}
