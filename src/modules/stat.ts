import { RunbookError } from '../errors.js';
import type { StatArgs } from '../schema/generated/stat.js';
import { sh, type Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan } from './types.js';

/** Exit status of the probe when the path does not exist (with follow: a link to nothing). */
const ABSENT_EXIT = 3;

type Algorithm = NonNullable<StatArgs['checksum_algorithm']>;

export const statModule: ModuleDefinition<StatArgs> = {
  name: 'stat',
  summary: "Read a path's status (exists, type, mode, owner, size, times, checksum) into a registered variable",
  probe: (args) => ({ stat: statProbe(pathOf(args), args.follow ?? false, checksumOf(args)) }),
  plan: (args, probes) => planStat(args, probeOutput(probes, 'stat')),
};

export function pathOf(args: StatArgs): string {
  return (args.path ?? args.dest ?? args.name) as string;
}

function checksumOf(args: StatArgs): Algorithm | undefined {
  if (args.get_checksum === false) return undefined;
  return args.checksum_algorithm ?? args.checksum_algo ?? 'sha1';
}

// One stat call (C locale, so the errno text is stable; `-L` with follow), then for a link its
// target as stored and as resolved, then the connecting user's access, then the checksum of a
// readable regular file. Only "no such file" and "not a directory" mean absent; any other failure
// (permission denied) fails the task with stat's message, as Ansible's stat does.
// Fields, one per line: raw st_mode (hex), uid, gid, user, group, size, inode, device, links,
// atime, mtime, ctime (with nanoseconds), blocks, I/O block size, device major and minor (hex).
const FORMAT = '%f\\n%u\\n%g\\n%U\\n%G\\n%s\\n%i\\n%d\\n%h\\n%.9X\\n%.9Y\\n%.9Z\\n%b\\n%o\\n%t\\n%T\\n';

function statProbe(path: string, follow: boolean, checksum: Algorithm | undefined): Command {
  const stat = follow ? sh`LC_ALL=C stat -L --printf=${FORMAT} -- ${path}` : sh`LC_ALL=C stat --printf=${FORMAT} -- ${path}`;
  const link = follow
    ? sh``
    : sh`if [ -L ${path} ]; then printf 'target '; readlink -n -- ${path} | base64 -w0; printf '\\nsource '; realpath -m -- ${path} | base64 -w0; printf '\\n'; fi; `;
  // Without follow, a link is no regular file (test -f would follow it): no checksum, as in Ansible.
  const regular = follow ? sh`[ -f ${path} ]` : sh`[ -f ${path} ] && [ ! -L ${path} ]`;
  const sum = checksum === undefined ? sh`` : sh`if ${regular} && [ -r ${path} ]; then printf 'checksum '; ${checksumCommand(checksum)} < ${path} || exit 1; fi`;
  return sh`rb_stat=$(${stat} 2>&1) || case $rb_stat in *': No such file or directory'|*': Not a directory') exit ${ABSENT_EXIT};; *) printf '%s\\n' "$rb_stat" >&2; exit 1;; esac; printf '%s\\n' "$rb_stat"; ${link}printf 'access %s%s%s\\n' "$([ -r ${path} ] && echo r)" "$([ -w ${path} ] && echo w)" "$([ -x ${path} ] && echo x)"; ${sum}`;
}

function checksumCommand(algorithm: Algorithm): Command {
  switch (algorithm) {
    case 'md5':
      return sh`md5sum`;
    case 'sha1':
      return sh`sha1sum`;
    case 'sha224':
      return sh`sha224sum`;
    case 'sha256':
      return sh`sha256sum`;
    case 'sha384':
      return sh`sha384sum`;
    case 'sha512':
      return sh`sha512sum`;
  }
}

const PERMISSION_BITS: ReadonlyArray<[string, number]> = [
  ['rusr', 0o400],
  ['wusr', 0o200],
  ['xusr', 0o100],
  ['rgrp', 0o040],
  ['wgrp', 0o020],
  ['xgrp', 0o010],
  ['roth', 0o004],
  ['woth', 0o002],
  ['xoth', 0o001],
];

