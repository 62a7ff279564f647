import { RunbookError } from '../../errors.js';

/**
 * Splits a command line into words like Python's shlex.split (POSIX mode, no comments): whitespace
 * separates words, '…' is literal, "…" lets a backslash escape only " and \, a bare backslash
 * escapes any character. Nothing else is special: no variables, globs, pipes or redirections.
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let index = 0;
  const fail = (message: string): never => {
    throw new RunbookError('RB_VALIDATION', `${message} in command line ${JSON.stringify(line)}`);
  };
  while (index < line.length) {
    const char = line[index] as string;
    index += 1;
    if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === "'") {
      const end = line.indexOf("'", index);
      if (end < 0) fail('no closing quotation');
      word = (word ?? '') + line.slice(index, end);
      index = end + 1;
    } else if (char === '"') {
      word ??= '';
      for (;;) {
        if (index >= line.length) fail('no closing quotation');
        const inner = line[index] as string;
        index += 1;
        if (inner === '"') break;
        const next = line[index];
        if (inner === '\\' && (next === '"' || next === '\\')) {
          word += next;
          index += 1;
        } else {
          word += inner;
        }
      }
    } else if (char === '\\') {
      if (index >= line.length) fail('no escaped character after a backslash');
      word = (word ?? '') + line[index];
      index += 1;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
