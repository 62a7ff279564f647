import { gunzipSync } from 'node:zlib';
import type { UnarchiveArgs } from '../schema/generated/unarchive.js';
import { Command, sh } from '../shell/command.js';
import { readLocalSource } from './lib/local-files.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleContext, ModuleDefinition, Plan, ProbeResults } from './types.js';

/** Exit status of the probes when a path does not exist, and when dest is not a directory. */
const ABSENT_EXIT = 3;
const NOT_DIRECTORY_EXIT = 4;

/**
 * Ansible's unarchive for tar archives. A host's archive (remote_src) is compared with dest by
 * `tar --diff`, as Ansible does. A controller's archive is read here (tar, gzip) and its members'
 * type, size and modification time compared with one stat per member on the host: the archive is
 * sent only when something differs.
 */
export const unarchiveModule: ModuleDefinition<UnarchiveArgs> = {
  name: 'unarchive',
  summary: 'Unpack a tar archive (from the controller or the host) into a directory of the host',
  probe(args) {
    return {
      dest: sh`if [ ! -e ${args.dest} ]; then exit ${ABSENT_EXIT}; elif [ ! -d ${args.dest} ]; then exit ${NOT_DIRECTORY_EXIT}; fi`,
      ...(args.creates === undefined ? {} : { creates: sh`test -e ${args.creates} || test -L ${args.creates}` }),
      ...(args.remote_src ? { archive: sh`if [ ! -f ${args.src} ]; then exit ${ABSENT_EXIT}; fi; tar -tf ${args.src} && echo '--' && { tar --diff -f ${args.src} -C ${args.dest} >/dev/null 2>&1; echo $?; }` } : {}),
    };
  },
  plan(args, probes, context) {
    if (probes.creates?.code === 0) return { kind: 'noop', reason: `skipped, since ${args.creates ?? ''} exists` };
    const dest = probeOutput(probes, 'dest');
    if (dest.code === ABSENT_EXIT || dest.code === NOT_DIRECTORY_EXIT) {
      if (context.check && dest.code === ABSENT_EXIT) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `dest ${args.dest} does not exist (check mode: an earlier task may create it)` };
      return { kind: 'fail', message: `dest '${args.dest}' must be an existing dir` };
    }
    const values = { dest: args.dest, src: args.src, handler: 'TgzArchive' };
    return args.remote_src ? planRemote(args, probes.archive?.stdout ?? '', probes.archive?.code ?? 1, values, context.check) : planLocal(args, probes, context, values);
  },
};

function planRemote(args: UnarchiveArgs, listing: string, code: number | null, values: Record<string, unknown>, check: boolean): Plan {
  if (code === ABSENT_EXIT) {
    if (check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `Source '${args.src}' does not exist (check mode: an earlier task may create it)` };
    return { kind: 'fail', message: `Source '${args.src}' does not exist` };
  }
  const [members = '', status = ''] = listing.split('--\n');
  if (code !== 0) return { kind: 'fail', message: `Failed to find handler for "${args.src}": tar cannot read it` };
  const files = members.split('\n').filter((line) => line !== '');
  const result = { ...values, ...(args.list_files ? { files } : {}) };
  if (status.trim() === '0') return { kind: 'noop', reason: `${args.dest} already holds every member of ${args.src}`, result };
  return {
    kind: 'change',
    summary: `unpack ${args.src} into ${args.dest}`,
    diff: [{ label: args.dest, before: '', after: diffList(files) }],
    steps: [{ title: `unpack ${args.src}`, command: sh`tar -xf ${args.src} -C ${args.dest}` }],
    result,
  };
}

interface Member {
  name: string;
  /** tar's type flag: 0 file, 1 hard link, 2 symbolic link, 5 directory. */
  type: string;
  size: number;
  mtime: number;
  linkTarget: string;
}

function planLocal(args: UnarchiveArgs, probes: ProbeResults, context: ModuleContext, values: Record<string, unknown>): Plan {
  const local = readLocalSource('files', args.src, context);
  if (!local.found) return { kind: 'fail', message: local.message };
  const gzipped = local.content[0] === 0x1f && local.content[1] === 0x8b;
  let members: Member[];
  try {
    members = readTar(gzipped ? gunzipSync(local.content) : local.content);
  } catch {
    return { kind: 'fail', message: `Failed to find handler for "${local.path}": runbook reads .tar and .tar.gz archives on the controller (others with remote_src)` };
  }
  const files = members.map((member) => member.name);
  const result = { ...values, src: local.path, ...(args.list_files ? { files } : {}) };
  if (probes.members === undefined) return { kind: 'probe', probes: { members: membersProbe(args.dest, members) } };
  const differing = differences(members, probes.members.stdout.split('\n'));
  if (differing.length === 0) return { kind: 'noop', reason: `${args.dest} already holds every member of ${args.src}`, result };
  return {
    kind: 'change',
    summary: `unpack ${args.src} into ${args.dest} (${differing.length} member${differing.length === 1 ? '' : 's'} differ)`,
    diff: [{ label: args.dest, before: '', after: diffList(differing) }],
    steps: [{ title: `unpack ${args.src}`, command: sh`tar ${gzipped ? '-xzf' : '-xf'} - -C ${args.dest}`, stdin: local.content }],
    result,
  };
}

function diffList(names: readonly string[]): string {
  return names.map((name) => `${name}\n`).join('');
}

// One line per member, in order: "<type letter> <size> <mtime>" as stat sees it (links not followed), or "-".
function membersProbe(dest: string, members: readonly Member[]): Command {
  return sh`cd -- ${dest} && for m in ${members.map((member) => member.name)}; do stat -c '%F|%s|%Y' -- "$m" 2>/dev/null || echo -; done`;
}

function differences(members: readonly Member[], lines: readonly string[]): string[] {
  return members.flatMap((member, index) => {
    const [type = '-', size, mtime] = (lines[index] ?? '-').split('|');
    const ok =
      member.type === '5'
        ? type === 'directory'
        : member.type === '2'
          ? type === 'symbolic link'
          : (type === 'regular file' || type === 'regular empty file') && Number(size) === member.size && Number(mtime) === member.mtime;
    return ok ? [] : [member.name];
  });
}

/** The members of a tar archive (ustar, GNU long names, pax path): enough to compare with dest. */
export function readTar(bytes: Buffer): Member[] {
  const members: Member[] = [];
  let offset = 0;
  let longName: string | undefined;
  const text = (start: number, length: number) => bytes.subarray(offset + start, offset + start + length).toString('utf8').replace(/\0.*$/s, '');
  const octal = (start: number, length: number) => Number.parseInt(text(start, length).trim() || '0', 8);
  while (offset + 512 <= bytes.length) {
    if (bytes.subarray(offset, offset + 512).every((byte) => byte === 0)) break;
    if (!text(257, 6).startsWith('ustar')) throw new Error('not a tar archive');
    const type = text(156, 1) || '0';
    const size = octal(124, 12);
    const prefix = text(345, 155);
    const data = bytes.subarray(offset + 512, offset + 512 + size);
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if (type === 'x') longName = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1] ?? longName;
    else if (type !== 'g') {
      const name = longName ?? (prefix === '' ? text(0, 100) : `${prefix}/${text(0, 100)}`);
      longName = undefined;
      members.push({ name: name.replace(/\/$/, '').replace(/^\.\//, '') || '.', type, size, mtime: octal(136, 12), linkTarget: text(157, 100) });
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  if (members.length === 0) throw new Error('not a tar archive');
  return members.filter((member) => member.name !== '.');
}
