import { describe, expect, test } from 'vitest';
import { renderValue } from '../../../src/template/index.js';

/**
 * Where Jinja2 (and so Ansible) computes differently from nunjucks, runbook follows Jinja2. Each
 * expected value is what Jinja2 3.1 gives (Python's printf-style formatting, Python's modulo and
 * slicing, the builtin filters select/reject/selectattr/rejectattr with a test and its arguments).
 */
const render = (text: string, vars: Record<string, unknown> = {}) => renderValue(text, vars);

describe("Python's % (https://docs.python.org/3/library/stdtypes.html#printf-style-string-formatting)", () => {
  test.each([
    ["{{ '%02d' % n }}", '05'],
    ["{{ 'pod%02d' % 7 }}", 'pod07'],
    ["{{ '%s-%s' % ('a', 'b') }}", 'a-b'],
    ["{{ '%(x)s=%(y)d' % {'x': 'k', 'y': 3} }}", 'k=3'],
    ["{{ '%.2f' % 3.14159 }}", '3.14'],
    ["{{ '%5s|' % 'ab' }}", '   ab|'],
    ["{{ '%-5s|' % 'ab' }}", 'ab   |'],
    ["{{ '%x %X %o' % (255, 255, 8) }}", 'ff FF 10'],
    ["{{ '%+d %05.1f' % (3, -2.5) }}", '+3 -02.5'],
    ["{{ '%d%%' % 50 }}", '50%'],
    ["{{ '%s' % [1, 'a'] }}", "[1, 'a']"],
    ["{{ '%s' % true }}", 'True'],
  ])('%s is %s', (text, expected) => {
    expect(render(text, { n: 5 })).toBe(expected);
  });

  test('a modulo of numbers takes the sign of the divisor', () => {
    expect(render('{{ -7 % 3 }}')).toBe(2);
    expect(render('{{ 7 % -3 }}')).toBe(-2);
    expect(render('{{ 10 % 4 }}')).toBe(2);
  });

  test('too few or too many arguments are errors, as in Python', () => {
    expect(() => render("{{ '%s %s' % 'a' }}")).toThrow(/not enough arguments/);
    expect(() => render("{{ '%s' % ('a', 'b') }}")).toThrow(/not all arguments converted/);
  });
});

test('a tuple is a sequence of its items (nunjucks kept only the last)', () => {
  expect(render('{{ (1, 2, 3) | length }}')).toBe(3);
  expect(render("{{ ('a', 'b')[0] }}")).toBe('a');
  expect(render('{{ (7) }}')).toBe(7);
});

describe('slices (Python: a string slices to a string, bounds are clamped)', () => {
  test.each([
    ["{{ 'abc'[1:] }}", 'bc'],
    ["{{ 'abcdef'[::-1] }}", 'fedcba'],
    ["{{ 'abcdef'[1:5:2] }}", 'bd'],
    ["{{ 'abc'[-10:2] }}", 'ab'],
    ["{{ 'abc'[5:] }}", ''],
  ])('%s is %j', (text, expected) => {
    expect(render(text)).toBe(expected);
  });

  test('a list slices to a list', () => {
    expect(render('{{ [1, 2, 3, 4][-2:] }}')).toEqual([3, 4]);
    expect(render('{{ [1, 2, 3][:-1] }}')).toEqual([1, 2]);
  });
});

describe('select, reject, selectattr, rejectattr with a test (https://jinja.palletsprojects.com/en/3.1.x/templates/#jinja-filters.selectattr)', () => {
  const vars = {
    mounts: [
      { path: '/a', state: 'absent' },
      { path: '/b', state: 'present' },
      { path: '/c', state: 'absent' },
    ],
    numbers: [1, 2, 3, 4],
    words: ['nfs', '', 'kvm'],
  };

  test('selectattr and rejectattr apply the test and its argument, not truthiness', () => {
    expect(render("{{ mounts | selectattr('state', 'equalto', 'absent') | map(attribute='path') | list }}", vars)).toEqual(['/a', '/c']);
    expect(render("{{ mounts | rejectattr('state', 'equalto', 'absent') | map(attribute='path') | list }}", vars)).toEqual(['/b']);
    expect(render("{{ mounts | selectattr('state', '==', 'present') | list | length }}", vars)).toBe(1);
    expect(render("{{ mounts | selectattr('path', 'in', ['/a', '/b']) | map(attribute='path') | list }}", vars)).toEqual(['/a', '/b']);
  });

  test('select and reject with a test and arguments; without one, truthiness', () => {
    expect(render("{{ numbers | select('>', 2) | list }}", vars)).toEqual([3, 4]);
    expect(render("{{ numbers | reject('odd') | list }}", vars)).toEqual([2, 4]);
    expect(render("{{ numbers | select('divisibleby', 2) | list }}", vars)).toEqual([2, 4]);
    expect(render('{{ words | select | list }}', vars)).toEqual(['nfs', 'kvm']);
    expect(render('{{ words | reject | list }}', vars)).toEqual(['']);
  });

  test("equality is Python's: True == 1, but not None, a list or a string", () => {
    const values = { values: [true, 1, null, [1], 'True', 0] };
    expect(render("{{ values | select('equalto', true) | list }}", values)).toEqual([true, 1]);
    expect(render("{{ values | select('equalto', false) | list }}", values)).toEqual([0]);
  });

  test('an unknown test is an error; so is the truth of an attribute an item lacks', () => {
    expect(() => render("{{ numbers | select('bigger', 2) | list }}", vars)).toThrow(/no test named "bigger"/);
    expect(() => render("{{ mounts | selectattr('owner') | list }}", vars)).toThrow(/has no attribute "owner"/);
  });
});

describe('a test takes one argument without parentheses (Jinja2: `foo is divisibleby 3`)', () => {
  test.each([
    ['{{ flag is sameas true }}', true],
    ['{{ flag is sameas false }}', false],
    ['{{ 6 is divisibleby 3 }}', true],
    ["{{ name is equalto 'kvm1' }}", true],
    ['{{ nothing is sameas none }}', true],
    ['{{ flag is sameas true and name is defined }}', true],
    ['{{ flag is not sameas true }}', false],
    ['{{ 7 is divisibleby(3) }}', false],
  ])('%s is %s', (text, expected) => {
    expect(render(text, { flag: true, name: 'kvm1', nothing: null })).toBe(expected);
  });
});
