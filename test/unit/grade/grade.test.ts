import { describe, expect, test } from 'vitest';
import type { TaskResult } from '../../../src/engine/events.js';
import { findStep, gradeReport, gradeSteps, lastTaskOf, type GradeInput } from '../../../src/grade/grade.js';
import { loadInventory } from '../../../src/load/inventory.js';
import { loadPlaybook } from '../../../src/load/playbook.js';

const inventory = loadInventory('test/fixtures/load/classroom/classroom.yml');
const { playbook } = loadPlaybook('test/fixtures/grade/steps.yml', { inventory });
const plan = gradeSteps(playbook);

const ok = (message = 'in place'): TaskResult => ({ status: 'ok', message, durationMs: 1 });
const todo = (message: string): TaskResult => ({ status: 'changed', message, durationMs: 1 });
const failed = (message: string): TaskResult => ({ status: 'failed', message, durationMs: 1 });
const skipped = (message: string, awaitsEarlierTask = false): TaskResult => ({ status: 'skipped', message, durationMs: 1, ...(awaitsEarlierTask ? { awaitsEarlierTask } : {}) });

/** Task ids of the fixture: p0.t0 export, p0.t1 server, p0.t2 cache (not graded), p1.t0 mount, p1.t1 firewall. */
function input(results: Record<string, Record<string, TaskResult>>, overrides: Partial<GradeInput> = {}): GradeInput {
  return {
    playbook,
    inventory,
    plan,
    results: new Map(Object.entries(results).map(([task, byHost]) => [task, new Map(Object.entries(byHost))])),
    unreachable: new Map(),
    hosts: [...inventory.hosts.keys()],
    gradedAt: new Date('2026-12-06T10:00:00Z'),
    durationMs: 1234,
    passMark: 0.6,
    history: { pods: {} },
    previous: undefined,
    ...overrides,
  };
}

const complete = {
  'p0.t0': { 'pod01-nfs': ok() },
  'p0.t1': { 'pod01-nfs': ok() },
  'p1.t0': { 'pod01-kvm1': ok(), 'pod01-kvm2': ok() },
  'p1.t1': { 'pod01-kvm1': skipped('firewalld is not installed'), 'pod01-kvm2': skipped('firewalld is not installed') },
};

describe('steps', () => {
  test('each task is a step unless grade names a shared step or leaves it out', () => {
    expect(plan.steps).toEqual([
      { number: 1, name: 'NFS export', weight: 2, message: 'The server shares its images', hint: 'Look at /etc/exports', tasks: ['Export the image directory', 'NFS server running'] },
      { number: 2, name: 'The export mounted', weight: 1, hint: 'mount -a shows the error', tasks: ['The export mounted'] },
      { number: 3, name: 'Firewall open', weight: 1, tasks: ['Firewall open'] },
    ]);
  });

  test('a step is found by number or name; a run up to it stops after its last task', () => {
    expect(lastTaskOf(plan, findStep(plan, '1')!)).toBe('p0.t1');
    expect(lastTaskOf(plan, findStep(plan, 'The export mounted')!)).toBe('p1.t0');
    expect(findStep(plan, '9')).toBeUndefined();
  });
});

describe('the matrix', () => {
  const { report, history } = gradeReport(
    input({
      'p0.t0': { 'pod01-nfs': ok(), 'pod02-nfs': todo('would export /var/lib/libvirt/images to 10.10.2.0/24(rw,no_root_squash)') },
      'p0.t1': { 'pod01-nfs': ok(), 'pod02-nfs': skipped('nfs-ganesha.service not found (check mode: an earlier task may install it)', true) },
      'p1.t0': {
        'pod01-kvm1': ok(),
        'pod01-kvm2': ok(),
        'pod02-kvm1': failed('mount.nfs: access denied by server while mounting pod02-nfs:/var/lib/libvirt/images'),
        'pod02-kvm2': ok(),
      },
      'p1.t1': { ...complete['p1.t1'], 'pod02-kvm1': skipped('firewalld is not installed'), 'pod02-kvm2': skipped('firewalld is not installed') },
    }),
  );

  test('a complete pod: every applicable step done, the firewall not applicable, full score', () => {
    const pod01 = report.pods[0]!;
    expect(pod01.cells.map((cell) => cell.state)).toEqual(['done', 'done', 'na']);
    expect(pod01).toMatchObject({ pod: 'pod01', score: 1, passed: true, reachedAt: ['2026-12-06T10:00:00.000Z', '2026-12-06T10:00:00.000Z', undefined] });
    expect(pod01.stuckAt).toBeUndefined();
  });

  test('a pod behind: the worst check decides each cell, hosts named inside the pod, stuck at its first step not done', () => {
    const pod02 = report.pods[1]!;
    expect(pod02.cells.map((cell) => [cell.state, cell.detail])).toEqual([
      ['todo', 'nfs: would export /var/lib/libvirt/images to 10.10.2.0/24(rw,no_root_squash)'],
      ['failed', 'kvm1: mount.nfs: access denied by server while mounting nfs:/var/lib/libvirt/images'],
      ['na', 'kvm1: firewalld is not installed'],
    ]);
    expect(pod02.cells[0]!.checks.map((check) => check.status)).toEqual(['changed', 'changed']);
    expect(pod02).toMatchObject({ score: 0, passed: false, stuckAt: 1, stuckSince: '2026-12-06T10:00:00.000Z' });
    expect(history.pods.pod02).toEqual({ reached: {}, stuck: { step: 'NFS export', since: '2026-12-06T10:00:00.000Z' } });
  });

  test('pass rates per step over the pods where it applies; the class is not complete', () => {
    expect(report.passRates).toEqual([0.5, 0.5, 1]);
    expect(report.complete).toBe(false);
    expect(report.passMark).toBe(0.6);
  });

  test('a host in no pod is not graded', () => {
    expect(report.pods.map((pod) => pod.pod)).toEqual(['pod01', 'pod02']);
  });
});

