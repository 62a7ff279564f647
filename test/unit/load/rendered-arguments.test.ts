import { describe, expect, it } from 'vitest';
import { convertRenderedArguments } from '../../../src/load/arguments.js';

// A template renders to a value of its own type; Ansible's argument spec then converts it to the
// argument's type (module_utils/common/validation.py check_type_str, check_type_int, check_type_bool),
// and file modes given as numbers are the mode itself (module_utils/basic.py _symbolic_mode_to_octal).
describe('templated arguments, once rendered, converted as Ansible converts them', () => {
  it('a number where a string is taken becomes its text; a boolean becomes Python str()', () => {
    expect(convertRenderedArguments('cron', { name: 'backup', hour: 2, job: 'x', minute: '0' })).toMatchObject({ hour: '2', minute: '0' });
    expect(convertRenderedArguments('debug', { msg: true })).toEqual({ msg: 'True' });
  });

  it('a number where an octal mode is taken is that mode', () => {
    expect(convertRenderedArguments('file', { path: '/srv', mode: 493 })).toEqual({ path: '/srv', mode: '0755' });
    expect(convertRenderedArguments('file', { path: '/srv', mode: 384 })).toEqual({ path: '/srv', mode: '0600' });
  });

  it('boolean words and numeric strings become booleans and numbers where those are taken', () => {
    expect(convertRenderedArguments('service', { name: 'ssh', enabled: 'yes' })).toEqual({ name: 'ssh', enabled: true });
    expect(convertRenderedArguments('wait_for', { port: '22', timeout: '5' })).toEqual({ port: 22, timeout: 5 });
  });

  it('what does not convert stays, for the schema to refuse', () => {
    expect(convertRenderedArguments('service', { name: 'ssh', enabled: 'maybe' })).toEqual({ name: 'ssh', enabled: 'maybe' });
    expect(convertRenderedArguments('wait_for', { port: [22] })).toEqual({ port: [22] });
  });
});
