import { describe, expect, test } from 'vitest';
import { evaluate, renderValue, templateSyntaxError } from '../../../src/template/index.js';

/**
 * Filters, tests and comparisons as Ansible computes them. Every expected value below is what
 * Jinja2 3.1 with ansible-core 2.14's filter and test plugins (ansible/plugins/filter/core.py,
 * mathstuff.py, ansible/plugins/test/core.py, mathstuff.py, files.py) gives for the same
 * expression and variables: the table was computed by them, not written by hand.
 */
const vars = {"l": [3, 1, 2, 1], "d": {"b": 2, "a": 1}, "users": [{"name": "bob", "age": 30, "groups": ["wheel", "dev"]}, {"name": "al", "age": 25, "groups": ["dev"]}], "nested": [1, [2, [3, [4]]]], "e": "", "z": null};

describe('as Jinja2 with Ansible\'s plugins computes them', () => {

  describe("data filters (ansible.builtin core.py and mathstuff.py)", () => {
    test.each<[string, unknown]>([
      ["missing | default", ""],
      ["e | default('x', true)", "x"],
      ["z | default('x')", null],
      ["'TRUE' | bool", true],
      ["none | bool", null],
      ["'abc' | int", 0],
      ["'0x1F' | int(base=16)", 31],
      ["'3.7' | int", 3],
      ["'x' | float", 0.0],
      ["true | string", "True"],
      ["l | string", "[3, 1, 2, 1]"],
      ["d | string", "{'b': 2, 'a': 1}"],
      ["users | join(',', attribute='name')", "bob,al"],
      ["'a,b,,c' | split(',')", ["a", "b", "", "c"]],
      ["'  a  b  ' | split", ["a", "b"]],
      ["'/a/b/' | basename", ""],
      ["'/a/b/' | dirname", "/a/b"],
      ["{'a': {'x': 1}, 'l': [1]} | combine({'a': {'y': 2}, 'l': [2]})", {"a": {"y": 2}, "l": [2]}],
      ["{'a': {'x': 1}} | combine({'a': {'y': 2}}, recursive=true)", {"a": {"x": 1, "y": 2}}],
      ["{'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='append_rp')", {"l": [1, 2, 3]}],
      ["{'l': [1, 2]} | combine({'l': [2, 3]}, list_merge='prepend')", {"l": [2, 3, 1, 2]}],
      ["[{'a': 1}, {'b': 2}] | combine", {"a": 1, "b": 2}],
      ["d | dict2items", [{"key": "b", "value": 2}, {"key": "a", "value": 1}]],
      ["d | dict2items(key_name='k', value_name='v')", [{"k": "b", "v": 2}, {"k": "a", "v": 1}]],
      ["[{'key': 'a', 'value': 1}] | items2dict", {"a": 1}],
      ["['a', 'A', 'b'] | unique", ["a", "b"]],
      ["['a', 'A', 'b'] | unique(case_sensitive=true)", ["a", "A", "b"]],
      ["[1, 2] | union([2, 3])", [1, 2, 3]],
      ["[1, 2, 2] | intersect([2, 3])", [2]],
      ["[1, 2, 3] | difference([2])", [1, 3]],
      ["[1, 2] | symmetric_difference([2, 3])", [1, 3]],
      ["nested | flatten", [1, 2, 3, 4]],
      ["nested | flatten(levels=1)", [1, 2, [3, [4]]]],
      ["[1, none, [2, 'null']] | flatten", [1, 2]],
      ["d | count", 2],
      ["users | min(attribute='age')", {"name": "al", "age": 25, "groups": ["dev"]}],
      ["['b', 'A', 'c'] | max", "c"],
      ["users | sum(attribute='age')", 55],
      ["[[1], [2]] | sum(start=[])", [1, 2]],
      ["['b', 'A', 'c'] | sort", ["A", "b", "c"]],
      ["users | sort(attribute='age', reverse=true) | map(attribute='name') | list", ["bob", "al"]],
      ["d | list", ["b", "a"]],
      ["d | first", "b"],
      ["[1, 2, 3] | zip(['a', 'b'])", [[1, "a"], [2, "b"]]],
      ["[1, 2, 3] | zip_longest(['a', 'b'], fillvalue='-')", [[1, "a"], [2, "b"], [3, "-"]]],
      ["[1, 2] | product(['a', 'b'])", [[1, "a"], [1, "b"], [2, "a"], [2, "b"]]],
      ["[1, 2, 3] | combinations(2)", [[1, 2], [1, 3], [2, 3]]],
      ["none | ternary('yes', 'no', 'null')", "null"],
      ["[] | ternary('yes', 'no')", "no"],
      ["users | subelements('groups') | map(attribute='1') | list", ["wheel", "dev", "dev"]],
      ["[0, 2] | map('extract', ['a', 'b', 'c']) | list", ["a", "c"]],
      ["['a'] | map('extract', {'a': {'x': 1}}, 'x') | list", [1]],
      ["users | map(attribute='missing', default='x') | list", ["x", "x"]],
      ["d | dictsort(by='value', reverse=true)", [["b", 2], ["a", 1]]],
      ["users | groupby('age') | map('first') | list", [25, 30]],
      ["'hello world foo bar' | truncate(9)", "hello..."],
      ["'%s-%s' | format('a', 1)", "a-1"],
      ["2.5 | round", 2.0],
      ["2.567 | round(1, 'floor')", 2.5],
      ["'hi' | hash('sha256')", "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4"],
      ["'hi' | checksum", "c22b5f9178342609428d6f51b2c5af4c0bde6a42"],
      ["'www.example.com' | to_uuid", "69680a13-a686-5d20-a166-0e7b3b17ef84"],
      ["42 | type_debug", "int"],
    ])('%s', (expression, expected) => {
      expect(evaluate(expression, vars)).toEqual(expected);
    });
  });

  describe("regular expressions (Python's re)", () => {
    test.each<[string, unknown]>([
      ["'abc' | regex_replace('(?P<x>b)', '[\\\\g<x>]')", "a[b]c"],
      ["'a\\nb' | regex_replace('^', '> ', multiline=true)", "> a\n> b"],
      ["'Hello' | regex_replace('hello', 'X', ignorecase=true)", "X"],
      ["'abc123def' | regex_search('(\\\\d)(\\\\d)', '\\\\2', '\\\\1')", ["2", "1"]],
      ["'abc' | regex_search('\\\\d')", null],
      ["'a1b2' | regex_findall('([a-z])(\\\\d)')", [["a", "1"], ["b", "2"]]],
      ["'abc123def456' | regex_findall('\\\\d+')", ["123", "456"]],
      ["'a-b c' | regex_escape", "a\\-b\\ c"],
      ["['ab', 'cd'] | select('search', 'D', ignorecase=true) | list", ["cd"]],
      ["'ABC' is match('a', ignorecase=true)", true],
      ["'a\\nb' is match('^b', multiline=true)", false],
      ["'abc' is regex('b', match_type='match')", false],
    ])('%s', (expression, expected) => {
      expect(evaluate(expression, vars)).toEqual(expected);
    });
  });

  describe("JSON and YAML text (json.dumps, yaml.dump)", () => {
    test.each<[string, unknown]>([
      ["d | to_json", "{\"b\": 2, \"a\": 1}"],
      ["'\u00e9' | to_json", "\"\\u00e9\""],
      ["{'a': '\u00e9'} | to_json(ensure_ascii=false)", "{\"a\": \"\u00e9\"}"],
      ["d | to_nice_json", "{\n    \"a\": 1,\n    \"b\": 2\n}"],
      ["users | to_nice_json(indent=2)", "[\n  {\n    \"age\": 30,\n    \"groups\": [\n      \"wheel\",\n      \"dev\"\n    ],\n    \"name\": \"bob\"\n  },\n  {\n    \"age\": 25,\n    \"groups\": [\n      \"dev\"\n    ],\n    \"name\": \"al\"\n  }\n]"],
      ["d | to_yaml", "{a: 1, b: 2}\n"],
      ["users | to_yaml", "- age: 30\n  groups: [wheel, dev]\n  name: bob\n- age: 25\n  groups: [dev]\n  name: al\n"],
      ["users | to_nice_yaml", "-   age: 30\n    groups:\n    - wheel\n    - dev\n    name: bob\n-   age: 25\n    groups:\n    - dev\n    name: al\n"],
      ["{'k': [1, {'x': None}], 'e': {}} | to_nice_yaml", "e: {}\nk:\n- 1\n-   x: null\n"],
      ["[[1, 2], [3]] | to_nice_yaml", "-   - 1\n    - 2\n-   - 3\n"],
      ["{'n': '123', 'o': 'on', 'q': \"it's\", 'c': 'a, b', 'h': '#x'} | to_yaml", "{c: 'a, b', h: '#x', n: '123', o: 'on', q: it's}\n"],
      ["{'n': '123', 'o': 'on', 'q': \"it's\", 'c': 'a, b', 'h': '#x'} | to_nice_yaml", "c: a, b\nh: '#x'\nn: '123'\no: 'on'\nq: it's\n"],
      ["'a: 1\\nb: [x, y, yes]' | from_yaml", {"a": 1, "b": ["x", "y", true]}],
      ["'{\"a\": [1, 2]}' | from_json", {"a": [1, 2]}],
    ])('%s', (expression, expected) => {
      expect(evaluate(expression, vars)).toEqual(expected);
    });
  });

  describe("tests (ansible.builtin core.py, mathstuff.py; Jinja2's)", () => {
    test.each<[string, unknown]>([
      ["'1.2.10' is version('1.2.9', '>')", true],
      ["'1.2' is version('1.2.0', '==')", false],
      ["'1.2' is version('1.10', 'lt', version_type='loose')", true],
      ["'1.2a1' is version('1.2', '<', strict=true)", true],
      ["'1.0.0-alpha' is version('1.0.0', '<', version_type='semver')", true],
      ["'1.0.0-rc.1' is version('1.0.0-rc.2', '<', version_type='semver')", true],
      ["'1.0.0-1' is version('1.0.0-alpha', '<', version_type='semver')", true],
      ["'2.14.18' is version_compare('2.9', '>=')", true],
      ["[1, 2] is subset([1, 2, 3])", true],
      ["[1, 2, 3] is superset([1, 5])", false],
      ["[1, 2] is contains(2)", true],
      ["[true, 1] is all", true],
      ["[0, ''] is any", false],
      ["{'results': [{'changed': false}, {'changed': true}]} is changed", true],
      ["{'failed': false} is succeeded", true],
      ["{'skipped': true} is skipped", true],
      ["true is number", true],
      ["d is iterable", true],
      ["'no' is truthy(convert_bool=true)", false],
      ["[] is falsy", true],
      ["'/etc' is abs", true],
      ["'/etc' is directory", true],
      ["'/nonexistent' is exists", false],
      ["[1] == [1]", true],
      ["{'a': [1]} == {'a': [1]}", true],
      ["1 < 2 < 3", true],
      ["3 > 2 > 2", false],
    ])('%s', (expression, expected) => {
      expect(evaluate(expression, vars)).toEqual(expected);
    });
  });

});

