import type { BlockinfileArgs } from '../schema/generated/blockinfile.js';
import { expandPythonTemplate, parsePythonTemplate, PythonRegexError, translatePythonRegex, type PythonRegex } from './lib/python-regex.js';
import { DEFAULT_MAX_CONTENT_BYTES, isText } from './lib/remote-file.js';
import { editedPath, planCreateFile, planTextEdit, pythonRegexMessage } from './lib/text-edit.js';
import { currentFile, fileWriteProbes } from './lib/write-plan.js';
import type { ModuleDefinition } from './types.js';

const LINESEP = '\n';

/** The argument holding blockinfile's insertion pattern, if it is one (insertafter other than EOF, insertbefore other than BOF). */
export function blockinfileRegexArgument(args: Record<string, unknown>): { argument: string; pattern: string } | undefined {
  const { insertafter, insertbefore } = args;
  if (typeof insertafter === 'string' && insertafter !== 'EOF') return { argument: 'insertafter', pattern: insertafter };
  if (insertafter === undefined && typeof insertbefore === 'string' && insertbefore !== 'BOF') return { argument: 'insertbefore', pattern: insertbefore };
  return undefined;
}

/** marker_begin and marker_end go through Python's re.sub as replacement templates: \\ is one backslash, \n a newline. */
export function expandMarkerWord(argument: string, word: string): string {
  try {
    const parts = parsePythonTemplate(word, { groups: 0, names: new Map() });
    // \\g<0> is the whole match: the text {mark} itself.
    return expandPythonTemplate(parts, Object.assign(['{mark}'], { index: 0, input: '{mark}' }) as unknown as RegExpExecArray);
  } catch (error) {
    if (error instanceof PythonRegexError) throw new Error(pythonRegexMessage(argument, word, error));
    throw error;
  }
}

/** Python's bytes.splitlines(True): lines end at \n, \r\n or \r, and keep their ending. */
export function splitLinesKeepEnds(text: string): string[] {
  return text.match(/[^\r\n]*(?:\r\n|\n|\r)|[^\r\n]+$/g) ?? [];
}

export interface BlockOptions {
  present: boolean;
  block: string;
  marker: string;
  markerBegin: string;
  markerEnd: string;
  insertafter: string | undefined;
  insertbefore: string | undefined;
  insertre: PythonRegex | undefined;
  appendNewline: boolean;
  prependNewline: boolean;
}

/** Ansible's blockinfile on the file's text (undefined: the file does not exist): the new text. */
export function blockinfileText(original: string | undefined, options: BlockOptions): string {
  const lines = original === undefined ? [] : splitLinesKeepEnds(original);
  const { insertbefore, insertre } = options;
  const insertafter = options.insertafter === undefined && insertbefore === undefined ? 'EOF' : options.insertafter;
  const marker0 = options.marker.split('{mark}').join(options.markerBegin) + LINESEP;
  const marker1 = options.marker.split('{mark}').join(options.markerEnd) + LINESEP;
  let blocklines: string[] = [];
  if (options.present && options.block !== '') {
    const block = options.block.endsWith(LINESEP) ? options.block : options.block + LINESEP;
    blocklines = [marker0, ...splitLinesKeepEnds(block), marker1];
  }
  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((line, index) => {
    if (line === marker0) n0 = index;
    if (line === marker1) n1 = index;
  });
  if (n0 === undefined || n1 === undefined) {
    n0 = undefined;
    if (insertre !== undefined) {
      if (insertre.multiline) {
        const text = original ?? '';
        const match = insertre.regexp.exec(text);
        if (match) {
          // Ansible counts newlines in the decoded text up to the match's byte offset.
          const byteOffset = Buffer.byteLength(text.slice(0, insertafter ? match.index + match[0].length : match.index), 'utf8');
          n0 = text.slice(0, byteOffset).split('\n').length - 1;
        }
      } else {
        lines.forEach((line, index) => {
          if (insertre.regexp.test(line)) n0 = index;
        });
      }
      if (n0 === undefined) n0 = lines.length;
      else if (insertafter !== undefined) n0 += 1;
    } else if (insertbefore !== undefined) {
      n0 = 0;
    } else {
      n0 = lines.length;
    }
  } else if (n0 < n1) {
    lines.splice(n0, n1 + 1 - n0);
  } else {
    lines.splice(n1, n0 + 1 - n1);
    n0 = n1;
  }
  if (n0 > 0 && !(lines[n0 - 1] ?? '').endsWith(LINESEP)) lines[n0 - 1] += LINESEP;
  if (options.prependNewline && options.present && n0 !== 0 && lines[n0 - 1] !== LINESEP) {
    lines.splice(n0, 0, LINESEP);
    n0 += 1;
  }
  lines.splice(n0, 0, ...blocklines);
  if (options.appendNewline && options.present) {
    const after = n0 + blocklines.length;
    if (after < lines.length && lines[after] !== LINESEP) lines.splice(after, 0, LINESEP);
  }
  return lines.join('');
}

