import type { MountArgs } from '../schema/generated/mount.js';
import { sh } from '../shell/command.js';
import { contentDiff, fileContentProbe, fileStateProbe, parseFileContent, parseFileState, writeFileSteps } from './lib/remote-file.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleDefinition, Plan, Step } from './types.js';

/** One fstab or /proc/self/mounts entry, fields decoded (\040 → space). */
export interface MountEntry {
  src: string;
  path: string;
  fstype: string;
  opts: string;
  dump: string;
  passno: string;
}

export const mountModule: ModuleDefinition<MountArgs> = {
  name: 'mount',
  summary: "Manage a mount point: its fstab entry and whether it is mounted (Ansible's ansible.posix.mount)",

  probe(args) {
    return {
      fstab: fileContentProbe(args.fstab ?? '/etc/fstab'),
      mounts: sh`cat /proc/self/mounts`,
      mountPoint: fileStateProbe(mountPath(args)),
    };
  },

  plan(args, probes) {
    const mounts = probeOutput(probes, 'mounts');
    if (mounts.code !== 0) return { kind: 'fail', message: `cannot read /proc/self/mounts: ${mounts.stderr.trim()}` };
    const fstabPath = args.fstab ?? '/etc/fstab';
    const fstab = parseFileContent(probeOutput(probes, 'fstab'));
    if (fstab.state !== null && fstab.content === undefined) {
      return { kind: 'fail', message: `${fstabPath} is not a regular file of a readable size` };
    }
    return planMount(args, {
      fstabPath,
      fstab: fstab.content?.toString('utf8'),
      fstabState: fstab.state,
      live: liveMount(mounts.stdout, mountPath(args)),
      mountPointExists: parseFileState(probeOutput(probes, 'mountPoint')) !== null,
    });
  },
};

interface Observed {
  fstabPath: string;
  /** Content of the fstab file; undefined when it does not exist. */
  fstab: string | undefined;
  fstabState: ReturnType<typeof parseFileState>;
  live: MountEntry | undefined;
  mountPointExists: boolean;
}

/** The mount point, from path or Ansible's alias name. */
function mountPath(args: MountArgs): string {
  return normalizePath((args.path ?? args.name) as string);
}

/** "/mnt/x/" and "/mnt/x" name the same mount point. */
function normalizePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** fstab and /proc/self/mounts escape space, tab, newline and backslash as octal (\040). */
export function decodeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

export function encodeField(field: string): string {
  return field.replace(/[\\ \t\n]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
}

export function parseMountLine(line: string): MountEntry | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return undefined;
  const [src, path, fstype, opts, dump, passno] = trimmed.split(/\s+/).map(decodeField);
  if (src === undefined || path === undefined) return undefined;
  return { src, path: normalizePath(path), fstype: fstype ?? '', opts: opts ?? 'defaults', dump: dump ?? '0', passno: passno ?? '0' };
}

/** The mount on top at `path`: the last one listed (later mounts hide earlier ones). */
export function liveMount(procMounts: string, path: string): MountEntry | undefined {
  return procMounts
    .split('\n')
    .map(parseMountLine)
    .filter((entry): entry is MountEntry => entry?.path === path)
    .at(-1);
}

export function formatFstabLine(entry: MountEntry): string {
  return [entry.src, entry.path, entry.fstype, entry.opts, entry.dump, entry.passno].map(encodeField).join(' ');
}

function sameEntry(a: MountEntry, b: MountEntry): boolean {
  return a.src === b.src && a.fstype === b.fstype && a.opts === b.opts && a.dump === b.dump && a.passno === b.passno;
}

/**
 * The fstab with exactly one entry for `path` (the first one replaced in place, later duplicates
 * dropped), or none; unchanged text when it already is so.
 */
