import { expect, test } from 'vitest';
import { renderGradeCsv } from '../../../../src/report/grade/csv.js';
import { HOSTILE_POD, labReport } from '../../../fixtures/grade/reports.js';

/** RFC 4180, strictly: CRLF record ends, quoted fields with "" for a quote; anything else throws. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let at = 0;
  while (at < text.length) {
    let field = '';
    if (text[at] === '"') {
      at += 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote < 0) throw new Error(`unterminated quoted field at ${at}`);
        field += text.slice(at, quote);
        at = quote + 1;
        if (text[at] !== '"') break;
        field += '"';
        at += 1;
      }
    } else {
      const end = text.slice(at).search(/[,\r\n"]/);
      field = end < 0 ? text.slice(at) : text.slice(at, at + end);
      at += field.length;
      if (text[at] === '"') throw new Error(`quote inside an unquoted field at ${at}`);
    }
    fields.push(field);
    if (text[at] === ',') {
      at += 1;
    } else if (text.startsWith('\r\n', at)) {
      records.push(fields);
      fields = [];
      at += 2;
    } else {
      throw new Error(`expected , or CRLF at ${at}`);
    }
  }
  return records;
}

test('one header and one row per pod, that an RFC 4180 reader reads back field for field', () => {
  const report = labReport();
  const rows = parseCsv(renderGradeCsv(report));
  expect(rows[0]).toEqual(['pod', ...report.steps.map((step) => step.name), 'score', 'passed', 'stuck_at']);
  expect(rows.slice(1)).toEqual([
    ['pod01', 'done', 'done', 'done', 'done', 'na', 'done', 'done', 'done', 'na', 'done', 'done', 'done', '100', 'true', ''],
    ['pod02', 'done', 'done', 'done', 'done', 'na', 'failed', 'todo', 'todo', 'na', 'todo', 'todo', 'todo', '33.3', 'false', '6'],
    ['pod03', 'done', 'done', 'done', 'done', 'na', 'done', 'done', 'done', 'na', 'done', 'done', 'todo', '80', 'true', '12'],
    ['pod04', 'done', 'done', 'failed', 'done', 'na', 'failed', 'todo', 'todo', 'na', 'todo', 'todo', 'todo', '26.7', 'false', '3'],
    // 5 of 16: 31.25 rounds to one decimal.
    ['pod05', 'done', 'done', 'done', 'done', 'na', 'unreachable', 'unreachable', 'unreachable', 'unreachable', 'unreachable', 'unreachable', 'unreachable', '31.3', 'false', '6'],
    [HOSTILE_POD, 'done', 'done', 'done', 'failed', 'na', 'failed', 'todo', 'todo', 'na', 'todo', 'todo', 'todo', '26.7', 'false', '4'],
  ]);
});

test('fields with a comma or a quote are quoted, quotes doubled; others are bare', () => {
  const csv = renderGradeCsv(labReport());
  expect(csv).toContain(',"Guest defined and running, disk cache none",');
  expect(csv).toContain(`\r\n"o'brien ""<script>alert(1)</script>"", & co",done,`);
  expect(csv.startsWith('pod,NFS server packages on the server, NFS client')).toBe(false);
  expect(csv.startsWith('pod,"NFS server packages on the server, NFS client, libvirt and qemu on the KVM hosts",Export the image')).toBe(true);
  expect(csv.endsWith(',26.7,false,4\r\n')).toBe(true);
});

test('a line break inside a name stays inside its quoted field', () => {
  const report = labReport();
  report.steps[0]!.name = 'packages\r\non every host';
  const csv = renderGradeCsv(report);
  expect(csv).toContain('pod,"packages\r\non every host",');
  expect(parseCsv(csv)[0]![1]).toBe('packages\r\non every host');
  expect(parseCsv(csv)).toHaveLength(7);
});
