import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ValidationError, type Issue } from '../../../src/errors.js';
import { loadInventory } from '../../../src/load/inventory.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { hostScopes, podLocalName } from '../../../src/load/pods.js';

const fixtures = 'test/fixtures/load/classroom';

function issuesOf(load: () => unknown): Issue[] {
  try {
    load();
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('loaded without problems');
}

const brief = (issue: Issue) => `${issue.file.replace(`${fixtures}/`, '')}:${issue.line}:${issue.col} ${issue.code} ${issue.message}`;

describe('a classroom inventory: the child groups of runbook_pods are pods', () => {
  const inventory = loadInventory(`${fixtures}/classroom.yml`);

  test('each pod holds its hosts, and each host knows its pod; a host in no pod has none', () => {
    expect(Object.fromEntries(inventory.pods)).toEqual({
      pod01: ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2'],
      pod02: ['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2'],
    });
    expect(inventory.hosts.get('pod02-kvm1')?.pod).toBe('pod02');
    expect(inventory.hosts.get('teacher')?.pod).toBeUndefined();
  });

  test("a pod's group variables reach its hosts only", () => {
    expect(inventory.hosts.get('pod01-kvm2')?.vars.lab_network).toBe('10.10.1.0/24');
    expect(inventory.hosts.get('pod02-nfs')?.vars.lab_network).toBe('10.10.2.0/24');
  });

  test('the same shape in INI', () => {
    const ini = loadInventory(`${fixtures}/classroom.ini`);
    expect(Object.fromEntries(ini.pods)).toEqual({ pod01: ['pod01-nfs', 'pod01-kvm1'], pod02: ['pod02-nfs', 'pod02-kvm1'] });
    expect(ini.groups.get('kvm_hosts')).toEqual(['pod01-kvm1', 'pod02-kvm1']);
  });

  test('a host in two pods, in INI, is an error at its line in the second', () => {
    const directory = mkdtempSync(join(tmpdir(), 'runbook-pods-ini-'));
    const file = join(directory, 'overlap.ini');
    writeFileSync(file, '[runbook_pods:children]\npod01\npod02\n\n[pod01]\nkvm-a\n\n[pod02]\nkvm-b\n  kvm-a\n');
    try {
      expect(issuesOf(() => loadInventory(file)).map((issue) => `${issue.line}:${issue.col} ${issue.code}`)).toEqual(['10:3 RB_POD_OVERLAP']);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('a host in two pods is an error at the place it is listed in the second', () => {
    const issues = issuesOf(() => loadInventory(`${fixtures}/overlap.yml`));
    expect(issues.map(brief)).toEqual(['overlap.yml:12:13 RB_POD_OVERLAP host shared-kvm is in two pods, pod01 and pod02: a pod is one student\'s hosts']);
    expect(issues[0]?.hint).toBe('list shared-kvm in one child group of runbook_pods only');
  });

  test('an inventory without runbook_pods has no pods', () => {
    expect(loadInventory('test/fixtures/load/inventory.yml').pods.size).toBe(0);
  });
});

describe('what a host sees of a classroom', () => {
  const inventory = loadInventory(`${fixtures}/classroom.yml`);
  const scopeOf = hostScopes(inventory);

  test("groups hold the pod's own hosts and the hosts in no pod", () => {
    const scope = scopeOf('pod02-kvm1');
    expect(scope.pod).toBe('pod02');
    expect(scope.groups.kvm_hosts).toEqual(['pod02-kvm1', 'pod02-kvm2']);
    expect(scope.groups.nfs_server).toEqual(['pod02-nfs']);
    expect(scope.groups.instructor).toEqual(['teacher']);
    expect(scope.groups.pod01).toEqual([]);
    expect(scope.groups.all).toEqual(['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2', 'teacher']);
  });

  test("a name inside the pod resolves to the pod's host; another pod's host is not seen", () => {
    const scope = scopeOf('pod01-kvm1');
    expect(scope.resolve('kvm2')).toBe('pod01-kvm2');
    expect(scope.resolve('pod01-kvm2')).toBe('pod01-kvm2');
    expect(scope.resolve('teacher')).toBe('teacher');
    expect(scope.resolve('pod02-kvm2')).toBeUndefined();
    expect(scope.sees('pod02-nfs')).toBe(false);
  });

  test('a host in no pod sees the whole classroom', () => {
    const scope = scopeOf('teacher');
    expect(scope.pod).toBeUndefined();
    expect(scope.groups.kvm_hosts).toHaveLength(4);
    expect(scope.resolve('kvm2')).toBeUndefined();
  });

  test("a pod-local name is the inventory name without the pod's prefix", () => {
    expect(podLocalName('pod03-kvm1', 'pod03')).toBe('kvm1');
    expect(podLocalName('kvm1', 'pod03')).toBe('kvm1');
  });
});

describe('validation against a classroom', () => {
  const directory = mkdtempSync(join(tmpdir(), 'runbook-pods-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  test('the lab-like playbook validates against a complete classroom', () => {
    const inventory = loadInventory(`${fixtures}/classroom.yml`);
    expect(loadPlaybook(`${fixtures}/lab-like.yml`, { inventory }).warnings).toEqual([]);
  });

  test('a pod that lacks a host a play runs on, or a host its variables index into, is an error with positions', () => {
    const inventory = loadInventory(`${fixtures}/lopsided.yml`);
    const issues = issuesOf(() => loadPlaybook(`${fixtures}/lab-like.yml`, { inventory }));
    expect(issues.map(brief)).toEqual([
      'lab-like.yml:2:10 RB_POD_MISSING_ROLE pod pod02 has no host matching "nfs_server", which this play runs on in every other pod',
      "lab-like.yml:9:3 RB_POD_MISSING_ROLE pod pod02 has fewer than 2 hosts in group kvm_hosts, which this play's variables index into (groups['kvm_hosts'][1])",
    ]);
  });

  test('the inventory of one lab (no pods) is not checked for pods', () => {
    const file = join(directory, 'one-lab.yml');
    writeFileSync(file, 'all:\n  children:\n    nfs_server: { hosts: { nfs: null } }\n    kvm_hosts: { hosts: { kvm1: null, kvm2: null } }\n');
    expect(loadPlaybook(`${fixtures}/lab-like.yml`, { inventory: loadInventory(file) }).warnings).toEqual([]);
  });
});