export function editFstab(text: string, path: string, wanted: MountEntry | undefined): { text: string; previous: MountEntry | undefined } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let previous: MountEntry | undefined;
  let modified = false;
  const kept: string[] = [];
  for (const line of lines) {
    const entry = parseMountLine(line);
    if (entry?.path !== path) {
      kept.push(line);
      continue;
    }
    // An entry that already says what we want keeps its spacing and columns.
    if (previous === undefined && wanted !== undefined && sameEntry(entry, wanted)) {
      kept.push(line);
    } else {
      modified = true;
      if (previous === undefined && wanted !== undefined) kept.push(formatFstabLine(wanted));
    }
    previous ??= entry;
  }
  if (previous === undefined && wanted !== undefined) {
    kept.push(formatFstabLine(wanted));
    modified = true;
  }
  return { text: modified ? kept.map((line) => `${line}\n`).join('') : text, previous };
}

function describeLive(entry: MountEntry | undefined): string {
  return entry === undefined ? 'not mounted\n' : `mounted: ${entry.src} on ${entry.path} type ${entry.fstype} (${entry.opts})\n`;
}

/** Ansible's boot: false writes noauto into the options (in place of a lone defaults). */
function fstabOptions(args: MountArgs): string {
  const opts = args.opts ?? 'defaults';
  const words = opts.split(',');
  if (args.boot !== false || words.includes('noauto')) return opts;
  return [...words.filter((word) => word !== 'defaults'), 'noauto'].join(',');
}

/** Ansible's return values: the entry's fields as the module saw them (name is the mount point). */
function mountResult(args: MountArgs, path: string): Record<string, unknown> {
  return {
    name: path,
    src: args.src ?? null,
    fstype: args.fstype ?? null,
    opts: fstabOptions(args),
    dump: String(args.dump ?? 0),
    passno: String(args.passno ?? 0),
    fstab: args.fstab ?? '/etc/fstab',
    boot: args.boot ?? true,
  };
}

function planMount(args: MountArgs, observed: Observed): Plan {
  const path = mountPath(args);
  const result = mountResult(args, path);
  const plan = planMountSteps(args, path, observed);
  if (plan.kind !== 'change') return plan.kind === 'noop' ? { ...plan, result } : plan;
  const fstabWrite = plan.steps.findIndex((step) => step.title === `write ${observed.fstabPath}`);
  if (args.backup !== true || fstabWrite < 0 || observed.fstab === undefined) return { ...plan, result };
  // As Ansible's backup: a copy of the fstab beside it, named after the process and the time.
  const backup: Step = {
    title: `back up ${observed.fstabPath}`,
    command: sh`rb_backup=${observed.fstabPath}.$$.$(date +%Y-%m-%d@%H:%M:%S~) && cp -p -- ${observed.fstabPath} "$rb_backup" && printf %s "$rb_backup"`,
    capture: 'backup',
  };
  return {
    ...plan,
    steps: [...plan.steps.slice(0, fstabWrite), backup, ...plan.steps.slice(fstabWrite)],
    result,
    finish: (captured) => ({ result: { ...result, backup_file: captured.backup?.stdout ?? '' } }),
  };
}

