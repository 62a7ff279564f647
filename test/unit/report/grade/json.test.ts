import { expect, test } from 'vitest';
import { renderGradeJson } from '../../../../src/report/grade/json.js';
import { HOSTILE_DETAIL, labReport } from '../../../fixtures/grade/reports.js';

test('the JSON is the report, as data', () => {
  const report = labReport();
  const json = renderGradeJson(report);
  expect(json.endsWith('}\n')).toBe(true);
  expect(json).toContain('\n  "playbook": "playbooks/lab.yml",\n');
  const back = JSON.parse(json) as typeof report;
  expect(back.pods[0]!.reachedAt[4]).toBeNull();
  expect(back).toEqual(JSON.parse(JSON.stringify(report)));
  expect(back.pods[5]!.cells[3]!.detail).toBe(HOSTILE_DETAIL);
});
