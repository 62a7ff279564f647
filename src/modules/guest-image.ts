import { posix } from 'node:path';
import {
  BUSYBOX_PACKAGE,
  GUEST_KERNEL_MODULES,
  KERNEL_METAPACKAGE,
  guestInitArchive,
} from '../lab/busybox-guest.js';
import { BOOT_PROGRAMS } from '../lab/guest.js';
import type { GuestImageArgs } from '../schema/generated/guest_image.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import { fileStateProbe, parseFileState, writeFileSteps } from './lib/remote-file.js';
import type { ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

const SECTOR_BYTES = 512;
const MIB = 1024 * 1024;

/**
 * serial_counter: a raw boot image holding runbook's tiny boot program (src/lab/guest.ts). Only the
 * first sector carries data, so only those 512 bytes travel: the file is written, then extended
 * (sparse) to its size. An image whose first sector holds something else is refused, never
 * overwritten: it may be a guest's disk.
 *
 * busybox_net: a Linux guest from Debian packages (src/lab/busybox-guest.ts): its kernel and initramfs,
 * made on the host from `apt-get download`ed packages, and its log disk at `path` (sparse zeros).
 */
export const guestImageModule: ModuleDefinition<GuestImageArgs> = {
  name: 'guest_image',
  summary: "A raw disk image booting one of runbook's tiny built-in programs (a lab guest without an OS download)",

  probe(args): ProbeSet {
    if (args.program === 'busybox_net' && args.kernel !== undefined && args.initrd !== undefined) {
      return {
        state: fileStateProbe(args.path),
        kernel: fileStateProbe(args.kernel),
        initrd: sh`head -c ${guestInitArchive().length} -- ${args.initrd} | base64 -w0`,
      };
    }
    return {
      state: fileStateProbe(args.path),
      sector: sh`head -c ${SECTOR_BYTES} -- ${args.path} | base64 -w0`,
    };
  },

  plan(args, probes) {
    if (args.program === 'busybox_net') return planBusyboxGuest(args, probes);
    const program = 'serial_counter';
    const sector = BOOT_PROGRAMS[program]();
    const bytes = (args.size_mib ?? 1) * MIB;
    const state = parseFileState(probeOutput(probes, 'state'));
    const grow: Step = { title: `extend ${args.path} to ${bytes / MIB} MiB`, command: sh`truncate -s ${bytes} -- ${args.path}` };
    const described = `raw image, ${bytes / MIB} MiB, ${program} boot sector\n`;
    if (state === null) {
      return {
        kind: 'change',
        summary: `create ${args.path} (${program}, ${bytes / MIB} MiB)`,
        diff: [{ label: args.path, before: '', after: described }],
        steps: [...writeFileSteps(args.path, sector, { mode: '0644' }, null, { createParents: true }), grow],
      };
    }
    if (state.type !== 'file') return { kind: 'fail', message: `${args.path} exists and is not a regular file` };
    const current = Buffer.from(probeOutput(probes, 'sector').stdout.trim(), 'base64');
    if (!current.equals(sector)) {
      return {
        kind: 'fail',
        message: `${args.path} exists and does not hold the ${program} boot sector; runbook never overwrites a disk image (it may be a guest's disk): remove it or choose another path`,
      };
    }
    if (state.size > bytes) {
      return { kind: 'fail', message: `${args.path} is ${state.size} bytes, larger than size_mib ${bytes / MIB}; runbook never shrinks a disk image` };
    }
    if (state.size < bytes) {
      return {
        kind: 'change',
        summary: grow.title,
        diff: [{ label: args.path, before: `raw image, ${state.size} bytes, ${program} boot sector\n`, after: described }],
        steps: [grow],
      };
    }
    return { kind: 'noop', reason: `${posix.basename(args.path)} holds the ${program} boot sector and is ${bytes / MIB} MiB` };
  },
};

/** The log disk: any content is the guest's own; only created (sparse) or grown, never rewritten. */
function planLogDisk(path: string, sizeMib: number, probes: ProbeResults): { steps: Step[]; change?: string; before: string; after: string } | { failure: string } {
  const bytes = sizeMib * MIB;
  const state = parseFileState(probeOutput(probes, 'state'));
  const after = `log disk, ${sizeMib} MiB\n`;
  if (state === null) {
    return {
      steps: [{ title: `create the log disk ${path} (${sizeMib} MiB)`, command: sh`mkdir -p -- ${posix.dirname(path)} && truncate -s ${bytes} -- ${path}` }],
      change: `create ${path} (log disk, ${sizeMib} MiB)`,
      before: '',
      after,
    };
  }
  if (state.type !== 'file') return { failure: `${path} exists and is not a regular file` };
  if (state.size > bytes) return { failure: `${path} is ${state.size} bytes, larger than size_mib ${sizeMib}; runbook never shrinks a disk image` };
  if (state.size < bytes) {
    return {
      steps: [{ title: `extend ${path} to ${sizeMib} MiB`, command: sh`truncate -s ${bytes} -- ${path}` }],
      change: `extend ${path} to ${sizeMib} MiB`,
      before: `log disk, ${state.size} bytes\n`,
      after,
    };
  }
  return { steps: [], before: after, after };
}

/**
 * Made on the host, in a temporary directory: the packages fetched with apt-get download (the cloud
 * kernel is the metapackage's dependency), unpacked with dpkg-deb, busybox and the virtio modules
 * packed as the initramfs's second archive after the first (runbook's, on stdin). Kernel and
 * initramfs replace the old ones by rename, so a guest never boots a half-written pair.
 */
/** A sed script printing the kernel package `apt-cache depends` names for the metapackage. */
export const KERNEL_DEPENDENCY = String.raw`s/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p`;

function buildGuestStep(kernel: string, initrd: string): Step {
  return {
    title: `make the guest's kernel ${kernel} and initramfs ${initrd} from ${KERNEL_METAPACKAGE} and ${BUSYBOX_PACKAGE}`,
    command: sh`set -e
rb_work=$(mktemp -d)
trap 'rm -rf -- "$rb_work"' EXIT
cat > "$rb_work/first.cpio"
cd "$rb_work"
rb_kernel=$(apt-cache depends ${KERNEL_METAPACKAGE} | sed -n ${KERNEL_DEPENDENCY} | head -n 1)
if [ -z "$rb_kernel" ]; then echo ${`apt knows no ${KERNEL_METAPACKAGE} here (a Debian host, after apt-get update)`} >&2; exit 1; fi
apt-get download -q -o APT::Sandbox::User=root "$rb_kernel" ${BUSYBOX_PACKAGE}
dpkg-deb -x "$rb_kernel"_*.deb kernel
dpkg-deb -x ${BUSYBOX_PACKAGE}_*.deb busybox
mkdir -p tree/bin tree/lib/modules
cp busybox/bin/busybox tree/bin/busybox
for rb_module in ${GUEST_KERNEL_MODULES}; do cp kernel/lib/modules/*/kernel/"$rb_module" tree/lib/modules/; done
(cd tree && find bin lib -mindepth 1 | ../busybox/bin/busybox cpio -o -H newc) | gzip -9 > second.cpio.gz
mkdir -p -- ${posix.dirname(kernel)} ${posix.dirname(initrd)}
cp kernel/boot/vmlinuz-* ${`${kernel}.runbook-new`}
cat first.cpio second.cpio.gz > ${`${initrd}.runbook-new`}
mv -f -- ${`${kernel}.runbook-new`} ${kernel}
mv -f -- ${`${initrd}.runbook-new`} ${initrd}`,
    stdin: guestInitArchive(),
    timeoutMs: 600_000,
    failureMessage: `could not make the guest's kernel and initramfs from Debian's ${KERNEL_METAPACKAGE} and ${BUSYBOX_PACKAGE}`,
  };
}

function planBusyboxGuest(args: GuestImageArgs, probes: ProbeResults): Plan {
  const { kernel, initrd } = args;
  // The schema requires both with busybox_net.
  if (kernel === undefined || initrd === undefined) return { kind: 'fail', message: 'guest_image: busybox_net needs kernel and initrd' };
  const disk = planLogDisk(args.path, args.size_mib ?? 1, probes);
  if ('failure' in disk) return { kind: 'fail', message: disk.failure };
  const kernelState = parseFileState(probeOutput(probes, 'kernel'));
  const head = Buffer.from(probeOutput(probes, 'initrd').stdout.trim(), 'base64');
  const kernelReady = kernelState?.type === 'file' && kernelState.size > 0;
  const initrdCurrent = head.equals(guestInitArchive());
  const result = { kernel, initrd, log_disk: args.path };
  if (kernelReady && initrdCurrent && disk.steps.length === 0) {
    return { kind: 'noop', reason: `the busybox_net guest's kernel, initramfs and ${posix.basename(args.path)} are in place`, result };
  }
  const build = kernelReady && initrdCurrent ? [] : [buildGuestStep(kernel, initrd)];
  const describe = (ready: boolean, current: boolean): string =>
    `kernel: ${ready ? 'present' : 'missing'}\ninitramfs: ${current ? "runbook's current /init" : 'missing or another /init'}\n`;
  return {
    kind: 'change',
    summary: [build.length ? `make the guest's kernel and initramfs (${KERNEL_METAPACKAGE}, ${BUSYBOX_PACKAGE})` : '', disk.change ?? ''].filter(Boolean).join('; '),
    diff: [
      ...(build.length ? [{ label: `${kernel}, ${initrd}`, before: describe(kernelReady, initrdCurrent), after: describe(true, true) }] : []),
      ...(disk.steps.length ? [{ label: args.path, before: disk.before, after: disk.after }] : []),
    ],
    steps: [...build, ...disk.steps],
    result,
  };
}
