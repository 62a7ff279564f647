import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { CopyArgs } from '../schema/generated/copy.js';
import { Command, sh } from '../shell/command.js';
import { withFileResult } from './lib/file-result.js';
import { readLocalSource } from './lib/local-files.js';
import { validateCommand } from './lib/validate.js';
import { probeOutput } from './lib/probe-output.js';
import type { RemoteCopy } from './lib/remote-file.js';
import { currentFile, fileWriteProbes, planFileWrite } from './lib/write-plan.js';
import type { ModuleContext, ModuleDefinition, ProbeResults } from './types.js';

/** Probe keys: the remote source (remote_src), and the file inside dest when dest is a directory. */
const SOURCE = 'source';
const INSIDE = 'inside.';
/** Exit status of the source probe when src does not exist, and when it is a directory. */
const ABSENT_EXIT = 3;
const DIRECTORY_EXIT = 4;

export const copyModule: ModuleDefinition<CopyArgs> = {
  name: 'copy',
  summary: 'Write a file from inline content, a local file or a file of the host, atomically',
  probe(args) {
    const probes = fileWriteProbes(firstTarget(args));
    if (args.remote_src) probes[SOURCE] = remoteSourceProbe(args.src ?? '');
    return probes;
  },
  plan(args, probes, context) {
    if (args.content !== undefined && args.dest.endsWith('/')) return { kind: 'fail', message: 'can not use content with a dir as dest' };
    const source = sourceOf(args, probes, context);
    if ('failure' in source) {
      // In check mode the host's src may come from an earlier task of the run.
      if (context.check && source.absent) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${source.failure} (check mode: an earlier task may create it)` };
      return { kind: 'fail', message: source.failure };
    }
    const values: Record<string, unknown> = { src: args.src, checksum: source.sha1, md5sum: source.md5 };
    if (args.checksum !== undefined && args.checksum.toLowerCase() !== source.sha1) {
      return { kind: 'fail', message: 'Copied file does not match the expected checksum. Transfer failed.', result: { checksum: source.sha1, expected_checksum: args.checksum } };
    }
    let path = firstTarget(args);
    let prefix = '';
    const atDest = currentFile(probes).state;
    if (!args.dest.endsWith('/') && atDest?.type === 'directory') {
      if (args.content !== undefined) return { kind: 'fail', message: 'can not use content with a dir as dest' };
      path = posix.join(args.dest, source.basename);
      prefix = INSIDE;
      if (probes[INSIDE + 'file'] === undefined) return { kind: 'probe', probes: fileWriteProbes(path, INSIDE) };
    }
    const plan = planFileWrite(
      {
        path,
        content: source.content,
        attributes: { mode: args.mode, owner: args.owner, group: args.group },
        backup: args.backup ?? false,
        check: context.check,
        replace: args.force ?? true,
        createDirectory: args.dest.endsWith('/'),
        probePrefix: prefix,
        ...(args.validate === undefined ? {} : { validate: validateCommand(args.validate) }),
      },
      probes,
    );
    return withFileResult(plan, prefix === '' ? atDest : currentFile(probes, prefix).state, path, { dest: path, ...values });
  },
};

/** The file written, as far as the arguments tell: dest, or inside it when dest ends with "/". */
function firstTarget(args: CopyArgs): string {
  return args.dest.endsWith('/') && args.src !== undefined ? posix.join(args.dest, posix.basename(args.src)) : args.dest;
}

interface Source {
  content: Buffer | RemoteCopy;
  sha1: string;
  md5: string;
  /** The name the file gets inside a directory dest. */
  basename: string;
}

function sourceOf(args: CopyArgs, probes: ProbeResults, context: ModuleContext): Source | { failure: string; absent?: boolean } {
  const src = args.src ?? '';
  if (args.remote_src) {
    const read = probeOutput(probes, SOURCE);
    // Ansible's messages.
    if (read.code === ABSENT_EXIT) return { failure: `Source ${src} not found`, absent: true };
    if (read.code === DIRECTORY_EXIT) return { failure: `Source ${src} is a directory: runbook copies one file per task` };
    if (read.code !== 0) return { failure: `Source ${src} not readable: ${read.stderr.trim()}` };
    const [sha1, md5, sha256, size] = read.stdout.split('\n').map((line) => line.split(' ')[0] ?? '');
    return { content: { copyOf: src, sha256: sha256 ?? '', size: Number(size) }, sha1: sha1 ?? '', md5: md5 ?? '', basename: posix.basename(src) };
  }
  let content: Buffer;
  if (args.content !== undefined) content = Buffer.from(args.content, 'utf8');
  else {
    const local = readLocalSource('files', src, context);
    if (!local.found) return { failure: local.message };
    content = local.content;
  }
  const digest = (algorithm: string) => createHash(algorithm).update(content).digest('hex');
  return { content, sha1: digest('sha1'), md5: digest('md5'), basename: posix.basename(src) };
}

// Follows links, as Ansible's os.path checks do; digests as "<hex>  -" lines, then the size.
function remoteSourceProbe(src: string): Command {
  return sh`if [ -d ${src} ]; then exit ${DIRECTORY_EXIT}; elif [ ! -e ${src} ]; then exit ${ABSENT_EXIT}; fi; sha1sum < ${src} && md5sum < ${src} && sha256sum < ${src} && stat -L --printf='%s\\n' -- ${src}`;
}
