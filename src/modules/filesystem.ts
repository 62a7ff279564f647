import { RunbookError } from '../errors.js';
import type { FilesystemArgs } from '../schema/generated/filesystem.js';
import { sh, type Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { failureText } from './lib/lvm.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

type FsType = NonNullable<FilesystemArgs['fstype']>;

/** Exit status of the device probe when the path does not exist. */
const ABSENT_EXIT = 3;

/** What Ansible's filesystem knows of each type it creates, grows and re-identifies. */
interface Kind {
  /** Ansible's class: blkid TYPEs of one class are the same filesystem (ext4dev is ext4). */
  family: string;
  mkfs: string;
  forceFlags: string[];
  /** mkfs options that set the UUID at creation; the first one is used. */
  uuidOptions?: string[];
  uuidExtraOptions?: string[];
  /** Changes the UUID of an existing filesystem (lvm: a new random one, the value is ignored). */
  changeUuid?: (uuid: string, dev: string) => Command;
  /** The command that reports the filesystem's size, as Ansible names it in its message. */
  info?: string;
  /** Bytes the device may exceed the filesystem by without a resize (XFS cannot grow by less than 64 blocks). */
  growSlack?: number;
}

const EXT = (mkfs: string, family: string): Kind => ({
  family,
  mkfs,
  forceFlags: ['-F'],
  uuidOptions: ['-U'],
  changeUuid: (uuid, dev) => sh`tune2fs -U ${uuid} ${dev}`,
  info: 'tune2fs',
});

const KINDS: Record<FsType, Kind> = {
  ext2: EXT('mkfs.ext2', 'ext2'),
  ext3: EXT('mkfs.ext3', 'ext3'),
  ext4: EXT('mkfs.ext4', 'ext4'),
  ext4dev: EXT('mkfs.ext4', 'ext4'),
  xfs: { family: 'xfs', mkfs: 'mkfs.xfs', forceFlags: ['-f'], changeUuid: (uuid, dev) => sh`xfs_admin -U ${uuid} ${dev}`, info: 'xfs_info', growSlack: 64 * 4096 - 1 },
  vfat: { family: 'vfat', mkfs: 'mkfs.vfat', forceFlags: [] },
  swap: { family: 'swap', mkfs: 'mkswap', forceFlags: ['-f'] },
  lvm: {
    family: 'lvm',
    mkfs: 'pvcreate',
    forceFlags: ['-f'],
    uuidOptions: ['-u', '--uuid'],
    uuidExtraOptions: ['--norestorefile'],
    changeUuid: (_uuid, dev) => sh`pvchange -u ${dev}`,
    info: 'pvs',
  },
};

/** blkid's TYPE → Ansible's class of it (LVM2_member is lvm); other types stay as they are, matching none. */
function familyOf(blkidType: string): string {
  if (blkidType === 'LVM2_member') return 'lvm';
  return (KINDS as Record<string, Kind | undefined>)[blkidType]?.family ?? blkidType;
}

function devOf(args: FilesystemArgs): string {
  const dev = args.dev ?? args.device;
  if (dev === undefined) throw new RunbookError('RB_INTERNAL', 'filesystem: the schema requires dev or device');
  return dev;
}

function fstypeOf(args: FilesystemArgs): FsType | undefined {
  return args.fstype ?? args.type;
}

export const filesystemModule: ModuleDefinition<FilesystemArgs> = {
  name: 'filesystem',
  summary: "A filesystem, swap or LVM physical volume on a device or image file: created, grown, its UUID set, or wiped (Ansible's filesystem)",

  probe(args) {
    const dev = devOf(args);
    // blkid exits 2 when it finds no signature: an empty device, not an error.
    const probes: ProbeSet = {
      device: sh`test -e ${dev} || exit ${ABSENT_EXIT}
blkid -c /dev/null -o value -s TYPE ${dev}
rb_status=$?
[ "$rb_status" -eq 2 ] || exit "$rb_status"`,
    };
    const fstype = fstypeOf(args);
    if ((args.state ?? 'present') === 'present' && args.resizefs === true && fstype !== undefined) {
      probes.devsize = sh`if [ -b ${dev} ]; then blockdev --getsize64 ${dev}; elif [ -f ${dev} ]; then stat -c %s ${dev}; else echo ${`Target device not supported: ${dev}`} >&2; exit 4; fi`;
      probes.mountpoint = mountpointProbe(dev);
      probes.fssize = fsSizeProbe(KINDS[fstype], dev);
    }
    return probes;
  },

  plan(args, probes, context) {
    const dev = devOf(args);
    const device = probeOutput(probes, 'device');
    if (device.code === ABSENT_EXIT) {
      const message = `Device ${dev} not found.`;
      if (args.state === 'absent') return { kind: 'noop', reason: message, result: { msg: message } };
      if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may create it)` };
      return { kind: 'fail', message };
    }
    if (device.code !== 0) return { kind: 'fail', message: `blkid cannot read ${dev}: ${failureText(device)}` };
    const existing = device.stdout.trim();
    if (args.state === 'absent') {
      if (existing === '') return { kind: 'noop', reason: `${dev} has no filesystem signature` };
      return change(`wipe the ${existing} signatures of ${dev}`, [{ title: `wipe ${dev}`, command: sh`wipefs --all ${dev}` }], existing, 'none', dev);
    }
    const fstype = fstypeOf(args);
    if (fstype === undefined) throw new RunbookError('RB_INTERNAL', 'filesystem: the schema requires fstype with state present');
    return planPresent(args, fstype, dev, existing, probes);
  },
};

function mountpointProbe(dev: string): Command {
  return sh`findmnt --mtab --noheadings --output TARGET --source ${dev} | head -n 1`;
}

/** The filesystem's size as its own tool reports it, read whether it is mounted or not (XFS: on its mount point when mounted). */
function fsSizeProbe(kind: Kind, dev: string): Command {
  switch (kind.info) {
    case 'tune2fs':
      return sh`LC_ALL=C LANGUAGE=C tune2fs -l ${dev}`;
    case 'xfs_info':
      return sh`rb_mount=$(${mountpointProbe(dev)}); if [ -n "$rb_mount" ]; then LC_ALL=C xfs_info "$rb_mount"; else LC_ALL=C xfs_info ${dev}; fi`;
    case 'pvs':
      return sh`pvs --noheadings --nosuffix --units b -o pv_size ${dev}`;
    default:
      throw new RunbookError('RB_INTERNAL', `filesystem: the schema refuses resizefs for ${kind.mkfs}`);
  }
}

/** Bytes in the filesystem, from tune2fs -l, xfs_info or pvs; undefined when the output is not understood. */
function parseFsSize(kind: Kind, text: string): number | undefined {
  if (kind.info === 'tune2fs') {
    const count = /^Block count:\s*(\d+)/m.exec(text)?.[1];
    const size = /^Block size:\s*(\d+)/m.exec(text)?.[1];
    return count === undefined || size === undefined ? undefined : Number(count) * Number(size);
  }
  if (kind.info === 'xfs_info') {
    // "data     =                       bsize=4096   blocks=262144, imaxpct=25"
    const data = /^data\s*=\s*bsize=(\d+)\s+blocks=(\d+)/m.exec(text);
    return data ? Number(data[1]) * Number(data[2]) : undefined;
  }
  const bytes = text.trim();
  return /^\d+$/.test(bytes) ? Number(bytes) : undefined;
}

function change(summary: string, steps: Step[], before: string, after: string, dev: string, result: Record<string, unknown> = {}): Plan {
  return { kind: 'change', summary, steps, diff: [{ label: `filesystem on ${dev}`, before: `fstype: ${before || 'none'}\n`, after: `fstype: ${after}\n` }], result };
}

function planPresent(args: FilesystemArgs, fstype: FsType, dev: string, existing: string, probes: ProbeResults): Plan {
  const kind = KINDS[fstype];
  const sameFs = existing !== '' && familyOf(existing) === kind.family;
  const force = args.force ?? false;
  if (sameFs && args.resizefs === true) return planGrow(kind, fstype, dev, probes);
  if (sameFs && args.uuid !== undefined && kind.changeUuid) {
    return change(`change the UUID of the ${existing} filesystem on ${dev}`, [{ title: `change the UUID of ${dev}`, command: kind.changeUuid(args.uuid, dev) }], existing, existing, dev);
  }
  if (sameFs && !force) return { kind: 'noop', reason: `${dev} has a ${existing} filesystem` };
  if (existing !== '' && !force) return { kind: 'fail', message: `'${dev}' is already used as ${existing}, use force=true to overwrite` };

  // Split as Python's str.split() does; each word is one argument, quoted.
  const opts = (args.opts ?? '').split(/\s+/).filter((word) => word !== '');
  const uuid = args.uuid;
  const uuidAtMkfs = uuid !== undefined && kind.uuidOptions !== undefined && !kind.uuidOptions.some((option) => opts.includes(option));
  const mkfsOpts = uuidAtMkfs ? [...opts, kind.uuidOptions![0]!, uuid, ...(kind.uuidExtraOptions ?? [])] : opts;
  const steps: Step[] = [{ title: `create ${fstype} on ${dev}`, command: sh`${[kind.mkfs, ...kind.forceFlags, ...mkfsOpts, dev]}` }];
  if (uuid !== undefined && kind.uuidOptions === undefined && kind.changeUuid) steps.push({ title: `set the UUID of ${dev}`, command: kind.changeUuid(uuid, dev) });
  const what = existing === '' ? `create ${fstype} on ${dev}` : `create ${fstype} on ${dev} over its ${existing} filesystem (force)`;
  return change(what, steps, existing, fstype, dev);
}

function planGrow(kind: Kind, fstype: FsType, dev: string, probes: ProbeResults): Plan {
  const devsize = probeOutput(probes, 'devsize');
  if (devsize.code !== 0) return { kind: 'fail', message: `cannot read the size of ${dev}: ${failureText(devsize)}` };
  const fssize = probeOutput(probes, 'fssize');
  const bytes = fssize.code === 0 ? parseFsSize(kind, fssize.stdout) : undefined;
  if (bytes === undefined) return { kind: 'fail', message: `unable to process ${kind.info} output for ${dev}` };
  const deviceBytes = Number(devsize.stdout.trim());
  if (bytes + (kind.growSlack ?? 0) >= deviceBytes) {
    const message = `${fstype} filesystem is using the whole device ${dev}`;
    return { kind: 'noop', reason: message, result: { msg: message } };
  }
  let target = dev;
  if (kind.family === 'xfs') {
    target = probeOutput(probes, 'mountpoint').stdout.trim();
    if (target === '') return { kind: 'fail', message: `${dev} needs to be mounted for ${fstype} operations` };
  }
  const command = growCommand(kind, target);
  const summary = `grow the ${fstype} filesystem on ${dev} from ${bytes} to ${deviceBytes} bytes`;
  return {
    kind: 'change',
    summary,
    steps: [{ title: `grow ${dev}`, command, capture: 'grow' }],
    diff: [{ label: `filesystem on ${dev}`, before: `size: ${bytes}\n`, after: `size: ${deviceBytes}\n` }],
    result: {},
    // Ansible registers the resize command's output as msg.
    finish: (captured) => ({ result: { msg: outputOf(captured.grow) } }),
  };
}

function growCommand(kind: Kind, target: string): Command {
  if (kind.info === 'tune2fs') return sh`resize2fs ${target}`;
  if (kind.info === 'xfs_info') return sh`xfs_growfs ${target}`;
  return sh`pvresize ${target}`;
}

function outputOf(result: ExecResult | undefined): string {
  return result?.stdout ?? '';
}
