import { describe, expect, it } from 'vitest';
import { moduleSchemaId } from '../../../../src/schema/ajv.js';
import { validate } from '../../../../src/schema/validate.js';
import { virtModule } from '../../../../src/modules/virt.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const problems = (args: Record<string, unknown>): string[] => validate(moduleSchemaId('virt'), args).map((issue) => issue.message);

describe('virt: what the schema refuses, where Ansible would mean something else', () => {
  it('accepts the forms Ansible documents', () => {
    expect(problems({ name: 'tiny', state: 'running' })).toEqual([]);
    expect(problems({ command: 'list_vms', state: 'running' })).toEqual([]);
    expect(problems({ command: 'define', xml: '<domain/>', autostart: true })).toEqual([]);
    expect(problems({ guest: 'tiny', autostart: false, uri: 'qemu:///system' })).toEqual([]);
  });

  it('refuses commands whose Ansible result differs (unchanged after a change), and other URIs', () => {
    expect(problems({ name: 'tiny', command: 'start' })).not.toEqual([]);
    expect(problems({ name: 'tiny', command: 'undefine' })).not.toEqual([]);
    expect(problems({ name: 'tiny', state: 'running', uri: 'lxc:///' })).not.toEqual([]);
    expect(problems({ name: 'tiny', command: 'define', xml: '<domain/>', mutate_flags: ['ADD_MAC_ADDRESSES'] })).not.toEqual([]);
  });

  it('refuses combinations Ansible silently ignores part of', () => {
    // Ansible runs the state change and drops the command; with autostart it registers only the command's result.
    expect(problems({ name: 'tiny', state: 'running', command: 'status' })).not.toEqual([]);
    expect(problems({ name: 'tiny', autostart: true, command: 'status' })).not.toEqual([]);
    expect(problems({ name: 'tiny', state: 'running', xml: '<domain/>' })).not.toEqual([]);
  });

  it('refuses what Ansible fails on at run time: no state or command, a state or status without a name, define without xml', () => {
    expect(problems({ name: 'tiny' })).not.toEqual([]);
    expect(problems({ state: 'running' })).not.toEqual([]);
    expect(problems({ command: 'status' })).not.toEqual([]);
    expect(problems({ command: 'define' })).not.toEqual([]);
    expect(problems({ name: 'a', guest: 'a', state: 'running' })).toEqual(['"name" and "guest" cannot be used together']);
  });
});

describe('virt: list_vms probe', () => {
  it('reads every name and state in one exec, the name quoted by the shell variable only', () => {
    const probes = virtModule.probe!({ command: 'list_vms' }, fakeContext());
    const text = (probes.domains as { render(): string }).render();
    expect(text).toContain("rb_names=$(virsh -c qemu:///system list --all --name) || exit");
    expect(text).toContain('virsh -c qemu:///system domstate --domain "$rb_name"');
  });
});
