import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { classroomInventory } from '../../../src/load/classroom.js';
import { loadInventory } from '../../../src/load/inventory.js';
import { loadPlaybook } from '../../../src/load/playbook.js';

describe('classroom init: N pods from the inventory of one lab', () => {
  const directory = mkdtempSync(join(tmpdir(), 'runbook-classroom-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  const file = join(directory, 'classroom.yml');
  writeFileSync(file, classroomInventory(loadInventory('inventory/lab.yml'), 3, '10.10.{pod}.{octet}'));
  const classroom = loadInventory(file);

  test('each pod is a copy of the lab, its hosts named podNN-<host>, in the same groups', () => {
    expect(Object.fromEntries(classroom.pods)).toEqual({
      pod01: ['pod01-nfs', 'pod01-kvm1', 'pod01-kvm2'],
      pod02: ['pod02-nfs', 'pod02-kvm1', 'pod02-kvm2'],
      pod03: ['pod03-nfs', 'pod03-kvm1', 'pod03-kvm2'],
    });
    expect(classroom.groups.get('kvm_hosts')).toEqual(['pod01-kvm1', 'pod01-kvm2', 'pod02-kvm1', 'pod02-kvm2', 'pod03-kvm1', 'pod03-kvm2']);
    expect(classroom.groups.get('nfs_server')).toEqual(['pod01-nfs', 'pod02-nfs', 'pod03-nfs']);
  });

  test('every address, also inside a network, is placed by the pattern; the rest is kept', () => {
    const kvm1 = classroom.hosts.get('pod02-kvm1')!.vars;
    expect(kvm1).toMatchObject({ ansible_host: '10.10.2.113', lab_address: '10.10.2.113', lab_network: '10.10.2.0/24', ansible_user: 'root', nfs_backend: 'kernel', guest_virt_type: 'qemu' });
    expect(classroom.hosts.get('pod03-nfs')!.vars).toMatchObject({ ansible_host: '10.10.3.115', lab_network: '10.10.3.0/24' });
  });

  test('the lab playbook validates against it unchanged', () => {
    expect(loadPlaybook('playbooks/lab.yml', { inventory: classroom }).warnings).toEqual([]);
  });

  test('a pattern without {pod}, or one giving no address, is refused with the fix', () => {
    const lab = loadInventory('inventory/lab.yml');
    expect(() => classroomInventory(lab, 3, '10.10.10.{octet}')).toThrow(/has no \{pod\}/);
    expect(() => classroomInventory(lab, 300, '10.10.{pod}.{octet}')).toThrow(RunbookError);
    expect(() => classroomInventory(lab, 300, '10.10.{pod}.{octet}')).toThrow('gives "10.10.256.0" for pod 256, not an IPv4 address');
  });
});
