import { posix } from 'node:path';
import { BOOT_PROGRAMS } from '../lab/guest.js';
import type { GuestImageArgs } from '../schema/generated/guest_image.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import { fileStateProbe, parseFileState, writeFileSteps } from './lib/remote-file.js';
import type { ModuleDefinition, Step } from './types.js';

const SECTOR_BYTES = 512;
const MIB = 1024 * 1024;

/**
 * A raw boot image holding one of runbook's tiny boot programs (src/lab/guest.ts). Only the first
 * sector carries data, so only those 512 bytes travel: the file is written, then extended (sparse) to
 * its size. An image whose first sector holds something else is refused, never overwritten: it may be
 * a guest's disk.
 */
export const guestImageModule: ModuleDefinition<GuestImageArgs> = {
  name: 'guest_image',
  summary: "A raw disk image booting one of runbook's tiny built-in programs (a lab guest without an OS download)",

  probe(args) {
    return {
      state: fileStateProbe(args.path),
      sector: sh`head -c ${SECTOR_BYTES} -- ${args.path} | base64 -w0`,
    };
  },

  plan(args, probes) {
    const program = args.program ?? 'serial_counter';
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