function planMountSteps(args: MountArgs, path: string, observed: Observed): Plan {
  const state = args.state;
  const mounted = observed.live !== undefined;
  const current = observed.fstab ?? '';
  if ((state === 'mounted' || state === 'present') && (!args.src || !args.fstype)) {
    return { kind: 'fail', message: `state ${state} needs src and fstype` };
  }
  const wanted: MountEntry | undefined =
    state === 'mounted' || state === 'present'
      ? {
          src: args.src ?? '',
          path,
          fstype: args.fstype ?? '',
          opts: fstabOptions(args),
          dump: String(args.dump ?? 0),
          passno: String(args.passno ?? 0),
        }
      : undefined;

  const steps: Step[] = [];
  const diff: Diff[] = [];
  const actions: string[] = [];
  let fstabChanged = false;
  let previous: MountEntry | undefined;
  if (state === 'mounted' || state === 'present' || state === 'absent' || state === 'absent_from_fstab') {
    const edited = editFstab(current, path, wanted);
    previous = edited.previous;
    if (edited.text !== current) {
      fstabChanged = true;
      steps.push(...writeFileSteps(observed.fstabPath, Buffer.from(edited.text), {}, observed.fstabState));
      diff.push(contentDiff(observed.fstabPath, observed.fstab === undefined ? undefined : Buffer.from(current), Buffer.from(edited.text)));
      actions.push(wanted === undefined ? `remove the fstab entry of ${path}` : `${previous ? 'update' : 'add'} the fstab entry of ${path}`);
    }
  }

  let liveAfter: string | undefined;
  if (state === 'mounted' && wanted !== undefined) {
    if (!mounted) {
      if (!observed.mountPointExists) steps.push({ title: `create ${path}`, command: sh`mkdir -p -- ${path}` });
      steps.push(mountStep(wanted));
      actions.push(`mount ${path}`);
      liveAfter = describeLive(wanted);
    } else if (fstabChanged && (previous === undefined || !sameEntry(previous, wanted))) {
      // A new source or type needs a fresh mount; new options only a remount.
      if (previous !== undefined && (previous.src !== wanted.src || previous.fstype !== wanted.fstype)) {
        steps.push({ title: `unmount ${path}`, command: sh`umount -- ${path}` }, mountStep(wanted));
        actions.push(`mount ${path} again`);
      } else {
        steps.push(remountStep(path, wanted.opts));
        actions.push(`remount ${path}`);
      }
      liveAfter = describeLive(wanted);
    }
  } else if (state === 'unmounted' && mounted) {
    steps.push({ title: `unmount ${path}`, command: sh`umount -- ${path}` });
    actions.push(`unmount ${path}`);
    liveAfter = describeLive(undefined);
  } else if (state === 'absent' && fstabChanged) {
    // Ansible's absent acts only on a path that had an fstab entry: then it unmounts and removes the
    // mount point (rmdir: a directory that is not empty fails the task, as in Ansible).
    if (mounted) {
      steps.push({ title: `unmount ${path}`, command: sh`umount -- ${path}` });
      actions.push(`unmount ${path}`);
      liveAfter = describeLive(undefined);
    }
    if (observed.mountPointExists) {
      steps.push({ title: `remove ${path}`, command: sh`rmdir -- ${path}` });
      actions.push(`remove the directory ${path}`);
    }
  } else if (state === 'remounted' && mounted) {
    steps.push(remountStep(path, args.opts));
    actions.push(`remount ${path}`);
    liveAfter = `remounted: ${observed.live?.src} on ${path}${args.opts ? ` (${args.opts})` : ''}\n`;
  }
  if (liveAfter !== undefined) diff.push({ label: `mount ${path}`, before: describeLive(observed.live), after: liveAfter });

  if (steps.length === 0) return { kind: 'noop', reason: noopReason(state, path, observed.live) };
  return { kind: 'change', summary: actions.join('; '), diff, steps };
}

function mountStep(entry: MountEntry): Step {
  const options = entry.opts === 'defaults' ? sh`` : sh` -o ${entry.opts}`;
  return { title: `mount ${entry.path}`, command: sh`mount -t ${entry.fstype}${options} -- ${entry.src} ${entry.path}` };
}

function remountStep(path: string, opts: string | undefined): Step {
  const options = opts === undefined || opts === 'defaults' ? 'remount' : `remount,${opts}`;
  return { title: `remount ${path}`, command: sh`mount -o ${options} -- ${path}` };
}

function noopReason(state: MountArgs['state'], path: string, live: MountEntry | undefined): string {
  switch (state) {
    case 'mounted':
      return `${path} is mounted (${live?.src}, ${live?.fstype}) and its fstab entry is current`;
    case 'present':
      return `the fstab entry of ${path} is current`;
    case 'unmounted':
      return `${path} is not mounted`;
    case 'absent':
      return live === undefined ? `${path} has no fstab entry` : `${path} has no fstab entry: left mounted, as Ansible's absent does`;
    case 'absent_from_fstab':
      return `${path} has no fstab entry`;
    case 'remounted':
      return `${path} is not mounted: nothing to remount`;
  }
}
