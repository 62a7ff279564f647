import { resolve } from 'node:path';
import { expect, test } from 'vitest';
import { loopItems } from '../../../src/engine/loop-items.js';
import type { Task } from '../../../src/load/model.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { runFixture } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';
import { brief, errorsOf, playbookFile } from '../../helpers/playbook-files.js';

/**
 * Ansible's with_<lookup> loops and loop_control, as its lookup plugins (ansible-core 2.14:
 * lib/ansible/plugins/lookup/*.py) and TaskExecutor._run_loop give them.
 * https://docs.ansible.com/ansible/2.14/playbook_guide/playbooks_loops.html
 */
test('each with_<lookup> gives the items its lookup gives', async () => {
  const run = await runFixture('loops-with.yml', new FakeTransports());
  const items = (task: string) => run.results(task).web1?.items?.map((each) => each.item);
  const messages = (task: string) => run.results(task).web1?.items?.map((each) => each.message);
  // list: the terms as they are (items would flatten one level).
  expect(items('with_list keeps nested lists')).toEqual([[1, 2], 3]);
  // dict: one {key, value} per entry.
  expect(messages('with_dict gives key and value')).toEqual(['alice=1001', 'bob=1002']);
  // nested: every combination, as a list of one element of each.
  expect(items('with_nested combines')).toEqual([['a', 1], ['a', 2], ['b', 1], ['b', 2]]);
  // together: zip_longest, None filling the shorter list.
  expect(items('with_together zips')).toEqual([['a', 1], ['b', 2], ['c', null]]);
  // indexed_items: [index, item] over the list flattened one level.
  expect(items('with_indexed_items')).toEqual([[0, 'x'], [1, 'y'], [2, 'z']]);
  // sequence: "start=1 end=7 stride=3 format=pod%02d" -> pod01, pod04, pod07.
  expect(items('with_sequence')).toEqual(['pod01', 'pod04', 'pod07']);
  // subelements: [element, subelement] pairs; skip_missing skips carol, who has no keys.
  expect(messages('with_subelements')).toEqual(['alice k1', 'alice k2', 'bob k3']);
  // fileglob: the playbook directory's files matching, dot files hidden (Python's glob).
  expect(messages('with_fileglob')).toEqual(['a.conf', 'b.conf']);
  // first_found: the first of files × paths found (relative to the playbook directory) is the one item.
  expect(messages('with_first_found')).toEqual(['b.conf']);
});

test('loop_control: loop_var, index_var and label; each registered result carries them as Ansible does', async () => {
  const run = await runFixture('loops-with.yml', new FakeTransports());
  const result = run.results('index_var and label').web1;
  expect(result?.items?.map((each) => each.item)).toEqual(['alice', 'bob', 'carol']);
  expect(result?.items?.map((each) => each.message)).toEqual(['0:alice', '1:bob', '2:carol']);
  expect(run.results('show labelled').web1?.message).toBe('alice,bob,carol [0, 1, 2] person idx');
});

test('loop_control extended defines ansible_loop (index, length, first, last, previtem, nextitem, allitems)', async () => {
  const run = await runFixture('loops-with.yml', new FakeTransports());
  expect(run.results('extended').web1?.items?.map((each) => each.message)).toEqual([
    '1/3 first=True last=False prev=- next=b all=3',
    '2/3 first=False last=False prev=a next=c all=3',
    '3/3 first=False last=True prev=b next=- all=3',
  ]);
});

test("with_first_found drops a candidate whose template names an undefined variable, as Ansible's TaskExecutor does", () => {
  const task = { name: 'pick', module: 'debug', loop: ['{{ distro }}.conf', 'loops-files/files/a.conf'], loopWith: 'first_found', loopVar: 'item' } as Task;
  expect(loopItems(task, { playbook_dir: resolve('test/fixtures/engine') })).toEqual([resolve('test/fixtures/engine/loops-files/files/a.conf')]);
});

test('loop needs a list; with_items of a mapping takes its keys (Python iterates a dict by key)', () => {
  const vars = { users: { alice: 1, bob: 2 } };
  expect(() => loopItems({ name: 'users', loop: '{{ users }}', loopWith: undefined } as Task, vars)).toThrow(/requires a list/);
  expect(loopItems({ name: 'users', module: 'debug', loop: '{{ users }}', loopWith: 'items' } as Task, vars)).toEqual(['alice', 'bob']);
});

test('loop_control pause waits between items, not before the first', async () => {
  const run = await runFixture('loops-with.yml', new FakeTransports());
  const result = run.results('paused').web1;
  expect(result?.items).toHaveLength(3);
  expect(result?.durationMs).toBeGreaterThanOrEqual(100);
});

test('validation: one loop keyword per task; loop_control keys are checked; a lookup runbook lacks is named', () => {
  const problems = (tasks: string) =>
    errorsOf(playbookFile(`- hosts: localhost\n  gather_facts: false\n  tasks:\n${tasks}`)).map(brief);
  expect(problems('    - debug: {var: item}\n      with_list: [1]\n      with_dict: {a: 1}\n')).toEqual(['6:7 RB_SCHEMA "with_list" and "with_dict" cannot be used together']);
  expect(problems('    - debug: {var: item}\n      loop: [1]\n      loop_control: {index_var: 1x, pause: -1}\n')).toHaveLength(2);
  expect(problems("    - debug: {msg: \"{{ lookup('password', '/tmp/x') }}\"}\n")).toEqual([
    expect.stringMatching(/^4:\d+ RB_TEMPLATE_SYNTAX lookup "password" is not supported: /),
  ]);
  const valid = playbookFile('- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: {var: n}\n      with_sequence: count=3\n      loop_control: {loop_var: n, index_var: i, label: "{{ n }}", extended: true, extended_allitems: false}\n');
  expect(loadPlaybook(valid).playbook.plays[0]?.tasks[0]).toMatchObject({
    loop: 'count=3',
    loopWith: 'sequence',
    loopVar: 'n',
    loopControl: { label: '{{ n }}', indexVar: 'i', pause: 0, extended: true, extendedAllitems: false },
  });
});
