import { posix } from 'node:path';
import { RunbookError } from '../errors.js';
import type { FileArgs } from '../schema/generated/file.js';
import { Command, sh } from '../shell/command.js';
import { attributeChanges, attributeSteps, normalizeMode, type AttributeChange, type FileAttributes, type FileState } from './lib/remote-file.js';
import { probeOutput } from './lib/probe-output.js';
import { describeChanges } from './lib/write-plan.js';
import type { ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

/**
 * Ansible's file module: the state defaults to what the path is now; with follow (the default) the
 * attributes of a symbolic link apply to its target; missing parents of a directory get its
 * attributes; times are preserved unless access_time/modification_time say otherwise.
 */
export const fileModule: ModuleDefinition<FileArgs> = {
  name: 'file',
  summary: 'Ensure a file, directory, symbolic or hard link (mode, owner, group, times), or its absence',
  probe(args) {
    const probes: ProbeSet = { path: pathProbe(args) };
    const attributes = attributesOf(args);
    if (args.recurse && hasAny(attributes)) probes.tree = treeProbe(pathOf(args), attributes);
    return probes;
  },
  plan(args, probes, context) {
    const path = pathOf(args);
    const observed = parsePathProbe(probeOutput(probes, 'path'));
    const current = observed.self;
    const state = args.state ?? (current === null ? (args.recurse ? 'directory' : 'file') : current.hard ? 'hard' : current.type === 'other' ? 'file' : current.type);
    // Ansible's messages, in Ansible's order.
    if (args.recurse && state !== 'directory') return { kind: 'fail', message: "recurse option requires state to be 'directory'" };
    if (args.src !== undefined && state !== 'link' && state !== 'hard') return { kind: 'fail', message: "src option requires state to be 'link' or 'hard'" };
    const task: Task = { args, path, observed, attributes: attributesOf(args), follow: args.follow ?? true, times: timesOf(args, state, observed) };
    // In check mode what is missing may come from an earlier task of the run.
    const needsSource = (state === 'link' && !args.force) || state === 'hard';
    if (context.check && needsSource && args.src !== undefined && observed.source === null) {
      return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `src ${args.src} does not exist (check mode: an earlier task may create it)` };
    }
    if (context.check && state === 'file' && current === null) {
      return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${path} does not exist (check mode: an earlier task may create it)` };
    }
    switch (state) {
      case 'file':
        return planFile(task);
      case 'directory':
        return planDirectory(task, probes.tree?.stdout ?? '');
      case 'link':
        return planLink(task);
      case 'hard':
        return planHard(task);
      case 'absent':
        return planAbsent(path, current);
      case 'touch':
        return planTouch(task);
    }
  },
};

/** What the probe saw of a path: stat fields, and whether a regular file has other hard links. */
interface PathInfo extends FileState {
  hard: boolean;
  atime: string;
  mtime: string;
}

interface Observed {
  /** The path itself (not followed). */
  self: PathInfo | null;
  /** The path with links followed, and its resolved name. */
  followed: PathInfo | null;
  real: string;
  /** state: link: what src names, seen from the link's directory, followed, and its resolved name. */
  source: PathInfo | null;
  sourceReal: string;
  /** Missing directories from the outermost down to path (for state: directory). */
  missing: string[];
  /** A directory at path has entries. */
  nonEmpty: boolean;
  /** Explicit access_time / modification_time as seconds since the epoch, read on the host. */
  epochs: Record<string, string>;
  /** state: hard: path is already the same inode as src. */
  sameInode: boolean;
}

interface Task {
  args: FileArgs;
  path: string;
  observed: Observed;
  attributes: FileAttributes;
  follow: boolean;
  times: Times;
}

/** What to set each time to: nothing (preserve), the host's clock (now), or seconds since the epoch. */
interface Times {
  atime: 'preserve' | 'now' | { epoch: string };
  mtime: 'preserve' | 'now' | { epoch: string };
}

function pathOf(args: FileArgs): string {
  return (args.path ?? args.dest ?? args.name) as string;
}

function attributesOf(args: FileArgs): FileAttributes {
  return { mode: args.mode, owner: args.owner, group: args.group };
}

function hasAny(attributes: FileAttributes): boolean {
  return attributes.mode !== undefined || attributes.owner !== undefined || attributes.group !== undefined;
}

/** "202401020304.05" → "2024-01-02 03:04:05", for date -d (the host's time zone, as Ansible's time.mktime). */
function dateText(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)} ${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(13, 15)}`;
}

/** The link's src as the host resolves it: relative to the link's directory (or to path itself when that is a real directory). */
function sourcePath(path: string, src: string, selfType: string | undefined): string {
  return posix.isAbsolute(src) ? src : posix.join(selfType === 'directory' ? path : posix.dirname(path), src);
}

const STAT_FORMAT = '%f %u %g %h %.9X %.9Y %U %G\\n';

// One script, one line per fact, "key value". A path that neither exists nor is a link is "absent";
// any other stat failure (permission denied) fails the probe with stat's message.
function pathProbe(args: FileArgs): Command {
  const path = pathOf(args);
  const info = (key: string, follow: boolean, target: Command) =>
    sh`if [ -e ${target} ] || [ -L ${target} ]; then printf '%s ' ${key}; LC_ALL=C stat ${follow ? sh`-L ` : sh``}--printf=${STAT_FORMAT} -- ${target} 2>/dev/null || { [ ${follow ? 'yes' : 'no'} = yes ] && [ ! -e ${target} ] && echo absent; } || { LC_ALL=C stat -- ${target} >&2; exit 1; }; else echo ${key} absent; fi`;
  const parts: Command[] = [
    info('self', false, sh`"$p"`),
    sh`if [ -L "$p" ]; then printf 'link '; readlink -n -- "$p" | base64 -w0; echo; fi`,
    info('followed', true, sh`"$p"`),
    sh`printf 'real '; realpath -mz -- "$p" | tr -d '\\0' | base64 -w0; echo`,
    sh`if [ -d "$p" ] && [ ! -L "$p" ] && [ -n "$(ls -A -- "$p" 2>/dev/null | head -c1)" ]; then echo nonempty; fi`,
    sh`d="$p"; while [ ! -e "$d" ] && [ ! -L "$d" ]; do printf 'missing '; printf '%s' "$d" | base64 -w0; echo; n=$(dirname -- "$d"); [ "$n" = "$d" ] && break; d="$n"; done`,
  ];
  if (args.src !== undefined && args.state === 'link') {
    parts.push(sh`if [ -L "$p" ] || [ ! -d "$p" ]; then s=$(dirname -- "$p"); else s="$p"; fi; case ${args.src} in /*) s=${args.src};; *) s="$s"/${args.src};; esac`);
    parts.push(info('source', true, sh`"$s"`));
    parts.push(sh`printf 'sourcereal '; realpath -mz -- "$s" | tr -d '\\0' | base64 -w0; echo`);
  }
  if (args.src !== undefined && args.state === 'hard') {
    parts.push(info('source', true, sh`${args.src}`), sh`printf 'sourcereal '; realpath -mz -- ${args.src} | tr -d '\\0' | base64 -w0; echo`);
    parts.push(sh`printf 'inodes %s %s\\n' "$(stat -c %i -- "$p" 2>/dev/null)" "$(stat -L -c %i -- ${args.src} 2>/dev/null)"`);
  }
  for (const [key, value] of [['atime', args.access_time], ['mtime', args.modification_time]] as const) {
    if (value !== undefined && /^\d/.test(value)) parts.push(sh`printf '%s %s\\n' ${key} "$(date -d ${dateText(value)} +%s)"`);
  }
  return sh`p=${path}; ${Command.join(parts, '; ')}`;
}

function parseInfo(fields: string): PathInfo | null {
  if (fields === 'absent') return null;
  const [modeHex, uid, gid, nlink, atime, mtime, user, group] = fields.split(' ');
  if (modeHex === undefined || group === undefined || !/^[0-9a-f]+$/.test(modeHex)) {
    throw new RunbookError('RB_COMMAND_FAILED', `unexpected output from the file probe: ${fields}`);
  }
  const raw = Number.parseInt(modeHex, 16);
  const format = raw & 0o170000;
  const type: FileState['type'] = format === 0o100000 ? 'file' : format === 0o040000 ? 'directory' : format === 0o120000 ? 'link' : 'other';
  return {
    type,
    mode: (raw & 0o7777).toString(8).padStart(4, '0'),
    owner: user === 'UNKNOWN' ? String(uid) : (user ?? ''),
    uid: Number(uid),
    group: group === 'UNKNOWN' ? String(gid) : group,
    gid: Number(gid),
    size: 0,
    hard: type === 'file' && Number(nlink) > 1,
    atime: atime ?? '',
    mtime: mtime ?? '',
  };
}

function parsePathProbe(result: { code: number | null; stdout: string; stderr: string; signal?: string | null }): Observed {
  if (result.code !== 0) {
    throw new RunbookError('RB_COMMAND_FAILED', `could not read the path's state: ${result.stderr.trim() || `exit ${result.code ?? 'unknown'}`}`);
  }
  const observed: Observed = { self: null, followed: null, real: '', source: null, sourceReal: '', missing: [], nonEmpty: false, epochs: {}, sameInode: false };
  let inodes: string[] = [];
  const decode = (text: string) => Buffer.from(text, 'base64').toString('utf8');
  for (const line of result.stdout.split('\n')) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'self') observed.self = parseInfo(value);
    else if (key === 'link' && observed.self !== null) observed.self.linkTarget = decode(value);
    else if (key === 'followed') observed.followed = parseInfo(value);
    else if (key === 'real') observed.real = decode(value);
    else if (key === 'source') observed.source = parseInfo(value);
    else if (key === 'sourcereal') observed.sourceReal = decode(value);
    else if (key === 'missing') observed.missing.unshift(decode(value));
    else if (key === 'nonempty') observed.nonEmpty = true;
    else if (key === 'atime' || key === 'mtime') observed.epochs[key] = value;
    else if (key === 'inodes') inodes = value.split(' ');
  }
  observed.sameInode = inodes.length === 2 && inodes[0] !== '' && inodes[0] === inodes[1];
  return observed;
}

