import type { Issue } from '../errors.js';

export type ColorKind = 'error' | 'warning' | 'dim' | 'caret';

export interface FormatOptions {
  /** Supplied by the reporter (chalk lives in report/style.ts); identity for plain text. */
  color: (kind: ColorKind, text: string) => string;
}

const PLAIN: FormatOptions = { color: (_kind, text) => text };
const CONTEXT_LINES = 2;

/**
 * `file:line:col CODE message`, then a code frame (two lines of context each side, line numbers,
 * a caret underline under the span), then `hint: ...` when there is one.
 */
export function formatIssue(issue: Issue, sourceText: string | undefined, options: FormatOptions = PLAIN): string {
  const { color } = options;
  const severity = issue.severity === 'warning' ? 'warning' : 'error';
  const label = issue.severity === 'warning' ? `${issue.code} (warning)` : issue.code;
  const parts = [`${issue.file}:${issue.line}:${issue.col} ${color(severity, label)} ${issue.message}`];
  const frame = sourceText === undefined ? undefined : codeFrame(issue, sourceText, options);
  if (frame !== undefined) parts.push(frame);
  if (issue.hint !== undefined) parts.push(`${color('dim', 'hint:')} ${issue.hint}`);
  return parts.join('\n');
}

function codeFrame(issue: Issue, sourceText: string, { color }: FormatOptions): string | undefined {
  const lines = sourceText.split(/\r?\n/);
  if (issue.line < 1 || issue.line > lines.length) return undefined;
  const first = Math.max(1, issue.line - CONTEXT_LINES);
  const last = Math.min(lines.length, issue.line + CONTEXT_LINES);
  const width = String(last).length;
  const gutter = (text: string): string => color('dim', `${text.padStart(width)} |`);
  const marker = color(issue.severity === 'warning' ? 'warning' : 'error', '>');
  const output: string[] = [];
  for (let number = first; number <= last; number++) {
    const text = (lines[number - 1] ?? '').trimEnd();
    const current = number === issue.line;
    const body = text === '' ? '' : ` ${current ? text : color('dim', text)}`;
    output.push(`${current ? marker : ' '} ${gutter(String(number))}${body}`);
    if (current) output.push(`  ${gutter('')} ${caretPadding(text, issue)}${color('caret', '^'.repeat(caretSpan(issue)))}`);
  }
  return output.join('\n');
}

/** Spaces up to the column, tabs kept so the caret lines up under tab-indented text. */
function caretPadding(text: string, issue: Issue): string {
  return [...text.slice(0, Math.max(0, issue.col - 1))].map((char) => (char === '\t' ? '\t' : ' ')).join('');
}

/** One caret per column of a one-line span, else a single caret. */
function caretSpan(issue: Issue): number {
  return issue.endLine === issue.line && issue.endCol !== undefined && issue.endCol > issue.col ? issue.endCol - issue.col : 1;
}

/** Every issue formatted, separated by blank lines; `readSource` returns a file's text (undefined when unreadable). */
export function formatIssues(
  issues: readonly Issue[],
  readSource: (file: string) => string | undefined,
  options: FormatOptions = PLAIN,
): string {
  const sources = new Map<string, string | undefined>();
  const source = (file: string): string | undefined => {
    if (!sources.has(file)) sources.set(file, readSource(file));
    return sources.get(file);
  };
  return issues.map((issue) => formatIssue(issue, source(issue.file), options)).join('\n\n');
}