function planStat(args: StatArgs, result: ExecResult): Plan {
  const path = pathOf(args);
  if (result.code === ABSENT_EXIT) {
    return { kind: 'noop', reason: `${path} does not exist`, result: { stat: { exists: false } } };
  }
  if (result.code !== 0) {
    const reason = result.stderr.trim() || `exit ${result.code ?? result.signal ?? 'unknown'}`;
    return { kind: 'fail', message: `could not stat ${path}: ${reason}` };
  }
  const stat = parse(path, result.stdout);
  return { kind: 'noop', reason: describe(path, stat), result: { stat } };
}

function parse(path: string, stdout: string): Record<string, unknown> {
  const lines = stdout.split('\n');
  const [modeHex, uid, gid, user, group, size, inode, dev, nlink, atime, mtime, ctime, blocks, blockSize, major, minor] = lines;
  if (modeHex === undefined || minor === undefined || !/^[0-9a-f]+$/.test(modeHex)) {
    throw new RunbookError('RB_COMMAND_FAILED', 'unexpected output from the stat probe');
  }
  const raw = Number.parseInt(modeHex, 16);
  const format = raw & 0o170000;
  const tagged = new Map<string, string>();
  for (const line of lines.slice(16)) {
    const space = line.indexOf(' ');
    if (space > 0) tagged.set(line.slice(0, space), line.slice(space + 1));
    else if (line !== '') tagged.set(line, '');
  }
  const access = tagged.get('access') ?? '';
  const stat: Record<string, unknown> = {
    exists: true,
    path,
    mode: (raw & 0o7777).toString(8).padStart(4, '0'),
    isdir: format === 0o040000,
    ischr: format === 0o020000,
    isblk: format === 0o060000,
    isreg: format === 0o100000,
    isfifo: format === 0o010000,
    islnk: format === 0o120000,
    issock: format === 0o140000,
    uid: Number(uid),
    gid: Number(gid),
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
    ...Object.fromEntries(PERMISSION_BITS.map(([name, bit]) => [name, (raw & bit) !== 0])),
    isuid: (raw & 0o4000) !== 0,
    isgid: (raw & 0o2000) !== 0,
    blocks: Number(blocks),
    block_size: Number(blockSize),
    device_type: makedev(Number.parseInt(major ?? '0', 16), Number.parseInt(minor, 16)),
    readable: access.includes('r'),
    writeable: access.includes('w'),
    executable: access.includes('x'),
  };
  // Ansible leaves pw_name and gr_name out when the id has no name.
  if (user !== undefined && user !== 'UNKNOWN') stat.pw_name = user;
  if (group !== undefined && group !== 'UNKNOWN') stat.gr_name = group;
  const target = tagged.get('target');
  if (target !== undefined) stat.lnk_target = Buffer.from(target, 'base64').toString('utf8');
  const source = tagged.get('source');
  if (source !== undefined) stat.lnk_source = Buffer.from(source, 'base64').toString('utf8').replace(/\n$/, '');
  const checksum = tagged.get('checksum');
  if (checksum !== undefined) {
    const digest = checksum.split(' ')[0] ?? '';
    if (!/^[0-9a-f]+$/.test(digest)) throw new RunbookError('RB_COMMAND_FAILED', 'unexpected checksum output from the stat probe');
    stat.checksum = digest;
  }
  return stat;
}

/** Linux's makedev(), as Python's os.stat reports st_rdev. */
function makedev(major: number, minor: number): number {
  return (major & 0xfff) * 256 + (minor & 0xff) + (minor & ~0xff) * 4096 + Math.floor(major / 0x1000) * 2 ** 32;
}

function describe(path: string, stat: Record<string, unknown>): string {
  const type = stat.isdir ? 'a directory' : stat.isreg ? 'a file' : stat.islnk ? `a link to ${String(stat.lnk_target)}` : 'a special file';
  return `${path} is ${type}, mode ${String(stat.mode)}, owner ${String(stat.pw_name ?? stat.uid)}`;
}