function timesOf(args: FileArgs, state: string, observed: Observed): Times {
  const fallback = state === 'touch' ? 'now' : 'preserve';
  const of = (value: string | undefined, key: 'atime' | 'mtime'): Times['atime'] => {
    const given = value ?? fallback;
    return given === 'preserve' || given === 'now' ? given : { epoch: observed.epochs[key] ?? '' };
  };
  return { atime: of(args.access_time, 'atime'), mtime: of(args.modification_time, 'mtime') };
}

/** Steps setting the times that differ (now always differs, as in Ansible), and their diff lines. */
function timeSteps(target: string, current: PathInfo | null, times: Times, onLink: boolean): { steps: Step[]; before: string[]; after: string[] } {
  const steps: Step[] = [];
  const before: string[] = [];
  const after: string[] = [];
  for (const [key, flag] of [['atime', '-a'], ['mtime', '-m']] as const) {
    const wanted = times[key];
    if (wanted === 'preserve') continue;
    const now = current === null ? '' : current[key];
    if (wanted !== 'now' && current !== null && Number(now) === Number(wanted.epoch)) continue;
    const when = wanted === 'now' ? sh`` : sh` -d @${wanted.epoch}`;
    steps.push({ title: `set ${key} of ${target}`, command: sh`touch -c${onLink ? sh` -h` : sh``} ${flag}${when} -- ${target}` });
    before.push(`${key}: ${now}`);
    after.push(`${key}: ${wanted === 'now' ? 'now' : wanted.epoch}`);
  }
  return { steps, before, after };
}