describe('printing in text, as Python prints a value', () => {
  test.each([
    ["x{{ [1, 'a', none, true] }}", "x[1, 'a', None, True]"],
    ["x{{ {'k': [1, 2], 'b': false} }}", "x{'k': [1, 2], 'b': False}"],
    ["x{{ 'a' ~ 1 ~ true }}", 'xa1True'],
    ['x{{ [1, 2] == [1, 2] }}', 'xTrue'],
  ])('%s is %s', (template, expected) => {
    expect(renderValue(template, {})).toBe(expected);
  });
});

test('to_nice_yaml folds a long line at a space past 80 columns, as PyYAML does', () => {
  const long = Array.from({ length: 30 }, (_, index) => `word${index}`).join(' ');
  expect(evaluate("{'k': long, 'l': [long], 'm': {'n': long}} | to_nice_yaml", { long })).toBe(
    'k: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n    word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\n    word25 word26 word27 word28 word29\nl:\n- word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n    word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23 word24\n    word25 word26 word27 word28 word29\nm:\n    n: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\n        word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23\n        word24 word25 word26 word27 word28 word29\n',
  );
});

describe('Jinja2 syntax nunjucks reads otherwise', () => {
  test('a mapping inside a mapping: `}}` closes both, not the expression', () => {
    expect(evaluate("{'a': {'b': {'c': 1}}}", {})).toEqual({ a: { b: { c: 1 } } });
    expect(renderValue("{{ {'a': 1} | combine({'b': {'c': 2}}) }}", {})).toEqual({ a: 1, b: { c: 2 } });
  });

  test('digits after a dot index a list (`item.0.name`, `item.1`)', () => {
    const vars = { item: [{ name: 'alice' }, 'k1'], rows: [[1, 2], [3, 4]] };
    expect(evaluate('item.0.name', vars)).toBe('alice');
    expect(evaluate('item.1', vars)).toBe('k1');
    expect(evaluate('rows.1.0', vars)).toBe(3);
  });

  test('a test takes several arguments, and keywords', () => {
    expect(evaluate("'2.0' is version('1.9', '>=', version_type='strict')", {})).toBe(true);
  });

  test('a test name is a name, dotted for ansible.builtin, and takes one argument without parentheses', () => {
    expect(evaluate('5 is in [5]', {})).toBe(true);
    expect(evaluate('5 is not in [4]', {})).toBe(true);
    expect(evaluate("'abc' is ansible.builtin.match('a')", {})).toBe(true);
    expect(evaluate('x is none', { x: null })).toBe(true);
    expect(templateSyntaxError('{{ x is community.general.foo }}')).toMatch(/^unknown test "community.general.foo"/);
  });

  test("the loop filter `for x in items if cond` is refused: nunjucks would read it as an inline if", () => {
    expect(templateSyntaxError('{% for x in items if x %}{{ x }}{% endfor %}')).toMatch(/loop filter .* is not supported/);
  });
});

describe('what runbook refuses rather than compute differently', () => {
  test('filters of collections or needing Python libraries are named with why, at validation', () => {
    expect(templateSyntaxError("{{ data | json_query('a') }}")).toMatch(/^filter "json_query" is not supported: .*JMESPath/);
    expect(templateSyntaxError("{{ 'x' | password_hash('sha512') }}")).toMatch(/^filter "password_hash" is not supported/);
    expect(templateSyntaxError('{{ addr | ipaddr }}')).toMatch(/^filter "ipaddr" is not supported: .*netaddr/);
  });

  test("a seeded random, whose pick would differ from Python's", () => {
    expect(() => evaluate("[1, 2] | random(seed='x')", {})).toThrow(/seed is not supported/);
    expect([1, 2]).toContain(evaluate('[1, 2] | random', {}));
  });

  test('an empty list has no first item; a version scheme runbook lacks; mixed types do not order', () => {
    expect(() => evaluate('[] | first', {})).toThrow(/no first item/);
    expect(() => evaluate("'1.0' is version('1.1', '<', version_type='pep440')", {})).toThrow(/pep440/);
    expect(() => evaluate("[1, 'a'] | sort", {})).toThrow(/not supported between instances of 'str' and 'int'|'int' and 'str'/);
  });
});
