import { describe, expect, test } from 'vitest';
import { KeyValueError, parseKeyValue, splitArgs } from '../../../src/load/key-value.js';

// Expected values are what Ansible's own parse_kv and split_args (lib/ansible/parsing/splitter.py)
// return for the same input.

/** The arguments as Ansible's parse_kv returns them: a dict, free words as _raw_params. */
function kv(text: string, freeForm = false): Record<string, string> {
  const options = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);
  const parsed = parseKeyValue(text, freeForm ? (key) => options.has(key) : undefined);
  const args: Record<string, string> = Object.fromEntries(parsed.pairs.map(({ key, value }) => [key, value]));
  return parsed.free.length > 0 ? { ...args, _raw_params: parsed.freeText } : args;
}

const words = (text: string) => splitArgs(text).map((word) => word.text);

describe('key=value words', () => {
  test.each([
    ['name=nginx state=started', { name: 'nginx', state: 'started' }],
    ['msg="hello world"', { msg: 'hello world' }],
    ["msg='hello world' x=1", { msg: 'hello world', x: '1' }],
    // Values stay strings: module argument types convert them.
    ['enabled=yes mode=0644 count=3', { enabled: 'yes', mode: '0644', count: '3' }],
    ['a=b=c', { a: 'b=c' }],
    ['k=', { k: '' }],
    ['a= b c=d', { a: '', c: 'd', _raw_params: 'b' }],
    ['msg="say \\"hi\\""', { msg: 'say "hi"' }],
    ['key="a\\"b" c=d', { key: 'a"b', c: 'd' }],
    ["a='x \"y\" z'", { a: 'x "y" z' }],
    ['a="x\'y" b=1', { a: "x'y", b: '1' }],
    // Only quotes around the whole value are removed.
    ['a="x y"z', { a: '"x y"z' }],
    ["msg='it''s'", { msg: "it''s" }],
    // Python escapes are decoded in every key=value word, quoted or not.
    ['path=C:\\new', { path: 'C:\new' }],
    ['msg=a\\x41\\u00e9', { msg: 'aAé' }],
    ['msg=a\\\\nb', { msg: 'a\\nb' }],
    ['a=b\\', { a: 'b\\' }],
    // An escaped = is not a separator.
    ['a\\=b=c', { 'a\\=b': 'c' }],
    ['a\\=b', { _raw_params: 'a=b' }],
    ['=x', { _raw_params: '=x' }],
    ['a = b', { _raw_params: 'a = b' }],
    // Later words win in Ansible (runbook refuses the repetition; see playbook.test.ts).
    ['x=1 x=2', { x: '2' }],
    ['a=1  b=2', { a: '1', b: '2' }],
    ['a=1\nb=2', { a: '1', b: '2' }],
    ['a=1 \\\nb=2', { a: '1', b: '2' }],
    // A tab does not separate words.
    ['a=b\tc=d e=f', { a: 'b\tc=d', e: 'f' }],
  ])('%j', (text, expected) => {
    expect(kv(text)).toEqual(expected);
  });

  test.each([
    ['dest={{ base }}/x mode=0644', { dest: '{{ base }}/x', mode: '0644' }],
    ['msg={{ "a b" | upper }} x=1', { msg: '{{ "a b" | upper }}', x: '1' }],
    ["msg={{ x | default('a b') }}", { msg: "{{ x | default('a b') }}" }],
    ['msg="{{ a }} b" c=d', { msg: '{{ a }} b', c: 'd' }],
    ['a={{ {"k": "v b"} }}', { a: '{{ {"k": "v b"} }}' }],
    ['a="}}" b={{ x }}', { a: '}}', b: '{{ x }}' }],
    ['{% if x %}a=1{% endif %} b=2', { '{% if x %}a': '1{% endif %}', b: '2' }],
    ['{# note #} a=1', { a: '1', _raw_params: '{# note #}' }],
  ])('templates keep their spaces and quotes: %j', (text, expected) => {
    expect(kv(text)).toEqual(expected);
  });

  test.each([
    ['msg="unterminated', 'a " quote is not closed'],
    ['msg={{ x', 'a Jinja block ({{ }}, {% %} or {# #}) is not closed'],
    ['a="1"x"', 'a " quote is not closed'],
    ["echo it's", "a ' quote is not closed"],
  ])('unbalanced %j is an error, as in Ansible', (text, message) => {
    expect(() => kv(text)).toThrow(`${message}: the arguments cannot be split into key=value words`);
  });

  test('the error points from the unclosed word to the end', () => {
    const error = (() => {
      try {
        splitArgs('name=x msg="oops');
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(error).toBeInstanceOf(KeyValueError);
    expect((error as KeyValueError).span).toEqual({ offset: 7, length: 9 });
  });
});

describe('free-form command lines (command, shell)', () => {
  test.each([
    ['echo hello chdir=/tmp creates=/x world', { chdir: '/tmp', creates: '/x', _raw_params: 'echo hello world' }],
    ['echo x stdin="hello world" y', { stdin: 'hello world', _raw_params: 'echo x y' }],
    // Only the command modules' own options leave the line.
    ['cat a=b', { _raw_params: 'cat a=b' }],
    ['echo "creates=x" a=b', { _raw_params: 'echo "creates=x" a=b' }],
    ['chdir=/x', { chdir: '/x' }],
    // Free words are kept as written: no escapes decoded, spaces kept.
    ['echo a\\=b', { _raw_params: 'echo a=b' }],
    ['printf "\\N{BULLET}"', { _raw_params: 'printf "\\N{BULLET}"' }],
    ['  echo   a   b  ', { _raw_params: '  echo   a   b  ' }],
    ['echo "a\n  b" chdir=/x', { chdir: '/x', _raw_params: 'echo "a\n  b"' }],
    ['ls \\', { _raw_params: 'ls' }],
    ['line1\nline2 chdir=/d\n  indented', { chdir: '/d', _raw_params: 'line1\nline2 indented' }],
  ])('%j', (text, expected) => {
    expect(kv(text, true)).toEqual(expected);
  });
});

describe('where each word was written', () => {
  test('words keep their offsets, joined across quotes and blocks', () => {
    expect(splitArgs('a=1 msg="x y" dest={{ b }}/c')).toEqual([
      { text: 'a=1', start: 0, end: 3 },
      { text: 'msg="x y"', start: 4, end: 13 },
      { text: 'dest={{ b }}/c', start: 14, end: 28 },
    ]);
    expect(words('  a=1   b=2  ')).toEqual([' ', 'a=1  ', 'b=2  ']);
  });

  test("keys and values are located inside the string; a quoted value's span leaves its quotes out", () => {
    const [name, msg] = parseKeyValue('name=nginx msg="hello world"').pairs;
    expect(name).toMatchObject({ keySpan: { offset: 0, length: 4 }, valueSpan: { offset: 5, length: 5 } });
    expect(msg).toMatchObject({ keySpan: { offset: 11, length: 3 }, valueSpan: { offset: 16, length: 11 } });
  });

  test('a word whose escapes were decoded is located as a whole', () => {
    const [path] = parseKeyValue('x=1 path=C:\\new').pairs.slice(1);
    expect(path).toMatchObject({ value: 'C:\new', keySpan: { offset: 4, length: 11 }, valueSpan: { offset: 4, length: 11 } });
  });

  test('a Unicode escape by name is refused rather than guessed', () => {
    expect(() => kv('msg=\\N{BULLET}')).toThrow('\\N{BULLET}: escapes by Unicode character name are not supported');
  });
});
