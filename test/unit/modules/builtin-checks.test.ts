import { describe, expect, it } from 'vitest';
import { moduleNameTable } from '../../../src/load/module-names.js';
import { moduleSchemaId } from '../../../src/schema/ajv.js';
import { validate } from '../../../src/schema/validate.js';
import { renderValue } from '../../../src/template/index.js';

/** The messages of a module's schema for these arguments. */
function problems(module: string, args: Record<string, unknown>): string[] {
  return validate(moduleSchemaId(module), args).map((issue) => issue.message);
}

describe('stat, fail, ping, pause, wait_for and slurp: what the schemas refuse', () => {
  it.each([
    ['pause', {}, 'missing required argument "seconds"'],
    ['pause', { prompt: 'press Enter to go on' }, 'missing required argument "minutes"'],
    ['pause', { seconds: 1, minutes: 1 }, '"seconds" and "minutes" cannot be used together'],
    ['stat', { path: '/a', get_mime: false }, 'unknown argument "get_mime"'],
    ['stat', { path: '/a', get_attributes: false }, 'unknown argument "get_attributes"'],
    ['stat', { path: '/a', dest: '/b' }, '"path" and "dest" cannot be used together'],
    ['stat', { path: '/a', checksum_algorithm: 'sha1', checksum_algo: 'md5' }, '"checksum_algorithm" and "checksum_algo" cannot be used together'],
    ['stat', { path: '~/.ssh' }, 'invalid value "~/.ssh": must be a path not starting with ~ (runbook does not expand it: write the home directory out)'],
    ['slurp', {}, 'missing required argument "src"'],
    ['slurp', { src: '/a', path: '/b' }, '"src" and "path" cannot be used together'],
    ['wait_for', { port: 22, path: '/a' }, '"port" and "path" cannot be used together'],
    ['wait_for', { port: 22, search_regex: 'SSH' }, '"port" and "search_regex" cannot be used together'],
    ['wait_for', { port: 22, state: 'drained' }, 'expected one of "started", "present", "stopped", "absent", got string "drained"'],
    ['wait_for', { port: 22, exclude_hosts: ['10.0.0.1'] }, 'unknown argument "exclude_hosts"'],
    ['ping', { data: 1 }, 'expected string, got integer 1'],
  ])('%s %j is refused', (module, args, message) => {
    expect(problems(module, args)).toContain(message);
  });

  it.each([
    ['pause', { minutes: 1, prompt: 'let it settle' }],
    ['stat', { name: '/etc/hosts', follow: true, checksum_algo: 'sha256' }],
    ['slurp', { path: '/etc/hostname' }],
    ['wait_for', {}],
    ['wait_for', { host: '10.77.0.15', port: 2049, state: 'stopped', delay: 1, sleep: 2, connect_timeout: 3, msg: 'NFS still up' }],
    ['wait_for', { path: '/var/log/x.log', search_regex: 'ready', timeout: 10 }],
    ['fail', {}],
    ['ping', {}],
  ])('%s %j is accepted', (module, args) => {
    expect(problems(module, args)).toEqual([]);
  });
});

describe('their names', () => {
  it.each(['stat', 'fail', 'ping', 'pause', 'wait_for', 'slurp'])('%s answers to its short, ansible.builtin and ansible.legacy names', (name) => {
    const { accepted, refused } = moduleNameTable();
    for (const spelling of [name, `ansible.builtin.${name}`, `ansible.legacy.${name}`]) {
      expect(accepted.get(spelling), spelling).toBe(name);
      expect(refused.has(spelling), spelling).toBe(false);
    }
  });
});

describe('b64decode and b64encode, for slurp', () => {
  it('decode base64 to UTF-8 text and back, as Ansible', () => {
    expect(renderValue('{{ r.content | b64decode }}', { r: { content: 'aMOpbGxvCg==' } })).toBe('héllo\n');
    expect(renderValue('{{ "héllo\n" | b64encode }}', {})).toBe('aMOpbGxvCg==');
  });
});
