import { describe, expect, it } from 'vitest';
import { templateSyntaxError } from '../../../src/template/index.js';

// A template syntax error says in words what is missing and where, never the parser's internal names.
describe('template syntax errors in words', () => {
  it.each([
    ['{{ (1 + 2 }}', 'template', 'a `)` is missing to close the `(` at column 4'],
    ['{{ x | default("a" }}', 'template', 'a `)` is missing to close the `(` at column 15'],
    ['{{ x[0 }}', 'template', 'a `]` is missing to close the `[` at column 5'],
    ['{{ x ) }}', 'template', '`)` at column 6 closes nothing: no `(` is open there'],
    ['{{ (x] }}', 'template', 'a `)` is missing to close the `(` at column 4 (found `]` at column 6)'],
    ['{{ x }', 'template', '`{{` at column 1 is never closed with `}}`'],
    ['a {% if x %', 'template', '`{%` at column 3 is never closed with `%}`'],
    ['{{ "abc }}', 'template', 'the string opened with " at column 4 is never closed (a `"` is missing)'],
    ['x | default(1', 'expression', 'a `)` is missing to close the `(` at column 12'],
    ['{{ x y }}', 'template', 'something follows the expression where `}}` should be (an operator or a `|` missing?)'],
    ['{{ x == }}', 'template', '`}}` comes where a value is expected (a value missing before it?)'],
    ['{% if x %}a', 'template', 'the `{% if %}` at column 1 is never closed: `{% endif %}` is missing'],
    ['{% for x in y %}{% if x %}a{% endif %}', 'template', 'the `{% for %}` at column 1 is never closed: `{% endfor %}` is missing'],
  ] as const)('%s', (text, mode, words) => {
    const error = templateSyntaxError(text, mode);
    expect(error).toBe(`template syntax error: ${words}`);
    expect(error).not.toMatch(/parse[A-Z]/);
  });

  it('balanced brackets inside strings are not counted', () => {
    expect(templateSyntaxError('{{ "(" ~ x ~ "]" }}', 'template')).toBeUndefined();
  });
});