/** Attribute and time changes on an existing path: a noop with `reason` when there are none. */
function settle(task: Task, target: string, current: PathInfo, reason: string, result: Record<string, unknown>, onLink = false): Plan {
  const attributes = onLink ? { owner: task.attributes.owner, group: task.attributes.group } : task.attributes;
  const changes = attributeChanges(current, attributes);
  const times = timeSteps(target, current, task.times, onLink);
  if (changes.length === 0 && times.steps.length === 0) return { kind: 'noop', reason, result: { ...result, ...ownership(current) } };
  const described = [...(changes.length > 0 ? [describeChanges(changes)] : []), ...times.after.map((line) => line.replace(': ', ' → '))].join(', ');
  return {
    kind: 'change',
    summary: `set attributes of ${target}: ${described}`,
    diff: [{ label: target, before: lines([...changes.map((c) => `${c.attribute}: ${c.before}`), ...times.before]), after: lines([...changes.map((c) => `${c.attribute}: ${c.after}`), ...times.after]) }],
    steps: [...attributeSteps(target, changes), ...times.steps],
    result,
  };
}

function ownership(current: PathInfo): Record<string, unknown> {
  return { mode: current.mode, owner: current.owner, group: current.group, uid: current.uid, gid: current.gid };
}

function lines(items: readonly string[]): string {
  return items.map((item) => `${item}\n`).join('');
}

