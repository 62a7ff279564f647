import type { ReplaceArgs } from '../schema/generated/replace.js';
import { expandPythonTemplate, parsePythonTemplate, PythonRegexError, translatePythonRegex, type PythonRegex } from './lib/python-regex.js';
import { DEFAULT_MAX_CONTENT_BYTES, isText } from './lib/remote-file.js';
import { editedPath, planTextEdit, pythonRegexMessage } from './lib/text-edit.js';
import { currentFile, fileWriteProbes } from './lib/write-plan.js';
import type { ModuleDefinition } from './types.js';

export interface CompiledReplace {
  regexp: PythonRegex;
  template: Array<string | number>;
  /** after/before as Ansible combines them: after(?P<subsection>.*?)before, compiled with re.DOTALL. */
  section: { pattern: string; regex: PythonRegex } | undefined;
}

/** The section pattern Ansible builds from after and before (empty ones count as not given). */
function sectionPattern(after: string | undefined, before: string | undefined): string | undefined {
  if (after && before) return `${after}(?P<subsection>.*?)${before}`;
  if (after) return `${after}(?P<subsection>.*)`;
  if (before) return `(?P<subsection>.*)${before}`;
  return undefined;
}

function translate(argument: string, pattern: string, options: Parameters<typeof translatePythonRegex>[1]): PythonRegex {
  try {
    return translatePythonRegex(pattern, options);
  } catch (error) {
    if (error instanceof PythonRegexError) throw new Error(pythonRegexMessage(argument, pattern, error));
    throw error;
  }
}

/**
 * Compiles replace's patterns; throws an Error whose message names the argument, the pattern and what is
 * unsupported (the same message at validation and, for templated values, at run time).
 */
export function compileReplace(args: { regexp: string; replace?: string; after?: string; before?: string }): CompiledReplace {
  const regexp = translate('regexp', args.regexp, { flavor: 'str', multiline: true });
  let template: Array<string | number>;
  try {
    template = parsePythonTemplate(args.replace ?? '', regexp);
  } catch (error) {
    if (error instanceof PythonRegexError) throw new Error(pythonRegexMessage('replace', args.replace ?? '', error));
    throw error;
  }
  // Each part alone first, so a problem is reported at the argument that has it.
  if (args.after) translate('after', args.after, { flavor: 'str', dotAll: true });
  if (args.before) translate('before', args.before, { flavor: 'str', dotAll: true });
  const pattern = sectionPattern(args.after, args.before);
  const section = pattern === undefined ? undefined : { pattern, regex: translate(args.after ? 'after' : 'before', pattern, { flavor: 'str', dotAll: true, indices: true }) };
  return { regexp, template, section };
}

export type ReplaceOutcome = { noSection: string } | { text: string; count: number; changed: boolean };

/** Ansible's replace on a text: the section, then re.subn with the template. */
export function replaceText(contents: string, compiled: CompiledReplace): ReplaceOutcome {
  let section = contents;
  let indices: [number, number] | undefined;
  if (compiled.section !== undefined) {
    const match = compiled.section.regex.regexp.exec(contents);
    const span = match?.indices?.groups?.subsection;
    if (!match || span === undefined) return { noSection: `Pattern for before/after params did not match the given file: ${compiled.section.pattern}` };
    section = match.groups?.subsection ?? '';
    indices = span;
  }
  const global = new RegExp(compiled.regexp.regexp.source, `${compiled.regexp.regexp.flags}g`);
  let out = '';
  let last = 0;
  let count = 0;
  for (const match of section.matchAll(global)) {
    out += section.slice(last, match.index) + expandPythonTemplate(compiled.template, match);
    last = match.index + match[0].length;
    count += 1;
  }
  out += section.slice(last);
  if (count === 0 || out === section) return { text: contents, count, changed: false };
  const text = indices === undefined ? out : contents.slice(0, indices[0]) + out + contents.slice(indices[1]);
  return { text, count, changed: true };
}

export const replaceModule: ModuleDefinition<ReplaceArgs> = {
  name: 'replace',
  summary: "Ansible's replace: every match of a Python regexp replaced in a text file, optionally between after and before",
  probe: (args) => fileWriteProbes(editedPath(args)),
  plan(args, probes, context) {
    const path = editedPath(args);
    const attributes = { mode: args.mode, owner: args.owner, group: args.group };
    let compiled: CompiledReplace;
    try {
      compiled = compileReplace(args);
    } catch (error) {
      return { kind: 'fail', message: `replace: ${(error as Error).message}` };
    }
    const current = currentFile(probes);
    if (current.state === null) {
      if (context.check) {
        return { kind: 'noop', reason: `${path} does not exist yet: the real run fails unless an earlier task creates it`, skipped: true, awaitsEarlierTask: true };
      }
      return { kind: 'fail', message: `Path ${path} does not exist !`, result: { rc: 257 } };
    }
    if (current.state.type === 'directory') return { kind: 'fail', message: `Path ${path} is a directory !`, result: { rc: 256 } };
    if (current.state.type !== 'file') return { kind: 'fail', message: `${path} is not a regular file (runbook's replace does not edit through symbolic links)` };
    if (current.content === undefined) return { kind: 'fail', message: `${path} is larger than ${DEFAULT_MAX_CONTENT_BYTES} bytes; replace edits smaller text files` };
    if (!isText(current.content)) return { kind: 'fail', message: `${path} is not a UTF-8 text file` };
    const outcome = replaceText(current.content.toString('utf8'), compiled);
    // As Ansible: a section that is not found ends the task unchanged, attributes untouched.
    if ('noSection' in outcome) return { kind: 'noop', reason: outcome.noSection, result: { msg: outcome.noSection, rc: 0 } };
    return planTextEdit(
      path,
      current.content,
      {
        text: outcome.text,
        changed: outcome.changed,
        msg: outcome.changed ? `${outcome.count} replacements made` : '',
        noopReason: outcome.count === 0 ? `nothing in ${path} matches regexp` : `every match in ${path} is already replaced`,
      },
      attributes,
      args.backup ?? false,
      probes,
      { rc: 0 },
      'backup_file',
      args.validate,
    );
  },
};
