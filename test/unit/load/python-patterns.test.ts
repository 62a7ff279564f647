import { describe, expect, test } from 'vitest';
import type { Issue } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { brief, errorsOf, playbookFile } from '../../helpers/playbook-files.js';

const located = (issue: Issue) => brief(issue).replace(/^(\d+:\d+)/, `$1${issue.endCol === undefined ? '' : `-${issue.endCol}`}`);
const problems = (tasks: string) => errorsOf(playbookFile(`- hosts: all\n  tasks:\n${tasks}`)).map(located);

describe('Python regular expressions in module arguments', () => {
  test('Ansible names of lineinfile load as lineinfile', () => {
    const { playbook } = loadPlaybook(
      playbookFile(`- hosts: all\n  tasks:\n    - ansible.builtin.lineinfile: {path: /x, line: a}\n    - ansible.legacy.lineinfile: {dest: /x, value: a}\n`),
    );
    expect(playbook.plays[0]?.tasks.map((task) => task.module)).toEqual(['lineinfile', 'lineinfile']);
  });

  test('untranslated constructs are refused at validation, at the argument, with what is unsupported', () => {
    expect(
      problems(`    - lineinfile: {path: /x, regexp: "(?>a)", line: b}
    - lineinfile: path=/x insertafter=a*+ line=b
    - lineinfile: {path: /x, regexp: "^(a)", line: '\\2', backrefs: true}
    - lineinfile: {path: /x, insertbefore: BOF, insertafter: EOF, line: b}
    - lineinfile: {path: /x, regexp: "{{ pattern }}", line: b}
    - lineinfile: {path: /x, regexp: "^(?P<k>a)$", line: '\\g<k>', backrefs: true}
`),
    ).toEqual([
      '3:38-45 RB_ARGUMENTS lineinfile: regexp "(?>a)" at character 1: atomic groups (?>...) are not supported',
      '4:39-42 RB_ARGUMENTS lineinfile: insertafter "a*+" at character 3: possessive quantifiers are not supported',
      '5:52-56 RB_ARGUMENTS lineinfile: line "\\\\2" at character 1: invalid group reference 2 (the pattern has 1 group)',
      expect.stringMatching(/^6:.* RB_SCHEMA/),
    ]);
  });

  test('replace: regexp, replace, after and before are checked, each at its argument', () => {
    expect(
      problems(`    - replace: {path: /x, regexp: "a(?i)", replace: b}
    - replace: {path: /x, regexp: "(a)", replace: '\\g<2>'}
    - replace: {path: /x, regexp: a, after: "[[:space:]]", before: "(?(1)x)"}
    - replace: {path: /x, regexp: a, after: "(?P<subsection>x)", before: end}
    - ansible.builtin.replace: {path: /x, regexp: '^(?P<k>\\w+)$', replace: '\\g<k>', after: "{{ start }}"}
`),
    ).toEqual([
      '3:35-42 RB_ARGUMENTS replace: regexp "a(?i)" at character 2: inline flags are only supported at the start of the pattern',
      '4:51-58 RB_ARGUMENTS replace: replace "\\\\g<2>" at character 1: invalid group reference 2 (the pattern has 1 group)',
      '5:45-58 RB_ARGUMENTS replace: after "[[:space:]]" at character 2: POSIX classes such as [:alpha:] are not supported (Python reads them literally)',
      '5:68-77 RB_ARGUMENTS replace: before "(?(1)x)" at character 1: conditional groups (?(id)yes|no) are not supported',
      '6:45-64 RB_ARGUMENTS replace: after "(?P<subsection>x)(?P<subsection>.*?)end" at character 18: group name subsection is defined twice',
    ]);
  });

  test('blockinfile: insertafter, insertbefore and the marker words are checked', () => {
    expect(
      problems(`    - blockinfile: {path: /x, block: b, insertafter: "(?=a)*"}
    - blockinfile: {path: /x, block: b, insertbefore: BOF, marker_end: '\\g<1>'}
    - blockinfile: {path: /x, block: b, insertafter: EOF}
`),
    ).toEqual([
      expect.stringMatching(/^3:\d+-\d+ RB_ARGUMENTS blockinfile: insertafter "\(\?=a\)\*" at character 6: /),
      expect.stringMatching(/^4:\d+-\d+ RB_ARGUMENTS blockinfile: marker_end "\\\\g<1>" at character 1: invalid group reference 1/),
    ]);
  });
});
