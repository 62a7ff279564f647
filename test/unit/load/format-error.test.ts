import { expect, test } from 'vitest';
import type { Issue } from '../../../src/errors.js';
import { formatIssue, formatIssues, type ColorKind } from '../../../src/report/format-error.js';

const source = ['- hosts: all', '  tasks:', '    - name: Install', '      pakage:', '        name: nginx', '    - debug: {msg: hi}', ''].join('\n');

const issue: Issue = {
  file: 'site.yml',
  line: 4,
  col: 7,
  endLine: 4,
  endCol: 13,
  code: 'RB_UNKNOWN_MODULE',
  message: 'unknown module "pakage"',
  hint: 'did you mean "package"?',
  severity: 'error',
};

test('position, code and message, then a code frame with a caret underline, then the hint', () => {
  expect(formatIssue(issue, source)).toBe(
    [
      'site.yml:4:7 RB_UNKNOWN_MODULE unknown module "pakage"',
      '  2 |   tasks:',
      '  3 |     - name: Install',
      '> 4 |       pakage:',
      '    |       ^^^^^^',
      '  5 |         name: nginx',
      '  6 |     - debug: {msg: hi}',
      'hint: did you mean "package"?',
    ].join('\n'),
  );
});

test('the frame stops at the file edges; without an end column one caret marks the spot', () => {
  const first: Issue = { file: 'site.yml', line: 1, col: 3, code: 'RB_SCHEMA', message: 'bad', severity: 'error' };
  expect(formatIssue(first, source)).toBe(['site.yml:1:3 RB_SCHEMA bad', '> 1 | - hosts: all', '    |   ^', '  2 |   tasks:', '  3 |     - name: Install'].join('\n'));
});

test('colours come from the caller, by kind; warnings are labelled', () => {
  const tag = (kind: ColorKind, text: string) => `<${kind}>${text}</${kind}>`;
  const { hint: _hint, ...withoutHint } = issue;
  const warning: Issue = { ...withoutHint, severity: 'warning', line: 2, col: 3, endLine: 2, endCol: 8 };
  expect(formatIssue(warning, source, { color: tag })).toBe(
    [
      'site.yml:2:3 <warning>RB_UNKNOWN_MODULE (warning)</warning> unknown module "pakage"',
      '  <dim>1 |</dim> <dim>- hosts: all</dim>',
      '<warning>></warning> <dim>2 |</dim>   tasks:',
      '  <dim>  |</dim>   <caret>^^^^^</caret>',
      '  <dim>3 |</dim> <dim>    - name: Install</dim>',
      '  <dim>4 |</dim> <dim>      pakage:</dim>',
    ].join('\n'),
  );
});

test('tabs before the column are kept so the caret lines up', () => {
  const tabbed: Issue = { file: 'h.ini', line: 1, col: 3, endLine: 1, endCol: 6, code: 'RB_SCHEMA', message: 'bad', severity: 'error' };
  expect(formatIssue(tabbed, '\tx abc\n')).toBe(['h.ini:1:3 RB_SCHEMA bad', '> 1 | \tx abc', '    | \t ^^^', '  2 |'].join('\n'));
});

test('without the source text (or a line outside it) only the heading and hint remain', () => {
  expect(formatIssue(issue, undefined)).toBe('site.yml:4:7 RB_UNKNOWN_MODULE unknown module "pakage"\nhint: did you mean "package"?');
  expect(formatIssue({ ...issue, line: 99 }, source)).toBe('site.yml:99:7 RB_UNKNOWN_MODULE unknown module "pakage"\nhint: did you mean "package"?');
});

test('formatIssues reads each file once and separates issues with a blank line', () => {
  const reads: string[] = [];
  const text = formatIssues([issue, { ...issue, line: 5, col: 9, endCol: 13, message: 'second' }], (file) => {
    reads.push(file);
    return source;
  });
  expect(reads).toEqual(['site.yml']);
  expect(text.split('\n\n')).toHaveLength(2);
  expect(text).toContain('\n\nsite.yml:5:9 RB_UNKNOWN_MODULE second\n');
});
