import { posix } from 'node:path';
import { sh, type Command } from '../../shell/command.js';
import type { Diff, Plan, ProbeResults, ProbeSet, Step } from '../types.js';
import {
  attributeChanges,
  attributeDiff,
  attributeSteps,
  contentDiff,
  fileContentProbe,
  fileStateProbe,
  normalizeMode,
  parseFileContent,
  parseFileState,
  sha256Hex,
  writeFileSteps,
  type AttributeChange,
  type RemoteCopy,
  type FileAttributes,
  type FileContent,
} from './remote-file.js';

/** Probe keys used by the write planner: the file itself, and (asked for only when the file is absent) its directory. */
const FILE = 'file';
const PARENT = 'parent';

export interface WantedFile {
  path: string;
  /** The bytes to write, or a file of the host to copy (copy's remote_src). */
  content: Buffer | RemoteCopy;
  attributes: FileAttributes;
  /** Keep a timestamped copy of the file before replacing it. */
  backup?: boolean;
  /** false: leave an existing file alone whatever its content (copy's force: false). */
  replace?: boolean;
  /** Reason to give when nothing changes, instead of the generic one (e.g. line's "already in"). */
  upToDateReason?: string;
  /** Summary of a content change, instead of "update <path>". */
  summary?: string;
  /** Check mode: a missing directory may come from an earlier task of the run, so it is not (yet) a failure. */
  check?: boolean;
  /** Create a missing directory (with parents) instead of failing (copy to a dest ending in "/"). */
  createDirectory?: boolean;
  /** Run on the temp file ("$tmp") before it replaces the file (copy's validate). */
  validate?: Command;
  /** Prefix of the probe keys, for a second file planned in the same task (copy into a directory). */
  probePrefix?: string;
}

/** Probes planFileWrite needs first: the file's state and content. */
export function fileWriteProbes(path: string, probePrefix = ''): ProbeSet {
  return { [probePrefix + FILE]: fileContentProbe(path) };
}

/** What is at the path now, from the fileWriteProbes results. */
export function currentFile(probes: ProbeResults, probePrefix = ''): FileContent {
  const result = probes[probePrefix + FILE];
  if (result === undefined) throw new Error(`probe "${FILE}" missing: call fileWriteProbes in probe()`);
  return parseFileContent(result);
}

/**
 * Plan to make `wanted.path` a regular file with exactly this content and these attributes: noop when it
 * already is, attribute steps when only those differ, otherwise an atomic write. Asks for the parent
 * directory's state (a ProbeMorePlan) before creating a file, so a missing directory fails at plan time.
 */
export function planFileWrite(wanted: WantedFile, probes: ProbeResults): Plan {
  const { path, content, attributes } = wanted;
  const prefix = wanted.probePrefix ?? '';
  const current = currentFile(probes, prefix);
  const { state } = current;
  const write = (existing: typeof state, options: { createParents?: boolean } = {}) =>
    writeFileSteps(path, content, attributes, existing, { ...options, ...(wanted.validate === undefined ? {} : { validate: wanted.validate }) });
  if (state === null) {
    const parentResult = probes[prefix + PARENT];
    const directory = posix.dirname(path);
    if (parentResult === undefined) return { kind: 'probe', probes: { [prefix + PARENT]: fileStateProbe(directory) } };
    const parent = parseFileState(parentResult);
    if (parent === null && !wanted.check && !wanted.createDirectory) {
      return { kind: 'fail', message: `cannot create ${path}: directory ${directory} does not exist` };
    }
    if (parent !== null && parent.type !== 'directory') {
      return { kind: 'fail', message: `cannot create ${path}: ${directory} is not a directory` };
    }
    const summary =
      parent !== null ? `create ${path}` : wanted.createDirectory ? `create ${directory} and ${path}` : `create ${path} (its directory ${directory} does not exist yet)`;
    return {
      kind: 'change',
      summary,
      diff: [newContentDiff(path, undefined, content)],
      steps: write(null, { createParents: parent === null && wanted.createDirectory === true }),
    };
  }
  if (state.type === 'directory' || state.type === 'other') {
    return { kind: 'fail', message: `${path} exists and is ${state.type === 'directory' ? 'a directory' : 'not a regular file'}` };
  }
  if (wanted.replace === false) return { kind: 'noop', reason: `${path} exists and force is false` };
  if (state.type === 'link') {
    return {
      kind: 'change',
      summary: `replace the symbolic link ${path} with a file`,
      diff: [{ label: path, before: `symbolic link to ${state.linkTarget ?? ''}\n`, after: newContentDiff(path, undefined, content).after }],
      steps: write(null),
    };
  }
  const changes = attributeChanges(state, attributes);
  const sameContent = !Buffer.isBuffer(content)
    ? current.sha256 === content.sha256
    : current.content
      ? current.content.equals(content)
      : current.sha256 === sha256Hex(content);
  if (sameContent) {
    if (changes.length === 0) return { kind: 'noop', reason: wanted.upToDateReason ?? `${path} already has this content${attributeNote(attributes)}` };
    return {
      kind: 'change',
      summary: `set attributes of ${path}: ${describeChanges(changes)}`,
      diff: [attributeDiff(path, changes)],
      steps: attributeSteps(path, changes),
    };
  }
  const diff: Diff[] = [newContentDiff(path, current.content ?? { sha256: current.sha256 ?? '' }, content)];
  if (changes.length > 0) diff.push(attributeDiff(`${path} (attributes)`, changes));
  const backup: Step[] = wanted.backup
    ? [{ title: `back up ${path}`, command: sh`cp -p -- ${path} ${path}.$(date +%Y-%m-%d@%H:%M:%S)~` }]
    : [];
  return {
    kind: 'change',
    summary: wanted.summary ?? `update ${path}`,
    diff,
    steps: [...backup, ...write(state)],
  };
}

/** contentDiff, or for a copy of a host's file (never read here) its source, size and digest. */
function newContentDiff(label: string, before: Buffer | { sha256: string } | undefined, after: Buffer | RemoteCopy): Diff {
  if (Buffer.isBuffer(after)) return contentDiff(label, before, after);
  const copied = `copy of ${after.copyOf}, ${after.size} bytes, sha256 ${after.sha256}\n`;
  const was = before === undefined ? '' : Buffer.isBuffer(before) ? `${before.length} bytes, sha256 ${sha256Hex(before)}\n` : `sha256 ${before.sha256}\n`;
  return { label, before: was, after: copied };
}

function attributeNote(attributes: FileAttributes): string {
  const described = describeAttributes(attributes);
  return described === '' ? '' : ` and ${described}`;
}

/** "mode 0644, owner root": the attributes given, empty when none. */
export function describeAttributes(attributes: FileAttributes): string {
  const parts: string[] = [];
  if (attributes.mode !== undefined) parts.push(`mode ${normalizeMode(attributes.mode)}`);
  if (attributes.owner !== undefined) parts.push(`owner ${attributes.owner}`);
  if (attributes.group !== undefined) parts.push(`group ${attributes.group}`);
  return parts.join(', ');
}

/** "mode 0644 → 0600, owner root → www-data". */
export function describeChanges(changes: readonly AttributeChange[]): string {
  return changes.map((change) => `${change.attribute} ${change.before} → ${change.after}`).join(', ');
}
