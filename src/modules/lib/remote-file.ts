import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { RunbookError } from '../../errors.js';
import { Command, sh } from '../../shell/command.js';
import type { ExecResult } from '../../transport/types.js';
import type { Diff, Step } from '../types.js';

/** What `stat` says about a path (the path itself: links are not followed). */
export interface FileState {
  type: 'file' | 'directory' | 'link' | 'other';
  /** Permission bits as a 4-digit octal string, e.g. "0644". */
  mode: string;
  /** User name, or the numeric uid when it has no name. */
  owner: string;
  uid: number;
  /** Group name, or the numeric gid when it has no name. */
  group: string;
  gid: number;
  size: number;
  /** Target of a symbolic link, exactly as stored. */
  linkTarget?: string;
}

export interface FileAttributes {
  /** Octal string, 3 or 4 digits ("644", "0644"). */
  mode?: string;
  owner?: string;
  group?: string;
}

export interface FileContent {
  state: FileState | null;
  /** The bytes of a regular file; undefined when absent, not a regular file, or larger than maxBytes. */
  content: Buffer | undefined;
  /** sha256 (hex) of a regular file's content, read even when the content itself was too large. */
  sha256: string | undefined;
}

export interface AttributeChange {
  attribute: 'mode' | 'owner' | 'group';
  before: string;
  after: string;
}

/** Files up to this size are read whole by fileContentProbe; larger ones are compared by sha256. */
export const DEFAULT_MAX_CONTENT_BYTES = 1024 * 1024;

/** Marks fileContentProbe's output as the file's bytes (not a sha256). */
const CONTENT_LINE = 'content';

/** Exit status of the probes when the path does not exist (any other failure is an error). */
const ABSENT_EXIT = 3;

// One stat call, C locale so the errno text is stable: only "no such file" and "not a directory"
// mean absent; everything else (permission denied, I/O errors) fails the probe with stat's message.
// Fields, one per line: raw st_mode in hex, user, uid, group, gid, size (kept in $rb_stat, the
// size last); then a link's target. `\\n` below: sh`` gets cooked strings, and the escape is for
// stat to expand. Probes run in a subshell of their own (src/engine/batch.ts), so `exit` is local.
function statScript(path: string): Command {
  return sh`rb_stat=$(LC_ALL=C stat --printf='%f\\n%U\\n%u\\n%G\\n%g\\n%s' -- ${path} 2>&1) || case $rb_stat in *': No such file or directory'|*': Not a directory') exit ${ABSENT_EXIT};; *) printf '%s\\n' "$rb_stat" >&2; exit 1;; esac; printf '%s\\n' "$rb_stat"; if [ -L ${path} ]; then readlink -n -- ${path} || exit 1; fi`;
}

/** Read-only command reporting a path's FileState; parse with parseFileState. */
export function fileStateProbe(path: string): Command {
  return statScript(path);
}

/**
 * Read-only command reporting a path's FileState plus, for a regular file, either its bytes (base64
 * on the wire, after a "content" line) or, when it is larger than maxBytes, only its sha256. Every
 * program started costs the host about a millisecond, and this runs for every file of every run.
 */
export function fileContentProbe(path: string, maxBytes: number = DEFAULT_MAX_CONTENT_BYTES): Command {
  return sh`${statScript(path)}; if [ -f ${path} ] && [ ! -L ${path} ]; then if [ "\${rb_stat##*[!0-9]}" -le ${maxBytes} ]; then echo ${CONTENT_LINE}; base64 -w0 < ${path} || exit 1; else sha256sum < ${path} || exit 1; fi; fi`;
}

/** FileState from fileStateProbe's result; null when the path does not exist; throws on any other failure. */
export function parseFileState(result: ExecResult): FileState | null {
  return parseStat(result)?.state ?? null;
}

/** State and content from fileContentProbe's result; throws when the file could not be read. */
export function parseFileContent(result: ExecResult, maxBytes: number = DEFAULT_MAX_CONTENT_BYTES): FileContent {
  const parsed = parseStat(result);
  if (parsed === undefined) return { state: null, content: undefined, sha256: undefined };
  const { state, rest } = parsed;
  if (state.type !== 'file') return { state, content: undefined, sha256: undefined };
  if (rest.startsWith(`${CONTENT_LINE}\n`)) {
    const bytes = Buffer.from(rest.slice(CONTENT_LINE.length + 1).trim(), 'base64');
    // A file that grew past the limit between stat and read is compared by hash, like any large file.
    return { state, content: bytes.length > maxBytes ? undefined : bytes, sha256: sha256Hex(bytes) };
  }
  const sha256 = rest.slice(0, 64);
  if (!/^[0-9a-f]{64}$/.test(sha256)) {
    throw new RunbookError('RB_COMMAND_FAILED', 'unexpected output from the file content probe (neither content nor sha256)');
  }
  return { state, content: undefined, sha256 };
}

