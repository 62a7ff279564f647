import { describe, expect, test } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import {
  evaluate,
  guardedVariables,
  isTrue,
  renderValue,
  rootVariables,
  templateSyntaxError,
} from '../../../src/template/index.js';

const vars = {
  name: 'web',
  port: 8080,
  packages: ['nginx', 'curl'],
  config: { root: '/srv/{{ name }}', tls: false },
  site_dir: '{{ config.root }}/site',
  empty: null,
  result: { rc: 0, stdout: 'hello world', stdout_lines: ['hello world'], changed: true, failed: false },
  skipped_result: { changed: false, skipped: true },
};

/** The RunbookError a call throws. */
function thrown(run: () => unknown): RunbookError {
  try {
    run();
  } catch (error) {
    if (error instanceof RunbookError) return error;
    throw error;
  }
  throw new Error('expected an error');
}

describe('renderValue', () => {
  test('a lone {{ expression }} keeps its native type', () => {
    expect(renderValue('{{ packages }}', vars)).toEqual(['nginx', 'curl']);
    expect(renderValue('{{ port + 1 }}', vars)).toBe(8081);
    expect(renderValue('{{ config.tls }}', vars)).toBe(false);
    expect(renderValue('{{ {"a": port} }}', vars)).toEqual({ a: 8080 });
    expect(renderValue('{{ empty }}', vars)).toBeNull();
  });

  test('text around a template makes a string', () => {
    expect(renderValue('port {{ port }}', vars)).toBe('port 8080');
    expect(renderValue(' {{ port }}', vars)).toBe(' 8080');
    expect(renderValue('{% for p in packages %}{{ p }};{% endfor %}', vars)).toBe('nginx;curl;');
  });

  test('text and plain variables, joined without nunjucks, render exactly as nunjucks renders them', () => {
    const plain = { x: 'X', y: 'Y', null: 'N', none: 'N', n: 3, t: '{{ x }}!', e: '' };
    const outcome = (text: string): unknown => {
      try {
        return { value: renderValue(text, plain) };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    // A comment is text the shortcut leaves to nunjucks, and prints nothing.
    const texts = [
      'a {{ x }} b {{y}}',
      '{{x}}{{y}}',
      '{{ e }}.',
      '{{ x }}}',
      '{{{ x }}',
      '{{- x }} !',
      'a {{ x -}} b',
      'a{{\u00a0x }}',
      'a{{\u3000x }}',
      'a{{ x\u2028}}',
      'a{{\fx }}',
      'a{{ null }}',
      'a{{ none }}',
      'a{{ n }}',
      'a{{ t }}',
      'a{{ missing }}',
    ];
    for (const text of texts) expect(outcome(text), text).toEqual(outcome(`${text}{# #}`));
    expect(renderValue('a {{ x }} b', plain)).toBe('a X b');
    expect(renderValue('{{ x }}', plain)).toBe('X');
    expect(renderValue('{{ null }}', plain)).toBeNull();
  });

  test('renders deeply and leaves non-templates alone', () => {
    expect(renderValue({ list: ['{{ name }}', 3, true], nested: { path: '/{{ name }}' }, plain: 'x' }, vars)).toEqual({
      list: ['web', 3, true],
      nested: { path: '/web' },
      plain: 'x',
    });
    expect(renderValue(42, vars)).toBe(42);
  });

  test('variables whose values are templates resolve recursively, through attributes too', () => {
    expect(renderValue('{{ site_dir }}', vars)).toBe('/srv/web/site');
    expect(renderValue('{{ config }}', vars)).toEqual({ root: '/srv/web', tls: false });
  });

  test('a variable defined through itself is an error, not a hang', () => {
    expect(thrown(() => renderValue('{{ a }}', { a: '{{ b }}', b: '{{ a }}' })).message).toBe('variable "a" refers to itself ("{{ b }}")');
  });

  test('an undefined variable is an RB_TEMPLATE error that names it', () => {
    const error = thrown(() => renderValue('mount {{ nfs_server }}:/srv', vars));
    expect(error.code).toBe('RB_TEMPLATE');
    expect(error.message).toBe('undefined variable "nfs_server"');
    expect(thrown(() => renderValue('{{ result.stdoutt }}', vars)).message).toBe('"result" has no attribute "stdoutt"');
    expect(thrown(() => renderValue('{{ packages[5] }}', vars)).message).toBe('"packages" has no item 5');
    expect(thrown(() => renderValue('{{ empty.x }}', vars)).message).toBe('"empty" is null, so it has no attribute "x"');
    expect(thrown(() => isTrue('nope == 1', vars)).message).toBe('undefined variable "nope"');
  });

  test('undefined is fine where it is the point: default, is defined, a branch not taken', () => {
    expect(renderValue('{{ nope | default("fallback") }}', vars)).toBe('fallback');
    expect(renderValue('{{ nope.deeper | d(7) }}', vars)).toBe(7);
    expect(renderValue('{{ nope is defined }}', vars)).toBe(false);
    expect(renderValue('{{ result.missing is undefined }}', vars)).toBe(true);
    expect(renderValue('{% if nope is defined %}{{ nope }}{% endif %}done', vars)).toBe('done');
  });

  test('omit drops the mapping key it is rendered into', () => {
    expect(renderValue({ name: '{{ name }}', mode: '{{ nope | default(omit) }}' }, vars)).toEqual({ name: 'web' });
  });

  test('a macro reads the variables, as in Jinja', () => {
    expect(renderValue('{% macro greet(who) %}{{ who }} from {{ name }}{% endmacro %}{{ greet("ops") }}', vars)).toBe('ops from web');
  });

  test('a variable named omit wins over the placeholder', () => {
    expect(renderValue({ mode: '{{ omit }}' }, { omit: 'kept' })).toEqual({ mode: 'kept' });
  });

  test('assignments inside a template never change the variables it was given', () => {
    const given = { name: 'web', items: [1, 2] };
    const text = '{% for item in items %}{% set name = item %}{% endfor %}{% set items = [] %}{{ name }}';
    renderValue(text, given);
    expect(given).toEqual({ name: 'web', items: [1, 2] });
    expect(renderValue('{{ name }}', given)).toBe('web');
  });

  test('printing a null is an error with a hint; unknown filters and functions are named', () => {
    const error = thrown(() => renderValue('x={{ empty }}', vars));
    expect(error.message).toBe('the template prints a value that is null');
    expect(error.hint).toContain("default('', true)");
    expect(thrown(() => renderValue('{{ name | shout }}', vars)).message).toBe('unknown filter "shout"');
    expect(thrown(() => renderValue('{{ shout(name) }}', vars)).message).toBe('undefined function "shout"');
  });
});

describe('filters and tests', () => {
  test.each([
    ['{{ "yes" | bool }}', true],
    ['{{ "off" | bool }}', false],
    ['{{ "42" | int + 1 }}', 43],
    ['{{ port | string }}', '8080'],
    ['{{ name | upper }}{{ "A" | lower }}', 'WEBa'],
    ['{{ packages | join(", ") }}', 'nginx, curl'],
    ['{{ packages | length }}', 2],
    ['{{ packages | first }}-{{ packages | last }}', 'nginx-curl'],
    ['{{ "  x  " | trim }}', 'x'],
    ['{{ result.stdout | regex_replace("(\\\\w+) (?P<second>\\\\w+)", "\\\\g<second> \\\\1") }}', 'world hello'],
    ['{{ result.stdout | regex_replace("O", "0", ignorecase=true) }}', 'hell0 w0rld'],
    ['{{ result.stdout | regex_search("w\\\\w+") }}', 'world'],
    ['{{ result.stdout | regex_search("(\\\\w+) (\\\\w+)", "\\\\2") }}', ['world']],
    ['{{ result.stdout | regex_search("xyz") }}', null],
    // json.dumps' and yaml.dump's own spacing and styles (a list of scalars is written in flow style).
    ['{{ config | to_json }}', '{"root": "/srv/{{ name }}", "tls": false}'],
    ['{{ packages | to_yaml }}', '[nginx, curl]\n'],
    ['{{ \'{"a": [1]}\' | from_json }}', { a: [1] }],
    ["{{ \"it's here\" | quote }}", "'it'\\''s here'"],
    ['{{ "/etc/nginx/nginx.conf" | basename }}', 'nginx.conf'],
    ['{{ "/etc/nginx/nginx.conf" | dirname }}', '/etc/nginx'],
    ['{{ name | mandatory }}', 'web'],
    ['{{ [{"n": 1}, {"n": 2}] | map(attribute="n") | list }}', [1, 2]],
    ['{{ packages | map("upper") | list }}', ['NGINX', 'CURL']],
    ['{{ result is succeeded }}/{{ result is failed }}/{{ result is changed }}/{{ skipped_result is skipped }}', 'True/False/True/True'],
    ['{{ empty is none }}', true],
    // Printed in text as Python's str() prints a bool.
    ['{{ name is match("w.b") }}/{{ name is search("eb") }}', 'True/True'],
    ['{{ result.stdout.startswith("hello") }}', true],
    ['{{ result.stdout.split() }}', ['hello', 'world']],
    ['{{ result.stdout.replace("l", "L") }}', 'heLLo worLd'],
    ['{{ packages[0:1] }}', ['nginx']],
    ['{{ config.items() | list | length }}', 2],
    ['{{ True and not False }}', true],
  ])('%s', (template, expected) => {
    expect(renderValue(template, vars)).toEqual(expected);
  });

  test('from_json reports invalid JSON as a template error', () => {
    expect(thrown(() => renderValue('{{ "{" | from_json }}', vars)).message).toMatch(/^from_json: not valid JSON/);
  });
});

describe('evaluate and isTrue', () => {
  test('bare expressions return native values', () => {
    expect(evaluate('packages | length', vars)).toBe(2);
    expect(evaluate("result.stdout_lines + ['x']", vars)).toEqual(['hello world', 'x']);
  });

  test('conditions follow Jinja truthiness', () => {
    expect(isTrue('result.rc == 0', vars)).toBe(true);
    expect(isTrue("'hello' in result.stdout", vars)).toBe(true);
    expect(isTrue('result is failed', vars)).toBe(false);
    expect(isTrue('[]', vars)).toBe(false);
    expect(isTrue('{}', vars)).toBe(false);
    expect(isTrue("''", vars)).toBe(false);
    expect(isTrue('packages', vars)).toBe(true);
    expect(isTrue(false, vars)).toBe(false);
    expect(isTrue(true, vars)).toBe(true);
  });

  test('a condition written as a template still works, like Ansible', () => {
    expect(isTrue('{{ port > 80 }}', vars)).toBe(true);
    expect(isTrue('{{ "result.rc == 1" }}', vars)).toBe(false);
  });

  test('a syntax error in a condition is an RB_TEMPLATE error', () => {
    expect(thrown(() => isTrue('result.rc ==', vars)).message).toMatch(/^template syntax error: /);
  });
});

describe('static analysis for validation', () => {
  test('templateSyntaxError explains, or returns undefined when the template parses', () => {
    expect(templateSyntaxError('{{ name }} and {% if port %}x{% endif %}')).toBeUndefined();
    expect(templateSyntaxError('{{ a b }}')).toBe('template syntax error: something follows the expression where `}}` should be (an operator or a `|` missing?)');
    expect(templateSyntaxError('{% if x %}')).toBe('template syntax error: the `{% if %}` at column 1 is never closed: `{% endif %}` is missing');
    expect(templateSyntaxError('{{ foo(')).toBe('template syntax error: a `)` is missing to close the `(` at column 7');
    expect(templateSyntaxError('{{ x | defualt(1) }}')).toBe('unknown filter "defualt"; did you mean "default"?');
    expect(templateSyntaxError('{{ x is definde }}')).toBe('unknown test "definde"; did you mean "defined"?');
    expect(templateSyntaxError('result.rc == 0', 'expression')).toBeUndefined();
    expect(templateSyntaxError('result.rc ==', 'expression')).toMatch(/^template syntax error: /);
  });

  test('rootVariables: what a template needs defined, minus what it binds or guards itself', () => {
    expect(
      rootVariables(
        '{% for p in pkgs %}{{ p }}{{ loop.index }}{% endfor %}{% set local = 1 %}{{ local }}{{ a.b }}' +
          '{{ c | default(d) }}{{ e is defined }}{{ range(3) }}{{ lookup("env", "HOME") }}{{ {"key": f} }}{{ True }}',
      ),
    ).toEqual(['pkgs', 'a', 'd', 'f']);
    expect(rootVariables('result.rc == 0 and item in allowed', 'expression')).toEqual(['result', 'item', 'allowed']);
    expect(rootVariables('{{ x }}{{ x | default(1) }}')).toEqual([]);
    expect(rootVariables('{{ broken')).toEqual([]);
  });

  test('guardedVariables: names read only where undefined is handled', () => {
    expect(guardedVariables('{{ c | default(d) }}{{ e is defined }}{{ f }}')).toEqual(['c', 'e']);
  });
});
