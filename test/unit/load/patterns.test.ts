import { expect, test } from 'vitest';
import { loadInventory } from '../../../src/load/inventory.js';
import { selectHosts, unmatchedNames } from '../../../src/load/patterns.js';

// Hosts: jump (ungrouped), web01 web02 (web, prod; web02 also staging), db01 (db, prod).
const inventory = loadInventory('test/fixtures/load/inventory-yaml/hosts.yml');

test.each([
  ['all', ['jump', 'web01', 'web02', 'db01']],
  ['*', ['jump', 'web01', 'web02', 'db01']],
  ['web', ['web01', 'web02']],
  ['db01', ['db01']],
  ['db01:web', ['web01', 'web02', 'db01']],
  ['db01,jump', ['jump', 'db01']],
  ['prod:&staging', ['web02']],
  ['prod:!web', ['db01']],
  ['all:!prod', ['jump']],
  ['!web:prod', ['db01']],
  ['&staging', ['web02']],
  ['web0*', ['web01', 'web02']],
  ['w?b', ['web01', 'web02']],
  ['*b0?', ['web01', 'web02', 'db01']],
  ['~^(jump|db)', ['jump', 'db01']],
  ['nothing', []],
  ['', []],
])('pattern %j selects %j in inventory order', (pattern, hosts) => {
  expect(selectHosts(inventory, pattern)).toEqual(hosts);
});

test('a limit narrows the selection with the same syntax', () => {
  expect(selectHosts(inventory, 'prod', 'web02,db01')).toEqual(['web02', 'db01']);
  expect(selectHosts(inventory, 'all', '!prod')).toEqual(['jump']);
});

test('an invalid ~regex is a usage error naming the pattern', () => {
  expect(() => selectHosts(inventory, '~(web')).toThrow('invalid regular expression in host pattern "~(web"');
});

test('names of a pattern that match nothing, for did-you-mean messages', () => {
  expect(unmatchedNames(inventory, 'web:dbs:!stagin')).toEqual(['dbs', 'stagin']);
});

// Ansible's docs (Patterns: targeting hosts and groups, "Advanced pattern options"): a subscript
// selects hosts of a group by position, [x:y] inclusive; InventoryManager._apply_subscript also gives
// [x:] to the last host and, as `end` 0 is false in Python, [x:0] is the one host x.
test.each([
  ['web[0]', ['web01']],
  ['web[-1]', ['web02']],
  ['prod[1]', ['web02']],
  ['prod[1:2]', ['web02', 'db01']],
  ['prod[1:]', ['web02', 'db01']],
  ['prod[0:0]', ['web01']],
  ['prod[0:1]:!web02', ['web01']],
  ['web0*[1]', ['web02']],
  ['~web0[2]', ['web02']],
  ['nothing[0]', []],
])('subscripted pattern %j selects %j', (pattern, hosts) => {
  expect(selectHosts(inventory, pattern)).toEqual(hosts);
});

test('a subscript past the hosts is Ansible error; the removed [x-y] form is refused with the fix', () => {
  expect(() => selectHosts(inventory, 'web[2]')).toThrow("No hosts matched the subscripted pattern 'web[2]'");
  expect(() => selectHosts(inventory, 'web[-3]')).toThrow("No hosts matched the subscripted pattern 'web[-3]'");
  expect(() => selectHosts(inventory, 'prod[0-1]')).toThrow('host pattern "prod[0-1]": use [x:y] inclusive subscripts instead of [x-y], which Ansible has removed');
});