export const blockinfileModule: ModuleDefinition<BlockinfileArgs> = {
  name: 'blockinfile',
  summary: "Ansible's blockinfile: a block of lines between marker lines inserted, updated or removed in a text file",
  probe: (args) => fileWriteProbes(editedPath(args)),
  plan(args, probes, context) {
    const path = editedPath(args);
    const attributes = { mode: args.mode, owner: args.owner, group: args.group };
    const present = (args.state ?? 'present') === 'present';
    let options: BlockOptions;
    try {
      const found = blockinfileRegexArgument(args as Record<string, unknown>);
      let insertre: PythonRegex | undefined;
      if (found !== undefined) {
        try {
          insertre = translatePythonRegex(found.pattern, { flavor: 'bytes' });
        } catch (error) {
          if (error instanceof PythonRegexError) throw new Error(pythonRegexMessage(found.argument, found.pattern, error));
          throw error;
        }
      }
      options = {
        present,
        block: args.block ?? args.content ?? '',
        marker: args.marker ?? '# {mark} ANSIBLE MANAGED BLOCK',
        markerBegin: expandMarkerWord('marker_begin', args.marker_begin ?? 'BEGIN'),
        markerEnd: expandMarkerWord('marker_end', args.marker_end ?? 'END'),
        insertafter: args.insertafter,
        insertbefore: args.insertbefore,
        insertre,
        appendNewline: args.append_newline ?? false,
        prependNewline: args.prepend_newline ?? false,
      };
    } catch (error) {
      return { kind: 'fail', message: `blockinfile: ${(error as Error).message}` };
    }
    const current = currentFile(probes);
    if (current.state === null) {
      if (!present) return { kind: 'noop', reason: `File ${path} not present`, result: { msg: `File ${path} not present` } };
      if (!args.create) {
        if (context.check) {
          return { kind: 'noop', reason: `${path} does not exist yet: the real run fails unless an earlier task creates it`, skipped: true, awaitsEarlierTask: true };
        }
        return { kind: 'fail', message: `Path ${path} does not exist !`, result: { rc: 257 } };
      }
      return planCreateFile(path, blockinfileText(undefined, options), attributes, probes, `${path}: File created`, { msg: 'File created' });
    }
    if (current.state.type === 'directory') return { kind: 'fail', message: `Path ${path} is a directory !`, result: { rc: 256 } };
    if (current.state.type !== 'file') return { kind: 'fail', message: `${path} is not a regular file (runbook's blockinfile does not edit through symbolic links)` };
    if (current.content === undefined) return { kind: 'fail', message: `${path} is larger than ${DEFAULT_MAX_CONTENT_BYTES} bytes; blockinfile edits smaller text files` };
    if (!isText(current.content)) return { kind: 'fail', message: `${path} is not a UTF-8 text file` };
    const original = current.content.toString('utf8');
    const text = blockinfileText(original, options);
    const changed = text !== original;
    const removing = !present || options.block === '';
    return planTextEdit(
      path,
      current.content,
      {
        text,
        changed,
        msg: changed ? (removing ? 'Block removed' : 'Block inserted') : '',
        noopReason: removing ? `no block to remove in ${path}` : `the block is already in ${path}`,
      },
      attributes,
      args.backup ?? false,
      probes,
      {},
      'backup_file',
      args.validate,
    );
  },
};