/** Every given attribute, for a path about to be created. */
function allAttributes(attributes: FileAttributes): AttributeChange[] {
  return (['mode', 'owner', 'group'] as const).flatMap((attribute) => {
    const value = attributes[attribute];
    return value === undefined ? [] : [{ attribute, before: '', after: attribute === 'mode' ? normalizeMode(value) : value }];
  });
}

function attributeLines(attributes: FileAttributes): string[] {
  return allAttributes(attributes).map((change) => `${change.attribute}: ${change.after}`);
}

function typeName(info: PathInfo | null): string {
  if (info === null) return 'absent';
  if (info.hard) return 'hard';
  return info.type === 'other' ? 'file' : info.type;
}

function planFile(task: Task): Plan {
  const { path, observed } = task;
  let target = path;
  let current = observed.self;
  if (current?.type === 'link' && task.follow) {
    target = observed.real;
    current = observed.followed;
  }
  if (current === null || (current.type !== 'file' && current.type !== 'other')) {
    return { kind: 'fail', message: `file (${target}) is ${typeName(current)}, cannot continue`, result: { path: target, state: typeName(current) } };
  }
  return settle(task, target, current, `${target} is a file${given(task)}`, { path: target, state: 'file' });
}

function given(task: Task): string {
  const parts = attributeLines(task.attributes).map((line) => line.replace(': ', ' '));
  return parts.length === 0 ? '' : ` with ${parts.join(', ')}`;
}

// The first entry below the directory whose attributes differ, if any: one line of output at most.
// find takes no `--`, so a path starting with "-" is made unambiguous with "./".
function treeProbe(path: string, attributes: FileAttributes): Command {
  const conditions: Command[] = [];
  if (attributes.mode !== undefined) conditions.push(sh`'(' ! -type l ! -perm ${normalizeMode(attributes.mode)} ')'`);
  if (attributes.owner !== undefined) conditions.push(sh`! -user ${attributes.owner}`);
  if (attributes.group !== undefined) conditions.push(sh`! -group ${attributes.group}`);
  const start = path.startsWith('-') ? `./${path}` : path;
  return sh`find ${start} -mindepth 1 '(' ${Command.join(conditions, ' -o ')} ')' -print -quit`;
}