function parseStat(result: ExecResult): { state: FileState; rest: string } | undefined {
  if (result.code === ABSENT_EXIT) return undefined;
  if (result.code !== 0) {
    const reason = result.stderr.trim() || `exit ${result.code ?? result.signal ?? 'unknown'}`;
    throw new RunbookError('RB_COMMAND_FAILED', `could not read file state: ${reason}`);
  }
  const lines = result.stdout.split('\n');
  const [modeHex, user, uid, group, gid, size] = lines;
  if (modeHex === undefined || size === undefined || !/^[0-9a-f]+$/.test(modeHex)) {
    throw new RunbookError('RB_COMMAND_FAILED', 'unexpected output from the file state probe');
  }
  const rawMode = Number.parseInt(modeHex, 16);
  const type = fileType(rawMode & 0o170000);
  const rest = lines.slice(6).join('\n');
  const state: FileState = {
    type,
    mode: (rawMode & 0o7777).toString(8).padStart(4, '0'),
    owner: user === undefined || user === 'UNKNOWN' ? String(uid) : user,
    uid: Number(uid),
    group: group === undefined || group === 'UNKNOWN' ? String(gid) : group,
    gid: Number(gid),
    size: Number(size),
  };
  if (type === 'link') state.linkTarget = rest;
  return { state, rest };
}

function fileType(format: number): FileState['type'] {
  if (format === 0o100000) return 'file';
  if (format === 0o040000) return 'directory';
  if (format === 0o120000) return 'link';
  return 'other';
}

/** "644" or "0644" → "0644"; throws on anything that is not an octal mode. */
export function normalizeMode(mode: string): string {
  if (!/^[0-7]{3,4}$/.test(mode)) {
    throw new RunbookError('RB_VALIDATION', `mode ${JSON.stringify(mode)} is not an octal mode like "0644"`);
  }
  return mode.padStart(4, '0');
}

/** The content of a file already on the host (copy's remote_src), known by its digests. */
export interface RemoteCopy {
  copyOf: string;
  sha256: string;
  size: number;
}

/** A command that writes the file's bytes to "$tmp" itself (get_url's download). */
export interface WrittenBy {
  writtenBy: Command;
}

/** Steps writing `content` to `path` atomically (temp file in the same directory, then rename), keeping an existing file's mode and owner unless given. */
export function writeFileSteps(
  path: string,
  content: Buffer | RemoteCopy | WrittenBy,
  attributes: FileAttributes,
  existing: FileState | null,
  options: {
    createParents?: boolean;
    /** Run on the temp file ("$tmp") before it replaces `path`; the write fails when it fails. */
    validate?: Command;
  } = {},
): Step[] {
  const directory = posix.dirname(path);
  const steps: Step[] = [];
  if (options.createParents) {
    steps.push({ title: `create directory ${directory}`, command: sh`mkdir -p -- ${directory}` });
  }
  // The byte count catches stdin cut short: a connection lost mid-transfer gives cat a plain EOF.
  const commands: Command[] = [Buffer.isBuffer(content) ? sh`cat > "$tmp" && test "$(wc -c < "$tmp")" -eq ${content.length}` : 'copyOf' in content ? sh`cat -- ${content.copyOf} > "$tmp"` : content.writtenBy];
  if (attributes.mode !== undefined) commands.push(sh`chmod ${normalizeMode(attributes.mode)} -- "$tmp"`);
  else if (existing) commands.push(sh`chmod --reference=${path} -- "$tmp"`);
  // mktemp creates 0600; `=rw` without a who-letter grants rw to all minus the umask, like a new file.
  else commands.push(sh`chmod =rw -- "$tmp"`);
  if (existing && (attributes.owner === undefined || attributes.group === undefined)) {
    commands.push(sh`chown --reference=${path} -- "$tmp"`);
  }
  const ownership = chownSpec(attributes.owner, attributes.group);
  if (ownership !== undefined) commands.push(sh`chown ${ownership} -- "$tmp"`);
  if (options.validate !== undefined) commands.push(options.validate);
  // -T: never move into `path` when it is a directory.
  commands.push(sh`mv -fT -- "$tmp" ${path}`);
  steps.push({
    title: `write ${path}`,
    // The trap removes the temp file when the write is stopped (Ctrl-C, a timeout) before its rename.
    command: sh`tmp=; trap 'rm -f -- \${tmp:+"$tmp"}; exit 143' HUP TERM; tmp=$(mktemp -- ${posix.join(directory, '.runbook.XXXXXXXX')}) && { ${Command.join(commands, ' && ')} || { rm -f -- "$tmp"; false; }; }`,
    ...(Buffer.isBuffer(content) ? { stdin: content } : {}),
    failureMessage: options.validate === undefined ? `could not write ${path}` : `could not write ${path} (or validate refused it)`,
  });
  return steps;
}

