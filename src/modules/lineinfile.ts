import type { LineinfileArgs } from '../schema/generated/lineinfile.js';
import { parsePythonTemplate, PythonRegexError, translatePythonRegex, expandPythonTemplate, type PythonRegex } from './lib/python-regex.js';
import { DEFAULT_MAX_CONTENT_BYTES, isText } from './lib/remote-file.js';
import { editedPath, planCreateFile, planTextEdit, pythonRegexMessage } from './lib/text-edit.js';
import { currentFile, fileWriteProbes } from './lib/write-plan.js';
import type { ModuleDefinition } from './types.js';

/** lineinfile's arguments with Ansible's aliases resolved. */
export interface LineinfileOptions {
  path: string;
  line: string | undefined;
  regexp: string | undefined;
  searchString: string | undefined;
  state: 'present' | 'absent';
  insertafter: string | undefined;
  insertbefore: string | undefined;
  firstmatch: boolean;
  backrefs: boolean;
  create: boolean;
  backup: boolean;
}

export function lineinfileOptions(args: LineinfileArgs): LineinfileOptions {
  return {
    path: editedPath(args),
    line: args.line ?? args.value,
    regexp: args.regexp ?? args.regex,
    searchString: args.search_string,
    state: args.state ?? 'present',
    insertafter: args.insertafter,
    insertbefore: args.insertbefore,
    firstmatch: args.firstmatch ?? false,
    backrefs: args.backrefs ?? false,
    create: args.create ?? false,
    backup: args.backup ?? false,
  };
}

/** lineinfile's arguments that hold Python regular expressions (insertafter/insertbefore unless EOF/BOF). */
export function lineinfileRegexArguments(args: Record<string, unknown>): Array<{ argument: string; pattern: string }> {
  const found: Array<{ argument: string; pattern: string }> = [];
  for (const argument of ['regexp', 'regex', 'insertafter', 'insertbefore']) {
    const value = args[argument];
    if (typeof value !== 'string') continue;
    if ((argument === 'insertafter' && (value === 'EOF' || value === 'BOF')) || (argument === 'insertbefore' && value === 'BOF')) continue;
    found.push({ argument, pattern: value });
  }
  return found;
}

/** Compiles an argument's Python pattern, or throws an Error with pythonRegexMessage's message. */
function compile(argument: string, pattern: string): PythonRegex {
  try {
    return translatePythonRegex(pattern, { flavor: 'bytes' });
  } catch (error) {
    if (error instanceof PythonRegexError) throw new Error(pythonRegexMessage(argument, pattern, error));
    throw error;
  }
}

/** The Python line separator lineinfile appends (os.linesep on the managed host: always \n here). */
const LINESEP = '\n';

export interface LineEditResult {
  lines: string[];
  changed: boolean;
  msg: string;
  /** absent: how many lines were removed. */
  found?: number;
}

/** Lines as Python's readlines() gives them: each with its \n, the last one possibly without. */
export function readLines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

const stripEnd = (line: string) => line.replace(/[\r\n]+$/, '');

interface Compiled {
  regexp: PythonRegex | undefined;
  insert: PythonRegex | undefined;
  template: Array<string | number> | undefined;
}

/** Ansible's lineinfile present(), line for line. */
export function lineinfilePresent(lines: string[], options: LineinfileOptions, compiled: Compiled): LineEditResult {
  const line = options.line ?? '';
  const { insertbefore } = options;
  const insertafter = options.insertafter === undefined && insertbefore === undefined ? 'EOF' : options.insertafter;
  const index = [-1, -1] as [number, number];
  let match: RegExpExecArray | boolean | undefined;
  if (compiled.regexp !== undefined) {
    for (const [lineno, current] of lines.entries()) {
      const found = compiled.regexp.regexp.exec(current);
      if (found) {
        index[0] = lineno;
        match = found;
        if (options.firstmatch) break;
      }
    }
  }
  if (options.searchString !== undefined) {
    for (const [lineno, current] of lines.entries()) {
      if (current.includes(options.searchString)) {
        index[0] = lineno;
        match = true;
        if (options.firstmatch) break;
      }
    }
  }
  if (!match) {
    for (const [lineno, current] of lines.entries()) {
      if (line === stripEnd(current)) {
        index[0] = lineno;
      } else if (compiled.insert !== undefined && compiled.insert.regexp.test(current)) {
        if (insertafter) {
          index[1] = lineno + 1;
          if (options.firstmatch) break;
        }
        if (insertbefore) {
          index[1] = lineno;
          if (options.firstmatch) break;
        }
      }
    }
  }
  const added = (result: string[]): LineEditResult => ({ lines: result, changed: true, msg: 'line added' });
  const result = [...lines];
  if (index[0] !== -1) {
    let wanted = options.backrefs && typeof match === 'object' && compiled.template ? expandPythonTemplate(compiled.template, match) : line;
    if (!wanted.endsWith(LINESEP)) wanted += LINESEP;
    if (result[index[0]] !== wanted) {
      result[index[0]] = wanted;
      return { lines: result, changed: true, msg: 'line replaced' };
    }
    return { lines, changed: false, msg: '' };
  }
  if (options.backrefs) return { lines, changed: false, msg: '' };
  if (insertbefore === 'BOF' || insertafter === 'BOF') {
    result.unshift(line + LINESEP);
    return added(result);
  }
  if (insertafter === 'EOF' || index[1] === -1) {
    const last = result[result.length - 1];
    if (last !== undefined && !last.endsWith('\n') && !last.endsWith('\r')) result.push(LINESEP);
    result.push(line + LINESEP);
    return added(result);
  }
  if (insertafter && index[1] !== -1) {
    if (result.length === index[1]) {
      if (stripEnd(result[index[1] - 1] ?? '') !== line) {
        result.push(line + LINESEP);
        return added(result);
      }
    } else if (line !== stripEnd(result[index[1]] ?? '')) {
      result.splice(index[1], 0, line + LINESEP);
      return added(result);
    }
    return { lines, changed: false, msg: '' };
  }
  result.splice(index[1], 0, line + LINESEP);
  return added(result);
}