function planDirectory(task: Task, treeDiffers: string): Plan {
  const { observed } = task;
  let target = task.path;
  let current = observed.self;
  let missing = observed.missing;
  if (current?.type === 'link' && task.follow) {
    target = observed.real;
    current = observed.followed;
    // A link to nothing: Ansible creates the directory where the link points.
    if (current === null) missing = [target];
  }
  const result = { path: target, state: 'directory' };
  if (current === null) {
    // Each directory created gets the attributes, as Ansible's mkdir loop does.
    const steps = missing.flatMap((directory) => [
      { title: `create directory ${directory}`, command: sh`mkdir -- ${directory}` },
      ...attributeSteps(directory, allAttributes(task.attributes)),
      ...timeSteps(directory, null, task.times, false).steps,
    ]);
    return {
      kind: 'change',
      summary: `create directory ${target}${missing.length > 1 ? ` (and ${missing.length - 1} parent${missing.length > 2 ? 's' : ''})` : ''}`,
      diff: [{ label: target, before: 'state: absent\n', after: lines(['state: directory', ...attributeLines(task.attributes)]) }],
      steps,
      result,
    };
  }
  if (current.type !== 'directory') return { kind: 'fail', message: `${target} already exists as a ${typeName(current)}`, result: { path: target } };
  if (treeDiffers === '') return settle(task, target, current, `${target} is a directory${given(task)}`, result);
  // Something below differs: every given attribute applied to the whole tree, like chmod -R / chown -hR.
  const first = treeDiffers.replace(/\n$/, '');
  const wanted = attributeLines(task.attributes).map((line) => line.replace(': ', ' ')).join(', ');
  return {
    kind: 'change',
    summary: `set ${wanted} recursively on ${target}`,
    diff: [{ label: target, before: `below ${target}: differs (first: ${first})\n`, after: `below ${target}: ${wanted}\n` }],
    steps: [...attributeSteps(target, allAttributes(task.attributes), { recurse: true }), ...timeSteps(target, current, task.times, false).steps],
    result,
  };
}

function planLink(task: Task): Plan {
  const { args, path, observed } = task;
  const current = observed.self;
  const src = args.src ?? (task.follow && current?.type === 'link' ? current.linkTarget : undefined);
  if (src !== undefined && args.src !== undefined && !args.force && observed.source === null) {
    const absolute = sourcePath(path, src, current?.type);
    return { kind: 'fail', message: `src file does not exist, use "force=yes" if you really want to create the link: ${absolute}`, result: { path, src } };
  }
  if (current?.type === 'directory') {
    if (!args.force) return { kind: 'fail', message: `refusing to convert from directory to symlink for ${path}`, result: { path } };
    if (observed.nonEmpty) return { kind: 'fail', message: `the directory ${path} is not empty, refusing to convert it`, result: { path } };
  } else if ((current?.type === 'file' || current?.type === 'other') && !args.force) {
    return { kind: 'fail', message: `refusing to convert from ${typeName(current)} to symlink for ${path}`, result: { path } };
  }
  const result = { dest: path, src, state: 'link' };
  if (src === undefined) return { kind: 'fail', message: 'src is required for creating new symlinks' };
  // With follow, the attributes are the target's (when it exists); without, the link's own (owner and group only).
  // Without src, the target is the link's current one, which the probe followed.
  const [targetInfo, targetReal] = args.src === undefined ? [observed.followed, observed.real] : [observed.source, observed.sourceReal];
  const attributeTarget = task.follow ? (targetInfo === null ? undefined : targetReal) : path;
  if (current?.type === 'link' && current.linkTarget === src) {
    if (attributeTarget === undefined) return { kind: 'noop', reason: `${path} already links to ${src}`, result };
    const info = task.follow ? targetInfo : current;
    if (info === null) return { kind: 'noop', reason: `${path} already links to ${src}`, result };
    return settle(task, attributeTarget, info, `${path} already links to ${src}${given(task)}`, result, !task.follow);
  }
  const replace = current === null ? sh`ln -s -- ${src} ${path}` : current.type === 'directory' ? sh`rmdir -- ${path} && ln -s -- ${src} ${path}` : sh`ln -sfT -- ${src} ${path}`;
  const summary = current === null ? `link ${path} → ${src}` : current.type === 'link' ? `relink ${path} → ${src} (was → ${current.linkTarget ?? ''})` : `replace ${typeName(current)} ${path} with a link → ${src}`;
  const after = attributeTarget === undefined ? null : settle(task, attributeTarget, (task.follow ? targetInfo : null) ?? blank(), '', result, !task.follow);
  return {
    kind: 'change',
    summary,
    diff: [{ label: path, before: current === null ? 'state: absent\n' : lines([`state: ${typeName(current)}`, ...(current.linkTarget === undefined ? [] : [`src: ${current.linkTarget}`])]), after: lines(['state: link', `src: ${src}`]) }],
    steps: [{ title: summary, command: replace }, ...(after?.kind === 'change' ? after.steps : [])],
    result,
  };
}

