import type { TaskResult } from '../engine/events.js';
import type { Inventory, Playbook, Task } from '../load/model.js';
import { selectHosts } from '../load/patterns.js';
import { podLocalName } from '../load/pods.js';
import type { CellGroup, CellState, GradeCell, GradeChange, GradeReport, GradeStep, HostCheck, PodGrade } from './types.js';

/**
 * Grading is a check-mode run read per pod: a step is in place on a pod when each of its tasks
 * would change nothing on any of the pod's hosts. Pure: the run's results in, the report out.
 */

export interface StepPlan {
  steps: GradeStep[];
  /** Task id -> index in `steps`, for the tasks that are graded. */
  stepOf: Map<string, number>;
  /** The graded tasks, in playbook order. */
  tasks: Array<{ task: Task; hostsPattern: string }>;
}

/** The playbook's steps: each task is one unless `grade` names a step several share, or leaves it out. */
export function gradeSteps(playbook: Playbook): StepPlan {
  const steps: GradeStep[] = [];
  const stepOf = new Map<string, number>();
  const tasks: StepPlan['tasks'] = [];
  const byName = new Map<string, number>();
  for (const play of playbook.plays) {
    for (const task of play.tasks) {
      if (task.grade === false) continue;
      const { step: name, weight, message, hint } = task.grade;
      let index = byName.get(name);
      if (index === undefined) {
        index = steps.length;
        byName.set(name, index);
        steps.push({ number: index + 1, name, weight: 1, tasks: [] });
      }
      const step = steps[index]!;
      step.tasks.push(task.name);
      if (weight !== undefined) step.weight = weight;
      if (message !== undefined) step.message ??= message;
      if (hint !== undefined) step.hint ??= hint;
      stepOf.set(task.id, index);
      tasks.push({ task, hostsPattern: play.hosts });
    }
  }
  return { steps, stepOf, tasks };
}

/** The step a name or number given on the command line stands for (apply --up-to). */
export function findStep(plan: StepPlan, wanted: string): GradeStep | undefined {
  const number = /^\d+$/.test(wanted) ? Number(wanted) : undefined;
  return plan.steps.find((step) => step.number === number || step.name === wanted);
}

/** The id of the last task of a step, where a run brought up to that step stops. */
export function lastTaskOf(plan: StepPlan, step: GradeStep): string {
  const ids = plan.tasks.filter(({ task }) => plan.stepOf.get(task.id) === step.number - 1).map(({ task }) => task.id);
  return ids[ids.length - 1]!;
}

/** What --watch remembers between rounds, kept in a file beside the report. */
export interface GradeHistory {
  /** Per pod: when each step (by name) was first seen done, and the step it is stuck at since when. */
  pods: Record<string, { reached: Record<string, string>; stuck?: { step: string; since: string } }>;
}

export interface GradeInput {
  playbook: Playbook;
  inventory: Inventory;
  plan: StepPlan;
  /** Task id -> host -> result, from the check-mode run. */
  results: ReadonlyMap<string, ReadonlyMap<string, TaskResult>>;
  /** Hosts that could not be reached, with why. */
  unreachable: ReadonlyMap<string, string>;
  /** Hosts the run covered (a --limit or --pod narrows it); pods with none are left out. */
  hosts: readonly string[];
  gradedAt: Date;
  durationMs: number;
  transportStats?: GradeReport['transportStats'];
  passMark: number;
  history: GradeHistory;
  previous: GradeReport | undefined;
}