/** Both pods complete. */
const bothComplete = {
  'p0.t0': { 'pod01-nfs': ok(), 'pod02-nfs': ok() },
  'p0.t1': { 'pod01-nfs': ok(), 'pod02-nfs': ok() },
  'p1.t0': { 'pod01-kvm1': ok(), 'pod01-kvm2': ok(), 'pod02-kvm1': ok(), 'pod02-kvm2': ok() },
  'p1.t1': Object.fromEntries(['pod01-kvm1', 'pod01-kvm2', 'pod02-kvm1', 'pod02-kvm2'].map((host) => [host, skipped('firewalld is not installed')])),
};

describe('across pods and rounds', () => {
  const accessDenied = (pod: string) => failed(`mount.nfs: access denied by server while mounting ${pod}-nfs:/var/lib/libvirt/images from 10.10.${pod.slice(-1)}.115`);

  test('identical failures of a step group across pods, even with each pod its own addresses', () => {
    const { report } = gradeReport(
      input({
        ...bothComplete,
        'p1.t0': { 'pod01-kvm1': accessDenied('pod01'), 'pod01-kvm2': ok(), 'pod02-kvm1': accessDenied('pod02'), 'pod02-kvm2': ok() },
      }),
    );
    expect(report.groups).toEqual([
      { step: 2, state: 'failed', detail: 'kvm1: mount.nfs: access denied by server while mounting nfs:/var/lib/libvirt/images from 10.10.1.115', pods: ['pod01', 'pod02'] },
    ]);
  });

  test("a host's name inside a path stays as written, yet pods still group on it", () => {
    const marker = (pod: string) => todo(`would create /tmp/mark-${pod}-kvm1`);
    const { report } = gradeReport(
      input({ ...bothComplete, 'p1.t0': { 'pod01-kvm1': marker('pod01'), 'pod01-kvm2': ok(), 'pod02-kvm1': marker('pod02'), 'pod02-kvm2': ok() } }),
    );
    expect(report.pods[1]!.cells[1]!.detail).toBe('kvm1: would create /tmp/mark-pod02-kvm1');
    expect(report.groups).toEqual([{ step: 2, state: 'todo', detail: 'kvm1: would create /tmp/mark-pod01-kvm1', pods: ['pod01', 'pod02'] }]);
  });

  test('an unreachable host makes its pod unreachable on every step it takes part in', () => {
    const results = { ...bothComplete, 'p0.t0': { 'pod01-nfs': ok() }, 'p0.t1': { 'pod01-nfs': ok() } };
    const { report } = gradeReport(input(results, { unreachable: new Map([['pod02-nfs', 'connection timed out']]) }));
    expect(report.pods[1]!.cells.map((cell) => [cell.state, cell.detail])).toEqual([
      ['unreachable', 'nfs: connection timed out'],
      ['done', 'kvm1: in place'],
      ['na', 'kvm1: firewalld is not installed'],
    ]);
    expect(report.groups).toEqual([{ step: 1, state: 'unreachable', detail: 'nfs: connection timed out', pods: ['pod02'] }]);
    const allDown = gradeReport(input({}, { unreachable: new Map(['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2', 'pod02-nfs', 'pod02-kvm1', 'pod02-kvm2'].map((host) => [host, 'connection refused'])) }));
    // Each pod once, though every step of it is unreachable; pods with the same reason together.
    expect(allDown.report.groups.map((group) => [group.step, group.detail, group.pods])).toEqual([[1, 'nfs: connection refused', ['pod01', 'pod02']]]);
  });

  test('a second round reports what changed, and keeps when each step was reached and since when a pod is stuck', () => {
    const first = gradeReport(input({ ...complete, 'p0.t0': { 'pod01-nfs': todo('would export') }, 'p0.t1': { 'pod01-nfs': ok() } }, { hosts: ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2'] }));
    expect(first.report.pods[0]).toMatchObject({ stuckAt: 1, stuckSince: '2026-12-06T10:00:00.000Z' });
    const second = gradeReport(
      input(complete, { hosts: ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2'], gradedAt: new Date('2026-12-06T10:05:00Z'), history: first.history, previous: first.report }),
    );
    expect(second.report.changes).toEqual([{ pod: 'pod01', step: 1, from: 'todo', to: 'done' }]);
    expect(second.report.pods[0]!.reachedAt).toEqual(['2026-12-06T10:05:00.000Z', '2026-12-06T10:00:00.000Z', undefined]);
    expect(second.report.pods[0]!.stuckAt).toBeUndefined();
    expect(second.history.pods.pod01?.stuck).toBeUndefined();
  });
});