/** A path about to be created: every attribute given differs from it. */
function blank(): PathInfo {
  return { type: 'link', mode: '', owner: '', uid: -1, group: '', gid: -1, size: 0, hard: false, atime: '', mtime: '' };
}

function planHard(task: Task): Plan {
  const { args, path, observed } = task;
  const current = observed.self;
  const src = args.src;
  if (src === undefined) {
    if (current?.hard !== true) return { kind: 'fail', message: 'src is required for creating new hardlinks' };
    return settle(task, path, current, `${path} is a hard link${given(task)}`, { path, state: 'hard' });
  }
  if (!posix.isAbsolute(src)) return { kind: 'fail', message: `src must be an absolute path for state: hard (runbook does not guess the directory a relative one is read from): ${src}` };
  if (observed.source === null) return { kind: 'fail', message: 'src does not exist', result: { dest: path, src } };
  const result = { dest: path, src, state: 'hard' };
  if (observed.sameInode && current !== null) return settle(task, path, current, `${path} is a hard link to ${src}${given(task)}`, result);
  if (current?.hard && !args.force) return { kind: 'fail', message: 'Cannot link, different hard link exists at destination', result };
  if (current?.type === 'file' && !args.force) return { kind: 'fail', message: 'Cannot link, file exists at destination', result };
  if (current?.type === 'directory') return { kind: 'fail', message: `Cannot link: ${path} is a directory`, result };
  const attributes = settle(task, path, observed.source, '', result);
  const command = current === null ? sh`ln -- ${src} ${path}` : sh`ln -fT -- ${src} ${path}`;
  return {
    kind: 'change',
    summary: `hard link ${path} → ${src}`,
    diff: [{ label: path, before: `state: ${typeName(current)}\n`, after: lines(['state: hard', `src: ${src}`]) }],
    steps: [{ title: `hard link ${path} → ${src}`, command }, ...(attributes.kind === 'change' ? attributes.steps : [])],
    result,
  };
}

function planAbsent(path: string, current: PathInfo | null): Plan {
  if (current === null) return { kind: 'noop', reason: `${path} does not exist`, result: { path, state: 'absent' } };
  const recursive = current.type === 'directory';
  return {
    kind: 'change',
    summary: `remove ${recursive ? 'directory ' : ''}${path}`,
    diff: [{ label: path, before: `state: ${typeName(current)}\n`, after: 'state: absent\n' }],
    steps: [{ title: `remove ${path}`, command: recursive ? sh`rm -rf -- ${path}` : sh`rm -f -- ${path}` }],
    result: { path, state: 'absent' },
  };
}

// Touch sets both times to now unless told otherwise, so it reports changed, as in Ansible; with
// access_time and modification_time preserve it settles to ok.
function planTouch(task: Task): Plan {
  const { path, observed } = task;
  const onLink = observed.self?.type === 'link' && !task.follow;
  const target = observed.self?.type === 'link' && task.follow ? observed.real : path;
  const current = observed.self?.type === 'link' && task.follow ? observed.followed : observed.self;
  const result = { path: target, state: current === null ? 'file' : typeName(current) };
  if (current !== null) return settle(task, target, current, `${target} exists, times preserved${given(task)}`, result, onLink);
  const times = timeSteps(target, null, { atime: task.times.atime === 'now' ? 'preserve' : task.times.atime, mtime: task.times.mtime === 'now' ? 'preserve' : task.times.mtime }, false);
  return {
    kind: 'change',
    summary: `create ${target}`,
    diff: [{ label: target, before: 'state: absent\n', after: lines(['state: file', ...attributeLines(task.attributes)]) }],
    steps: [{ title: `touch ${target}`, command: sh`touch -- ${target}` }, ...attributeSteps(target, allAttributes(task.attributes)), ...times.steps],
    result,
  };
}
