/**
 * A classroom's grade: every pod (one student's hosts) against every step of a playbook, read in
 * check mode. Built by src/grade/, rendered by src/report/grade/ (terminal, HTML, JSON, CSV, JUnit).
 */

/**
 * done: every host of the pod has the step in place. todo: a host would still change (the detail says
 * what). failed: the check itself failed (with its message). unreachable: a host of the pod could not
 * be reached. na: the step does not apply to this pod (skipped on every host).
 */
export type CellState = 'done' | 'todo' | 'failed' | 'unreachable' | 'na';

export interface GradeStep {
  /** 1-based, in playbook order. */
  number: number;
  name: string;
  /** Share of the score (default 1). */
  weight: number;
  /** For the student: what the step is about. */
  message?: string;
  /** For the student: shown when this is the first step not in place. */
  hint?: string;
  /** Names of the playbook tasks this step is made of (one, unless the playbook grouped them). */
  tasks: string[];
}

export interface HostCheck {
  host: string;
  /** The task this result is about. */
  task: string;
  status: 'ok' | 'changed' | 'skipped' | 'failed' | 'unreachable';
  message: string;
}

export interface GradeCell {
  state: CellState;
  /** One line: why not in place, the failure's message, or what is in place. */
  detail: string;
  /** The per-host, per-task results the state was derived from (for the report's detail view). */
  checks: HostCheck[];
}

export interface PodGrade {
  pod: string;
  hosts: string[];
  /** One per step, in step order. */
  cells: GradeCell[];
  /** Weighted share of steps done, 0 to 1 (steps not applicable count neither way). */
  score: number;
  passed: boolean;
  /** Number of the first step not done (and applicable); undefined when the pod is complete. */
  stuckAt?: number;
  /** ISO time since which the pod has been stuck at that step (from the watch history). */
  stuckSince?: string;
  /** Per step, ISO time the step was first seen done (from the watch history), if ever. */
  reachedAt: Array<string | undefined>;
}

/** Identical non-done cells of one step across pods, e.g. 7 pods failing step 6 with the same message. */
export interface CellGroup {
  step: number;
  state: Exclude<CellState, 'done' | 'na'>;
  /** The shared detail, host names replaced by their name inside the pod (so pods compare). */
  detail: string;
  pods: string[];
}

/** A change between two grading rounds of --watch, e.g. pod07 step 4 now done. */
export interface GradeChange {
  pod: string;
  step: number;
  from: CellState;
  to: CellState;
}

export interface GradeReport {
  playbook: string;
  inventory: string;
  /** ISO time the grading started. */
  gradedAt: string;
  durationMs: number;
  steps: GradeStep[];
  pods: PodGrade[];
  /** Per step, the share of pods that have it done among those where it applies and could be read, 0 to 1. */
  passRates: number[];
  /** Score (0 to 1) a pod needs to pass. */
  passMark: number;
  /** Failed, unreachable and not-yet cells grouped by step and identical detail, largest groups first. */
  groups: CellGroup[];
  /** Changes since the previous round (--watch), empty on the first. */
  changes: GradeChange[];
  /** True when every pod has every applicable step done. */
  complete: boolean;
  /** Per host: SSH connections opened and commands run by this round (one connection per host). */
  transportStats?: Record<string, { connections: number; execs: number }>;
}