/** Builds the report and the history updated with this round. */
export function gradeReport(input: GradeInput): { report: GradeReport; history: GradeHistory } {
  const { inventory, plan } = input;
  const covered = new Set(input.hosts);
  const playHosts = new Map(plan.tasks.map(({ task, hostsPattern }) => [task.id, new Set(selectHosts(inventory, hostsPattern))]));
  const now = input.gradedAt.toISOString();
  const history: GradeHistory = { pods: structuredClone(input.history.pods) };
  const pods: PodGrade[] = [];
  for (const [pod, members] of podsOf(inventory)) {
    const hosts = members.filter((host) => covered.has(host));
    if (hosts.length === 0) continue;
    const cells = plan.steps.map((step, index) => {
      const checks = plan.tasks
        .filter(({ task }) => plan.stepOf.get(task.id) === index)
        .flatMap(({ task }) =>
          hosts.filter((host) => playHosts.get(task.id)?.has(host)).map((host) => hostCheck(task, host, input)),
        );
      return cell(checks, pod, inventory);
    });
    const record = (history.pods[pod] ??= { reached: {} });
    plan.steps.forEach((step, index) => {
      if (cells[index]!.state === 'done') record.reached[step.name] ??= now;
    });
    const stuckIndex = cells.findIndex((each) => each.state !== 'done' && each.state !== 'na');
    const stuck = stuckIndex < 0 ? undefined : plan.steps[stuckIndex]!;
    if (stuck === undefined) delete record.stuck;
    else if (record.stuck?.step !== stuck.name) record.stuck = { step: stuck.name, since: now };
    const score = podScore(plan.steps, cells);
    pods.push({
      pod,
      hosts,
      cells,
      score,
      passed: score >= input.passMark,
      ...(stuck ? { stuckAt: stuck.number, stuckSince: record.stuck!.since } : {}),
      reachedAt: plan.steps.map((step) => record.reached[step.name]),
    });
  }
  const report: GradeReport = {
    playbook: input.playbook.file,
    inventory: inventory.file ?? '',
    gradedAt: now,
    durationMs: input.durationMs,
    steps: plan.steps,
    pods,
    passRates: plan.steps.map((_, index) => passRate(pods, index)),
    passMark: input.passMark,
    groups: cellGroups(pods, inventory),
    changes: input.previous ? changesSince(input.previous, pods) : [],
    complete: pods.every((pod) => pod.stuckAt === undefined),
    transportStats: input.transportStats ?? {},
  };
  return { report, history };
}

/** The classroom's pods; an inventory without pods is graded as one pod holding every host. */
function podsOf(inventory: Inventory): Map<string, string[]> {
  return inventory.pods.size > 0 ? inventory.pods : new Map([['all', [...inventory.hosts.keys()]]]);
}

function hostCheck(task: Task, host: string, input: GradeInput): HostCheck {
  const result = input.results.get(task.id)?.get(host);
  const unreachable = input.unreachable.get(host);
  if (unreachable !== undefined && (result === undefined || result.status === 'unreachable')) {
    return { host, task: task.name, status: 'unreachable', message: unreachable };
  }
  if (result === undefined) return { host, task: task.name, status: 'failed', message: 'not checked: the grading run stopped before this task' };
  // Skipped only because an earlier task would provide what it reads: not in place yet.
  const status = result.status === 'skipped' && result.awaitsEarlierTask ? 'changed' : result.status;
  return { host, task: task.name, status, message: firstLine(result.message) };
}

const STATE_OF: Record<HostCheck['status'], CellState> = { unreachable: 'unreachable', failed: 'failed', changed: 'todo', ok: 'done', skipped: 'na' };
/** The worst state among a cell's checks decides it. */
const SEVERITY: readonly CellState[] = ['unreachable', 'failed', 'todo', 'done', 'na'];

function cell(checks: HostCheck[], pod: string, inventory: Inventory): GradeCell {
  const state = SEVERITY.find((candidate) => checks.some((check) => STATE_OF[check.status] === candidate)) ?? 'na';
  const deciding = checks.find((check) => STATE_OF[check.status] === state);
  const detail = deciding
    ? `${podLocalName(deciding.host, pod)}: ${localNames(deciding.message, pod, inventory)}`
    : 'no host of this pod runs this step';
  return { state, detail, checks };
}

