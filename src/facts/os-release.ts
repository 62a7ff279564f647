/**
 * The variables of an os-release file (os-release(5)), read as text: the file is never run by a
 * shell, so nothing in it executes and every value arrives as written. Each line is read alone (a
 * value is one line; a broken line cannot swallow the ones after it): a comment (`#`), blank, or
 * NAME=VALUE, where VALUE is one shell word: "double quoted" (a backslash escapes `"`, `\`, `$` and
 * a backtick, and stays before any other character), 'single quoted' (as is), or unquoted (a
 * backslash escapes the next character), with nothing after it but a comment. `$` and backticks
 * are kept as text. Any other line (an open quote, a command, two words) sets nothing; a later
 * assignment wins, as in a shell.
 */
export function parseOsRelease(lines: readonly string[]): Map<string, string> {
  const variables = new Map<string, string>();
  for (const line of lines) {
    const assignment = ASSIGNMENT.exec(line);
    if (!assignment) continue;
    const value = shellWord(assignment[2]!);
    if (value !== undefined) variables.set(assignment[1]!, value);
  }
  return variables;
}

const ASSIGNMENT = /^[ \t]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s;
const DOUBLE_QUOTE_ESCAPES = new Set(['"', '\\', '$', '`']);
const BLANK = new Set([' ', '\t', '\r']);

/** The word at the start of `text`, quotes removed; undefined when a quote is left open or another word follows. */
function shellWord(text: string): string | undefined {
  let word = '';
  let at = 0;
  while (at < text.length && !BLANK.has(text[at]!)) {
    const char = text[at]!;
    if (char === "'") {
      const end = text.indexOf("'", at + 1);
      if (end < 0) return undefined;
      word += text.slice(at + 1, end);
      at = end + 1;
    } else if (char === '"') {
      at += 1;
      while (text[at] !== '"') {
        if (at >= text.length) return undefined;
        const escaped = text[at] === '\\' && DOUBLE_QUOTE_ESCAPES.has(text[at + 1] ?? '');
        word += escaped ? text[at + 1] : text[at];
        at += escaped ? 2 : 1;
      }
      at += 1;
    } else if (char === '\\' && at + 1 < text.length) {
      word += text[at + 1];
      at += 2;
    } else {
      word += char;
      at += 1;
    }
  }
  const rest = text.slice(at).trim();
  return rest === '' || rest.startsWith('#') ? word : undefined;
}
