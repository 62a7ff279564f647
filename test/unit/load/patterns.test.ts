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
