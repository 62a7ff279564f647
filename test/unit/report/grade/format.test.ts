import { expect, test } from 'vitest';
import { mergeGroups, podLabels, stepNumbers, truncate } from '../../../../src/report/grade/format.js';

test('pods that are one prefix and a number are shortened to the number, others are not', () => {
  expect([...podLabels(['pod01', 'pod02', 'pod10']).values()]).toEqual(['01', '02', '10']);
  expect([...podLabels(['team1', 'team22']).values()]).toEqual(['1', '22']);
  expect([...podLabels(['pod01', 'lab02']).values()]).toEqual(['pod01', 'lab02']);
  expect([...podLabels(['pod01', 'instructor']).values()]).toEqual(['pod01', 'instructor']);
});

test('step lists shorten runs of consecutive numbers', () => {
  expect(stepNumbers([6])).toBe('6');
  expect(stepNumbers([6, 7])).toBe('6, 7');
  expect(stepNumbers([12, 6, 7, 8, 3])).toBe('3, 6–8, 12');
});

test('truncation counts code points and marks the cut', () => {
  expect(truncate('✓✓✓', 3)).toBe('✓✓✓');
  expect(truncate('rpcbind started', 8)).toBe('rpcbind…');
  expect(truncate('anything', 0)).toBe('');
});

test('groups that differ only by step merge, failures come before steps not done', () => {
  const merged = mergeGroups([
    { step: 12, state: 'todo', detail: 'would migrate', pods: ['pod02', 'pod03'] },
    { step: 6, state: 'unreachable', detail: 'ssh: refused', pods: ['pod05'] },
    { step: 7, state: 'unreachable', detail: 'ssh: refused', pods: ['pod05'] },
    { step: 7, state: 'unreachable', detail: 'ssh: refused', pods: ['pod05', 'pod06'] },
  ]);
  expect(merged).toEqual([
    { steps: [6, 7], state: 'unreachable', detail: 'ssh: refused', pods: ['pod05'] },
    { steps: [7], state: 'unreachable', detail: 'ssh: refused', pods: ['pod05', 'pod06'] },
    { steps: [12], state: 'todo', detail: 'would migrate', pods: ['pod02', 'pod03'] },
  ]);
});
