import { expect, test } from 'vitest';
import { moduleNames } from '../../../src/schema/ajv.js';
import { didYouMean } from '../../../src/schema/did-you-mean.js';
import { validate } from '../../../src/schema/validate.js';

const messages = (schemaId: string, data: unknown) =>
  validate(schemaId, data).map(({ instancePath, message, hint }) => (hint === undefined ? [instancePath, message] : [instancePath, message, hint]));

test('module names are the $ids of schemas/modules/*.schema.json', () => {
  const names = moduleNames();
  expect(names).toContain('debug');
  expect(names).toEqual([...names].sort());
  expect(names.every((name) => /^[a-z_]+$/.test(name))).toBe(true);
});

test('valid data has no issues', () => {
  expect(validate('runbook:module/debug', { msg: 'hello' })).toEqual([]);
});

test('an unknown argument names itself and suggests the closest property', () => {
  expect(validate('runbook:module/debug', { mgs: 'hello' })).toEqual([
    {
      instancePath: '',
      keyword: 'additionalProperties',
      message: 'unknown argument "mgs"',
      params: { additionalProperty: 'mgs' },
      hint: 'did you mean "msg"?',
    },
  ]);
});

test('outside module schemas the noun is "key"', () => {
  expect(messages('runbook:playbook', [{ hostz: 'all' }])).toEqual([
    ['/0', 'missing required key "hosts"'],
    ['/0', 'unknown key "hostz"', 'did you mean "hosts"?'],
  ]);
});

test('type errors say what was expected and show what was given', () => {
  expect(messages('runbook:inventory#/definitions/vars', { ansible_port: 'abc' })).toEqual([
    ['/ansible_port', 'expected integer, got string "abc"'],
  ]);
  expect(messages('runbook:module/debug', { msg: ['a'] })).toEqual([['/msg', 'expected string, got list']]);
  expect(messages('runbook:module/debug', 'hello')).toEqual([['', 'expected mapping, got string "hello"']]);
  expect(messages('runbook:playbook', [{ hosts: 'all', become: 5 }])).toEqual([['/0/become', 'expected boolean or string, got integer 5']]);
});

test('enums list the allowed values and suggest the closest', () => {
  expect(messages('runbook:inventory#/definitions/vars', { ansible_connection: 'lcoal' })).toEqual([
    ['/ansible_connection', 'expected one of "ssh", "local", got string "lcoal"', 'did you mean "local"?'],
  ]);
});

test('a value that fits no alternative of anyOf/oneOf is one message listing the expected types', () => {
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ notify: 5, debug: {} }] }])).toEqual([
    ['/0/tasks/0/notify', 'expected string or list, got integer 5'],
  ]);
});

test('when an alternative has the right type, its specific problem is reported alone', () => {
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ tags: ['a', 3], debug: {} }] }])).toEqual([
    ['/0/tasks/0/tags/1', 'expected string, got integer 3'],
  ]);
});

test('ranges, patterns, key names and forbidden combinations in words', () => {
  expect(messages('runbook:inventory#/definitions/vars', { ansible_port: 70000 })).toEqual([
    ['/ansible_port', 'expected a number <= 65535, got integer 70000'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ register: 'my result', debug: {} }] }])).toEqual([
    ['/0/tasks/0/register', 'invalid value "my result": must match ^[A-Za-z_][A-Za-z0-9_]*$'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: 'all', vars: { 'bad-name': 1 } }])).toEqual([
    ['/0/vars', 'invalid key name "bad-name": must match ^[A-Za-z_][A-Za-z0-9_]*$'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ loop: [1], with_items: [2], debug: {} }] }])).toEqual([
    ['/0/tasks/0', '"loop" and "with_items" cannot be used together'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: '' }])).toEqual([['/0/hosts', 'must not be empty']]);
});

test('never throws for odd data', () => {
  for (const data of [undefined, null, 0, [], [null], [[]], { a: { b: {} } }]) {
    expect(Array.isArray(validate('runbook:playbook', data))).toBe(true);
  }
});

test('an unknown schema id is a programming error', () => {
  expect(() => validate('runbook:module/no_such_module', {})).toThrow('no schema with id "runbook:module/no_such_module"');
});

test('did-you-mean accepts about one typo per three letters, case-insensitively', () => {
  expect(didYouMean('pakage', ['package', 'service'])).toBe('package');
  expect(didYouMean('SERVCIE', ['package', 'service'])).toBe('service');
  expect(didYouMean('xyz', ['package', 'service'])).toBeUndefined();
});
