import { describe, expect, it } from 'vitest';
import { moduleSchemaId } from '../../../../src/schema/ajv.js';
import { validate } from '../../../../src/schema/validate.js';

const problems = (module: string, args: Record<string, unknown>): string[] => validate(moduleSchemaId(module), args).map((issue) => issue.message);

describe('virt_net and virt_pool: what the schemas refuse', () => {
  it("accepts Ansible's documented forms", () => {
    expect(problems('virt_net', { command: 'define', name: 'br_nat', xml: '<network/>' })).toEqual([]);
    expect(problems('virt_net', { network: 'br_nat', autostart: true })).toEqual([]);
    expect(problems('virt_net', { name: 'x', command: 'list_nets', state: 'active' })).toEqual([]);
    expect(problems('virt_pool', { command: 'list_pools' })).toEqual([]);
    expect(problems('virt_pool', { pool: 'vms', command: 'build', mode: 'overwrite' })).toEqual([]);
    expect(problems('virt_pool', { name: 'vms', state: 'deleted', mode: 'normal' })).toEqual([]);
  });

  it('refuses the commands Ansible reports unchanged after acting, and options virsh lacks', () => {
    for (const command of ['create', 'start', 'stop', 'destroy', 'undefine', 'facts', 'info']) {
      expect(problems('virt_net', { name: 'n', command }), command).not.toEqual([]);
      expect(problems('virt_pool', { name: 'p', command }), command).not.toEqual([]);
    }
    expect(problems('virt_net', { name: 'n', command: 'modify', xml: '<host/>' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p', command: 'refresh' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p', command: 'build', mode: 'repair' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p', command: 'delete', mode: 'zeroed' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p', state: 'active', mode: 'normal' })).not.toEqual([]);
  });

  it('refuses what Ansible ignores: a command or autostart beside a state, xml where it is not read', () => {
    expect(problems('virt_net', { name: 'n', state: 'active', command: 'status' })).not.toEqual([]);
    expect(problems('virt_net', { name: 'n', state: 'active', autostart: true })).not.toEqual([]);
    expect(problems('virt_net', { name: 'n', state: 'active', xml: '<network/>' })).not.toEqual([]);
    expect(problems('virt_net', { name: 'n', command: 'list_nets', state: 'present' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p', command: 'status', autostart: false })).not.toEqual([]);
  });

  it("refuses what Ansible fails on: no name (virt_net always needs one), define without xml, no state or command", () => {
    expect(problems('virt_net', { command: 'list_nets' })).not.toEqual([]);
    expect(problems('virt_pool', { state: 'active' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p', command: 'define' })).not.toEqual([]);
    expect(problems('virt_pool', { name: 'p' })).not.toEqual([]);
    expect(problems('virt_net', { name: 'n', state: 'active', uri: 'qemu+ssh://kvm2/system' })).not.toEqual([]);
  });
});
