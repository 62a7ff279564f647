import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../../src/load/source.js';

// `msg: {{ x }}` is valid YAML with another meaning (a mapping inside a mapping): Ansible's own
// loader stops there with "this one looks like it might be an issue with missing quotes".
describe('a template that starts a YAML value unquoted', () => {
  it('is an error with the quoting fix, and reads as the text meant', () => {
    const source = parseYaml('play.yml', '- debug:\n    msg: {{ x }}\n');
    expect(source.issues).toEqual([
      expect.objectContaining({
        line: 2,
        col: 10,
        endCol: 17,
        code: 'RB_YAML_UNQUOTED_TEMPLATE',
        message: 'a value that starts with "{{" must be quoted: YAML reads {{ x }} as a mapping',
        hint: 'write it in quotes: "{{ x }}"',
      }),
    ]);
    expect(source.data).toEqual([{ debug: { msg: '{{ x }}' } }]);
  });

  it('in a list too, each item with its own fix', () => {
    const source = parseYaml('play.yml', 'loop: [{{ a }}, {{ b }}]\n');
    expect(source.issues.map((issue) => [issue.col, issue.code])).toEqual([
      [8, 'RB_YAML_UNQUOTED_TEMPLATE'],
      [17, 'RB_YAML_UNQUOTED_TEMPLATE'],
    ]);
    expect(source.data).toEqual({ loop: ['{{ a }}', '{{ b }}'] });
  });

  it('a template followed by more text is a syntax error whose hint quotes the whole value', () => {
    const source = parseYaml('play.yml', '- debug:\n    msg: {{ x }} and more\n');
    expect(source.issues).toEqual([
      expect.objectContaining({ line: 2, code: 'RB_YAML_SYNTAX', hint: 'a value that starts with "{{" must be quoted: msg: "{{ x }} and more"' }),
    ]);
  });

  it('leaves flow mappings that are data alone', () => {
    expect(parseYaml('play.yml', 'vars: { a: { b: 1 } }\n').issues).toEqual([]);
  });
});

describe('tabs', () => {
  it('as indentation are a syntax error whose hint says to indent with spaces', () => {
    const source = parseYaml('play.yml', '- hosts: all\n  tasks:\n\t- debug: msg=hi\n');
    expect(source.issues.map((issue) => [issue.line, issue.code, issue.hint])).toEqual([[3, 'RB_YAML_SYNTAX', 'indent with spaces: YAML does not allow tabs there']]);
  });
});
