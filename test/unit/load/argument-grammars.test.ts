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

describe('other arguments with a grammar of their own', () => {
  const hinted = (tasks: string) => errorsOf(playbookFile(`- hosts: all\n  tasks:\n${tasks}`)).map((issue) => `${located(issue)} | ${issue.hint ?? ''}`);

  test('a refused replacement template says what a backslash may start', () => {
    expect(hinted(`    - replace: {path: /x, regexp: a, replace: 'back\\slash'}\n    - blockinfile: {path: /x, block: b, marker_begin: 'end\\'}\n`)).toEqual([
      '3:47-59 RB_ARGUMENTS replace: replace "back\\\\slash" at character 5: \\s is not a Python escape (Python refuses it: bad escape) | replace is a Python replacement template, as in Ansible: a backslash must start an escape Python knows (\\1, \\g<name>, \\n); write \\\\ for one backslash',
      '4:55-61 RB_ARGUMENTS blockinfile: marker_begin "end\\\\" at character 4: a replacement cannot end with a backslash | marker_begin is a Python replacement template, as in Ansible: a backslash must start an escape Python knows (\\1, \\g<name>, \\n); write \\\\ for one backslash',
    ]);
  });

  test('authorized_key: every line of key is a public key, checked at the key', () => {
    expect(
      hinted(`    - authorized_key: {user: alice, key: "ssh-ed25519 AAAA alice@lab\\n# a comment\\n\\nnot a key"}
    - authorized_key: {user: alice, key: "{{ keys }}"}
    - authorized_key: {user: alice, key: "ssh-rsa AAAA bob\\nssh-ed25519 AAAA alice"}
`),
    ).toEqual([
      '3:42-96 RB_ARGUMENTS authorized_key: invalid key specified: not a key | every line of key must be a public key, [OPTIONS] TYPE BASE64 [COMMENT], e.g. ssh-ed25519 AAAAC3Nz… alice@lab',
    ]);
  });
});
