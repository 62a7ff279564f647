import { posix } from 'node:path';
import { sh } from '../../shell/command.js';
import type { Plan, ProbeResults, Step } from '../types.js';
import type { PythonRegexError } from './python-regex.js';
import { attributeChanges, contentDiff, fileStateProbe, parseFileState, writeFileSteps, type FileAttributes } from './remote-file.js';
import { validateCommand } from './validate.js';
import { currentFile, planFileWrite } from './write-plan.js';

/** The message for a refused or invalid Python pattern: the same at validation and (for templated ones) at run time. */
/** The file a text-editing module edits: `path`, or one of Ansible's aliases dest, destfile, name (the schema requires one). */
export function editedPath(args: { path?: string; dest?: string; destfile?: string; name?: string }): string {
  return (args.path ?? args.dest ?? args.destfile ?? args.name) as string;
}

export function pythonRegexMessage(argument: string, pattern: string, error: PythonRegexError): string {
  return `${argument} ${JSON.stringify(pattern)} ${error.message}`;
}

const ATTRIBUTES_CHANGED = 'ownership, perms or SE linux context changed';

/** Plan a text edit of `path` with Ansible's messages (lineinfile, replace, blockinfile). */
export function planTextEdit(
  path: string,
  before: Buffer,
  edit: { text: string; changed: boolean; msg: string; noopReason: string },
  attributes: { mode?: string; owner?: string; group?: string },
  backup: boolean,
  probes: ProbeResults,
  extra: Record<string, unknown> = {},
  backupKey = 'backup',
  validate?: string,
): Plan {
  const current = currentFile(probes);
  const changes = current.state ? attributeChanges(current.state, attributes) : [];
  const content = edit.changed ? Buffer.from(edit.text, 'utf8') : before;
  const msg = changes.length === 0 ? edit.msg : edit.changed ? `${edit.msg} and ${ATTRIBUTES_CHANGED}` : ATTRIBUTES_CHANGED;
  const plan = planFileWrite(
    { path, content, attributes, upToDateReason: edit.noopReason, summary: `${path}: ${msg}`, ...(validate === undefined ? {} : { validate: validateCommand(validate) }) },
    probes,
  );
  const result = { msg, [backupKey]: '', ...extra };
  if (plan.kind === 'noop') return { ...plan, result: { ...result, msg: '' } };
  if (plan.kind !== 'change') return plan;
  if (!edit.changed) return { ...plan, summary: `${path}: ${msg}`, result };
  if (!backup) return { ...plan, result };
  const step: Step = {
    title: `back up ${path}`,
    command: sh`rb_backup=${path}.$$.$(date +%Y-%m-%d@%H:%M:%S~) && cp -p -- ${path} "$rb_backup" && printf %s "$rb_backup"`,
    capture: 'backup',
  };
  return {
    ...plan,
    steps: [step, ...plan.steps],
    result,
    finish: (captured) => ({ result: { ...result, [backupKey]: captured.backup?.stdout ?? '' } }),
  };
}


/**
 * Plan creating `path` with `text` (lineinfile and blockinfile with create: true). As Ansible, a missing
 * directory is created too; asks for the directory's state first (a ProbeMorePlan).
 */
export function planCreateFile(path: string, text: string, attributes: FileAttributes, probes: ProbeResults, summary: string, result: Record<string, unknown>): Plan {
  const directory = posix.dirname(path);
  const parentResult = probes.parent;
  if (parentResult === undefined) return { kind: 'probe', probes: { parent: fileStateProbe(directory) } };
  const parent = parseFileState(parentResult);
  if (parent !== null && parent.type !== 'directory') return { kind: 'fail', message: `cannot create ${path}: ${directory} is not a directory` };
  const content = Buffer.from(text, 'utf8');
  return {
    kind: 'change',
    summary,
    diff: [contentDiff(path, undefined, content)],
    steps: writeFileSteps(path, content, attributes, null, { createParents: parent === null }),
    result,
  };
}
