import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../../src/modules/lib/shlex.js';

describe('splitCommandLine (Python shlex.split, POSIX mode)', () => {
  it.each([
    ['ls -l  /tmp', ['ls', '-l', '/tmp']],
    ["echo 'a b' c", ['echo', 'a b', 'c']],
    ['echo "a \\"b\\" \\\\ \\$x"', ['echo', 'a "b" \\ \\$x']],
    ['a\\ b c\\\\d', ['a b', 'c\\d']],
    ["pre'quoted'\"mixed\"post", ['prequotedmixedpost']],
    ["'' \"\"", ['', '']],
    ['a | b > c; d && $e `f` #g', ['a', '|', 'b', '>', 'c;', 'd', '&&', '$e', '`f`', '#g']],
    ['  \t\n ', []],
  ])('%j → %j', (line, words) => {
    expect(splitCommandLine(line)).toEqual(words);
  });

  it.each([["echo 'open", 'no closing quotation'], ['echo "open', 'no closing quotation'], ['trailing\\', 'no escaped character']])(
    '%j is an error: %s',
    (line, message) => {
      expect(() => splitCommandLine(line)).toThrow(message);
    },
  );
});
