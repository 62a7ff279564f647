import type { LineArgs } from '../schema/generated/line.js';
import { DEFAULT_MAX_CONTENT_BYTES, isText } from './lib/remote-file.js';
import { currentFile, fileWriteProbes, planFileWrite } from './lib/write-plan.js';
import type { ModuleDefinition, Plan } from './types.js';

/** The new text of the file, or why it stays as it is. */
type Edit = { text: string; summary: string } | { unchanged: string };

export const lineModule: ModuleDefinition<LineArgs> = {
  name: 'line',
  summary: 'Ensure a line in a text file, or remove matching lines (like lineinfile)',
  probe: (args) => fileWriteProbes(args.path),
  plan(args, probes, context) {
    const { path } = args;
    const state = args.state ?? 'present';
    const attributes = { mode: args.mode, owner: args.owner, group: args.group };
    let patterns: Patterns;
    try {
      patterns = compilePatterns(args);
    } catch (error) {
      return { kind: 'fail', message: `line: ${(error as Error).message}` };
    }
    if (state === 'present' && args.line === undefined) return { kind: 'fail', message: 'line: state present needs `line`' };
    const current = currentFile(probes);
    if (current.state === null) {
      if (state === 'absent') return { kind: 'noop', reason: `${path} does not exist` };
      if (!args.create && !context.check) return { kind: 'fail', message: `${path} does not exist (set create: true to create it)` };
      if (args.backrefs) return { kind: 'fail', message: `${path} does not exist, and backrefs never adds a line` };
      if (!args.create) {
        // Check mode cannot see files that earlier tasks would create: say so instead of failing.
        return {
          kind: 'change',
          summary: `add a line to ${path}, which does not exist yet (the real run fails unless an earlier task creates it)`,
          diff: [{ label: path, before: '', after: `${args.line}\n` }],
          steps: [],
        };
      }
      return planFileWrite({ path, content: Buffer.from(`${args.line}\n`, 'utf8'), attributes, check: context.check }, probes);
    }
    if (current.state.type !== 'file') return { kind: 'fail', message: `${path} is not a regular file` };
    if (current.content === undefined) {
      return { kind: 'fail', message: `${path} is larger than ${DEFAULT_MAX_CONTENT_BYTES} bytes; line edits smaller text files` };
    }
    if (!isText(current.content)) return { kind: 'fail', message: `${path} is not a UTF-8 text file` };
    const before = current.content.toString('utf8');
    const edit = state === 'present' ? ensurePresent(before, args.line ?? '', patterns, args) : ensureAbsent(before, patterns, args);
    if ('unchanged' in edit) {
      return planFileWrite({ path, content: current.content, attributes, upToDateReason: edit.unchanged }, probes);
    }
    return planFileWrite({ path, content: Buffer.from(edit.text, 'utf8'), attributes, summary: edit.summary }, probes);
  },
};

interface Patterns {
  regexp: RegExp | undefined;
  /** Where a new line goes: a pattern, or the start/end of the file. */
  insert: { after: boolean; pattern: RegExp } | 'BOF' | 'EOF';
}

function compilePatterns(args: LineArgs): Patterns {
  const regexp = args.regexp === undefined ? undefined : compile(args.regexp, 'regexp');
  if (args.insertbefore === 'BOF' || args.insertafter === 'BOF') return { regexp, insert: 'BOF' };
  if (args.insertbefore !== undefined) return { regexp, insert: { after: false, pattern: compile(args.insertbefore, 'insertbefore') } };
  if (args.insertafter !== undefined && args.insertafter !== 'EOF') {
    return { regexp, insert: { after: true, pattern: compile(args.insertafter, 'insertafter') } };
  }
  return { regexp, insert: 'EOF' };
}

// Ansible users write Python regular expressions; their named-group syntax is the common difference.
function compile(source: string, name: string): RegExp {
  const translated = source.replaceAll('(?P<', '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
  try {
    return new RegExp(translated);
  } catch (error) {
    throw new Error(`${name} ${JSON.stringify(source)} is not a valid regular expression: ${(error as Error).message}`);
  }
}

/** Lines with their own terminators, so an edit keeps every other byte (and \r\n endings) as it was. */
function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function body(line: string): string {
  return line.replace(/\r?\n$/, '');
}

function ending(line: string): string {
  return line.slice(body(line).length);
}

// Ansible's lineinfile: replace the LAST line matching regexp; with no match (and the exact line
// absent), insert after/before the last line matching insertafter/insertbefore, else at the end.
function ensurePresent(text: string, line: string, patterns: Patterns, args: LineArgs): Edit {
  const lines = splitLines(text);
  let matched: { index: number; match: RegExpExecArray } | undefined;
  let exactIndex = -1;
  let insertAt = -1;
  lines.forEach((current, index) => {
    const content = body(current);
    const match = patterns.regexp?.exec(content);
    if (match) matched = { index, match };
    if (content === line) exactIndex = index;
    const insert = patterns.insert;
    if (typeof insert === 'object' && insert.pattern.test(content)) insertAt = insert.after ? index + 1 : index;
  });
  const already = { unchanged: `line ${JSON.stringify(line)} already in ${args.path}` };
  if (matched) {
    const wanted = args.backrefs ? expandBackrefs(line, matched.match) : line;
    const old = lines[matched.index] ?? '';
    if (body(old) === wanted) return { unchanged: `line ${JSON.stringify(wanted)} already in ${args.path}` };
    lines[matched.index] = wanted + (ending(old) || '\n');
    return { text: lines.join(''), summary: `replace line ${matched.index + 1} of ${args.path}` };
  }
  if (args.backrefs) return { unchanged: `no line matches ${args.regexp ?? ''} in ${args.path}; backrefs leaves the file unchanged` };
  if (exactIndex >= 0) return already;
  const at = patterns.insert === 'BOF' ? 0 : insertAt >= 0 ? insertAt : lines.length;
  const last = lines.length - 1;
  if (at > last && last >= 0 && ending(lines[last] ?? '') === '') lines[last] += '\n';
  lines.splice(at, 0, `${line}\n`);
  return { text: lines.join(''), summary: `add a line to ${args.path}` };
}

function ensureAbsent(text: string, patterns: Patterns, args: LineArgs): Edit {
  const { line, path } = args;
  const lines = splitLines(text);
  const matches = (content: string) => (patterns.regexp ? patterns.regexp.test(content) : content === line);
  const kept = lines.filter((current) => !matches(body(current)));
  const removed = lines.length - kept.length;
  if (removed === 0) {
    const what = args.regexp === undefined ? `line ${JSON.stringify(line)}` : `line matches ${args.regexp}`;
    return { unchanged: `no ${what} in ${path}` };
  }
  return { text: kept.join(''), summary: `remove ${removed} line${removed === 1 ? '' : 's'} from ${path}` };
}

/** Python's match.expand for the forms lineinfile users write: \1, \g<1>, \g<name>, and \\ for a backslash. */
function expandBackrefs(template: string, match: RegExpExecArray): string {
  return template.replace(/\\(?:(\d{1,2})|g<(\w+)>|(\\))/g, (_whole, number: string | undefined, group: string | undefined, slash: string | undefined) => {
    if (slash) return '\\';
    const key = number ?? group ?? '';
    const value = /^\d+$/.test(key) ? match[Number(key)] : match.groups?.[key];
    return value ?? '';
  });
}