function chownSpec(owner: string | undefined, group: string | undefined): string | undefined {
  if (owner !== undefined && group !== undefined) return `${owner}:${group}`;
  if (owner !== undefined) return owner;
  if (group !== undefined) return `:${group}`;
  return undefined;
}

/** Attributes in `wanted` that differ from `current` (owner/group match by name or numeric id). */
export function attributeChanges(current: FileState, wanted: FileAttributes): AttributeChange[] {
  const changes: AttributeChange[] = [];
  if (wanted.mode !== undefined && current.type !== 'link') {
    const mode = normalizeMode(wanted.mode);
    if (mode !== current.mode) changes.push({ attribute: 'mode', before: current.mode, after: mode });
  }
  if (wanted.owner !== undefined && wanted.owner !== current.owner && wanted.owner !== String(current.uid)) {
    changes.push({ attribute: 'owner', before: current.owner, after: wanted.owner });
  }
  if (wanted.group !== undefined && wanted.group !== current.group && wanted.group !== String(current.gid)) {
    changes.push({ attribute: 'group', before: current.group, after: wanted.group });
  }
  return changes;
}

/** Steps applying attribute changes to an existing path (recursively for a directory tree; a link itself, not its target). */
export function attributeSteps(path: string, changes: readonly AttributeChange[], options: { recurse?: boolean } = {}): Step[] {
  const steps: Step[] = [];
  const mode = changes.find((change) => change.attribute === 'mode');
  if (mode) {
    const command = options.recurse ? sh`chmod -R ${mode.after} -- ${path}` : sh`chmod ${mode.after} -- ${path}`;
    steps.push({ title: `chmod ${mode.after} ${path}`, command });
  }
  const ownership = chownSpec(
    changes.find((change) => change.attribute === 'owner')?.after,
    changes.find((change) => change.attribute === 'group')?.after,
  );
  if (ownership !== undefined) {
    const command = options.recurse ? sh`chown -hR ${ownership} -- ${path}` : sh`chown -h ${ownership} -- ${path}`;
    steps.push({ title: `chown ${ownership} ${path}`, command });
  }
  return steps;
}

/** Diff of attribute changes, one "name: value" line each. */
export function attributeDiff(label: string, changes: readonly AttributeChange[]): Diff {
  return {
    label,
    before: changes.map((change) => `${change.attribute}: ${change.before}\n`).join(''),
    after: changes.map((change) => `${change.attribute}: ${change.after}\n`).join(''),
  };
}

/** Diff of file content: text as is; binary (or too large to read) as sizes and sha256 digests. Absent before = empty. */
export function contentDiff(label: string, before: Buffer | { sha256: string } | undefined, after: Buffer): Diff {
  if (before !== undefined && !Buffer.isBuffer(before)) {
    return { label, before: `content not read (too large), sha256 ${before.sha256}\n`, after: describeBytes(after) };
  }
  if ((before === undefined || isText(before)) && isText(after)) {
    return { label, before: before?.toString('utf8') ?? '', after: after.toString('utf8') };
  }
  return { label, before: before === undefined ? '' : describeBytes(before), after: describeBytes(after) };
}

function describeBytes(bytes: Buffer): string {
  return `binary content, ${bytes.length} bytes, sha256 ${sha256Hex(bytes)}\n`;
}

/** UTF-8 without NUL bytes counts as text. */
export function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Hex sha256 of some bytes, as sha256sum prints it. */
export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