/** Ansible's lineinfile absent(). */
export function lineinfileAbsent(lines: string[], options: LineinfileOptions, compiled: Compiled): LineEditResult {
  const matches = (current: string): boolean => {
    if (compiled.regexp !== undefined) return compiled.regexp.regexp.test(current);
    if (options.searchString !== undefined) return current.includes(options.searchString);
    return (options.line ?? '') === stripEnd(current);
  };
  const kept = lines.filter((current) => !matches(current));
  const found = lines.length - kept.length;
  return { lines: kept, changed: found > 0, msg: found > 0 ? `${found} line(s) removed` : '', found };
}

export const lineinfileModule: ModuleDefinition<LineinfileArgs> = {
  name: 'lineinfile',
  summary: "Ansible's lineinfile: a line present (or replaced, by a Python regexp) or absent in a text file",
  probe: (args) => fileWriteProbes(lineinfileOptions(args).path),
  plan(args, probes, context) {
    const options = lineinfileOptions(args);
    const { path } = options;
    const attributes = { mode: args.mode, owner: args.owner, group: args.group };
    let compiled: Compiled;
    try {
      const regexp = options.regexp === undefined ? undefined : compile(args.regexp === undefined ? 'regex' : 'regexp', options.regexp);
      const insertArgument = lineinfileRegexArguments(args as Record<string, unknown>).find(({ argument }) => argument.startsWith('insert'));
      const insert = insertArgument === undefined ? undefined : compile(insertArgument.argument, insertArgument.pattern);
      let template: Compiled['template'];
      if (options.backrefs && regexp !== undefined && options.state === 'present') {
        try {
          template = parsePythonTemplate(options.line ?? '', regexp);
        } catch (error) {
          if (error instanceof PythonRegexError) throw new Error(pythonRegexMessage(args.line === undefined ? 'value' : 'line', options.line ?? '', error));
          throw error;
        }
      }
      compiled = { regexp, insert, template };
    } catch (error) {
      return { kind: 'fail', message: `lineinfile: ${(error as Error).message}` };
    }
    if (options.state === 'present') {
      if (options.backrefs && options.regexp === undefined) return { kind: 'fail', message: 'regexp is required with backrefs=true' };
      if (options.line === undefined) return { kind: 'fail', message: 'line is required with state=present' };
    } else if (options.regexp === undefined && options.searchString === undefined && options.line === undefined) {
      return { kind: 'fail', message: 'one of line, search_string, or regexp is required with state=absent' };
    }
    const current = currentFile(probes);
    if (current.state === null) {
      if (options.state === 'absent') return { kind: 'noop', reason: `${path} does not exist (file not present)`, result: { msg: 'file not present', backup: '', found: 0 } };
      if (!options.create) {
        if (context.check) {
          // Check mode cannot see files that earlier tasks would create: say so (as runbook's line does).
          return {
            kind: 'noop',
            reason: `${path} does not exist yet: the real run fails unless an earlier task creates it`,
            skipped: true,
            awaitsEarlierTask: true,
          };
        }
        return { kind: 'fail', message: `Destination ${path} does not exist !`, result: { rc: 257 } };
      }
      const edit = lineinfilePresent([], options, compiled);
      if (!edit.changed) return { kind: 'noop', reason: `${path} does not exist and backrefs never adds a line`, result: { msg: '', backup: '' } };
      return planCreateFile(path, edit.lines.join(''), attributes, probes, `${path}: ${edit.msg} (file created)`, { msg: edit.msg, backup: '' });
    }
    if (current.state.type === 'directory') return { kind: 'fail', message: `Path ${path} is a directory !`, result: { rc: 256 } };
    if (current.state.type !== 'file') {
      return { kind: 'fail', message: `${path} is not a regular file (runbook's lineinfile does not edit through symbolic links)` };
    }
    if (current.content === undefined) return { kind: 'fail', message: `${path} is larger than ${DEFAULT_MAX_CONTENT_BYTES} bytes; lineinfile edits smaller text files` };
    if (!isText(current.content)) return { kind: 'fail', message: `${path} is not a UTF-8 text file` };
    const lines = readLines(current.content.toString('utf8'));
    const edit = options.state === 'present' ? lineinfilePresent(lines, options, compiled) : lineinfileAbsent(lines, options, compiled);
    const noopReason =
      options.state === 'absent'
        ? `no line to remove in ${path}`
        : options.backrefs && !lines.some((current) => compiled.regexp?.regexp.test(current))
          ? `no line matches regexp in ${path}; backrefs leaves the file unchanged`
          : `the line is already in ${path}`;
    return planTextEdit(
      path,
      current.content,
      { text: edit.lines.join(''), changed: edit.changed, msg: edit.msg, noopReason },
      attributes,
      options.backup,
      probes,
      options.state === 'absent' ? { found: edit.found ?? 0 } : {},
      'backup',
      args.validate,
    );
  },
};