/**
 * Messages name hosts by their pod-local names, so the same problem reads the same in every pod. As
 * a word only: a path such as /tmp/mark-pod03-kvm1 keeps its name (`anywhere` is for grouping keys).
 */
function localNames(text: string, pod: string, inventory: Inventory, anywhere = false): string {
  let result = text;
  for (const host of inventory.pods.get(pod) ?? []) {
    const name = host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    result = result.replace(new RegExp(anywhere ? name : `(?<![\\w.-])${name}(?![\\w-])`, 'g'), podLocalName(host, pod));
  }
  return result;
}

function podScore(steps: readonly GradeStep[], cells: readonly GradeCell[]): number {
  let total = 0;
  let done = 0;
  steps.forEach((step, index) => {
    const state = cells[index]!.state;
    if (state === 'na') return;
    total += step.weight;
    if (state === 'done') done += step.weight;
  });
  return total === 0 ? 1 : done / total;
}

/** Among the pods where the step applies and could be read: an unreachable pod says nothing of the step. */
function passRate(pods: readonly PodGrade[], index: number): number {
  const applicable = pods.filter((pod) => pod.cells[index]!.state !== 'na' && pod.cells[index]!.state !== 'unreachable');
  return applicable.length === 0 ? 1 : applicable.filter((pod) => pod.cells[index]!.state === 'done').length / applicable.length;
}

/**
 * Identical problems across pods: same step, same state, same detail once the pod's own addresses
 * are masked (each pod has its own network, so an address alone must not split a group). An
 * unreachable pod is one group, at the first step it could not be read for.
 */
function cellGroups(pods: readonly PodGrade[], inventory: Inventory): CellGroup[] {
  const groups = new Map<string, CellGroup>();
  for (const pod of pods) {
    const addresses = podAddresses(pod.pod, inventory);
    pod.cells.forEach((each, index) => {
      if (each.state === 'done' || each.state === 'na') return;
      // An unreachable pod fails every step alike: it is grouped once, by its first such step's detail.
      if (each.state === 'unreachable' && pod.cells.findIndex((other) => other.state === 'unreachable') !== index) return;
      const step = each.state === 'unreachable' ? 'any' : index;
      const key = `${step}\u0000${each.state}\u0000${maskAddresses(localNames(each.detail, pod.pod, inventory, true), addresses)}`;
      const group = groups.get(key);
      if (group) group.pods.push(pod.pod);
      else groups.set(key, { step: index + 1, state: each.state, detail: each.detail, pods: [pod.pod] });
    });
  }
  return [...groups.values()].sort((a, b) => b.pods.length - a.pods.length || a.step - b.step);
}

const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d{1,2})?\b/g;

/** The IPv4 addresses and networks in the variables of a pod's hosts. */
function podAddresses(pod: string, inventory: Inventory): Set<string> {
  const found = new Set<string>();
  for (const host of inventory.pods.get(pod) ?? []) {
    for (const value of Object.values(inventory.hosts.get(host)?.vars ?? {})) {
      if (typeof value === 'string') for (const match of value.matchAll(IPV4)) found.add(match[0]);
    }
  }
  return found;
}

function maskAddresses(text: string, addresses: ReadonlySet<string>): string {
  return text.replace(IPV4, (address) => (addresses.has(address) ? '<pod address>' : address));
}

function changesSince(previous: GradeReport, pods: readonly PodGrade[]): GradeChange[] {
  const before = new Map(previous.pods.map((pod) => [pod.pod, pod]));
  const changes: GradeChange[] = [];
  for (const pod of pods) {
    const old = before.get(pod.pod);
    if (!old) continue;
    pod.cells.forEach((each, index) => {
      const from = old.cells[index]?.state;
      if (from !== undefined && from !== each.state) changes.push({ pod: pod.pod, step: index + 1, from, to: each.state });
    });
  }
  return changes;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? '';
}
