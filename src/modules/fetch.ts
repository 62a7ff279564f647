import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, normalize, posix, sep } from 'node:path';
import type { FetchArgs } from '../schema/generated/fetch.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleContext, ModuleDefinition } from './types.js';

/** Exit status of the probe when src does not exist, and when it is a directory. */
const ABSENT_EXIT = 3;
const DIRECTORY_EXIT = 4;
const CONTENT = 'content';

export const fetchModule: ModuleDefinition<FetchArgs> = {
  name: 'fetch',
  summary: "Copy a file of the host to the controller (dest/<host>/<path>, or flat), when its SHA1 differs",
  // Follows links, as Ansible's stat (follow=True) does.
  probe: (args) => ({
    remote: sh`if [ -d ${args.src} ]; then exit ${DIRECTORY_EXIT}; elif [ ! -e ${args.src} ]; then exit ${ABSENT_EXIT}; fi; sha1sum < ${args.src}`,
  }),
  plan(args, probes, context) {
    const failOnMissing = args.fail_on_missing ?? true;
    const remote = probeOutput(probes, 'remote');
    // Ansible's messages.
    if (remote.code === ABSENT_EXIT || remote.code === DIRECTORY_EXIT) {
      const message =
        remote.code === ABSENT_EXIT ? 'the remote file does not exist, not transferring, ignored' : 'remote file is a directory, fetch cannot work on directories';
      if (failOnMissing && context.check && remote.code === ABSENT_EXIT) {
        return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may create it)` };
      }
      if (failOnMissing) return { kind: 'fail', message, result: { file: args.src } };
      return { kind: 'noop', reason: remote.code === ABSENT_EXIT ? message : `${message}, not transferring, ignored`, result: { file: args.src } };
    }
    if (remote.code !== 0) return { kind: 'fail', message: `could not read ${args.src}: ${remote.stderr.trim() || `exit ${remote.code ?? 'unknown'}`}`, result: { file: args.src } };
    const remoteChecksum = remote.stdout.slice(0, 40);
    const dest = localDestination(args, context);
    if (typeof dest !== 'string') return { kind: 'fail', message: dest.failure };
    const local = readLocal(dest, context);
    if (local === 'directory') return { kind: 'fail', message: `${dest} is a directory on the controller` };
    if (local !== undefined && sha1(local) === remoteChecksum) {
      return { kind: 'noop', reason: `${dest} already has the content of ${args.src}`, result: { file: args.src, dest, checksum: remoteChecksum, md5sum: md5(local) } };
    }
    return {
      kind: 'change',
      summary: `fetch ${args.src} to ${dest}`,
      diff: [{ label: dest, before: local === undefined ? '' : `sha1 ${sha1(local)}\n`, after: `sha1 ${remoteChecksum}\n` }],
      steps: [{ title: `read ${args.src}`, command: sh`base64 -w0 < ${args.src}`, capture: CONTENT }],
      result: { file: args.src, dest, remote_checksum: remoteChecksum, remote_md5sum: null },
      finish(captured) {
        const bytes = Buffer.from(captured[CONTENT]?.stdout.trim() ?? '', 'base64');
        const checksum = sha1(bytes);
        if ((args.validate_checksum ?? true) && checksum !== remoteChecksum) {
          return { failure: 'checksum mismatch', result: { checksum, md5sum: md5(bytes) } };
        }
        writeAtomically(dest, bytes);
        return { message: `fetched ${bytes.length} bytes to ${dest}`, result: { checksum, md5sum: md5(bytes) } };
      },
    };
  },
};

/** Where Ansible's fetch writes: dest/<inventory_hostname>/<src>, or with flat dest (inside it when it ends with /); relative to the playbook. */
function localDestination(args: FetchArgs, context: ModuleContext): string | { failure: string } {
  const base = expand(args.dest, context);
  if (args.flat) {
    if (args.dest.endsWith('/')) return normalize(join(base, posix.basename(args.src)));
    if (isDirectory(base)) return { failure: 'dest is an existing directory, use a trailing slash if you want to fetch src into that directory' };
    return normalize(base);
  }
  const root = join(base, context.host);
  const dest = normalize(`${root}/${args.src}`);
  if (!dest.startsWith(root + sep)) return { failure: `Detected directory traversal, expected to be contained in '${root}' but got '${dest}'` };
  return dest;
}

function expand(path: string, context: ModuleContext): string {
  if (path === '~' || path.startsWith('~/')) return join(homedir(), path.slice(1));
  return isAbsolute(path) ? path : join(context.playbookDir, path);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function readLocal(path: string, context: ModuleContext): Buffer | 'directory' | undefined {
  try {
    return context.readLocalFile(path);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'EISDIR') return 'directory';
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

// Temp file beside it, then rename: a reader never sees half a file.
function writeAtomically(path: string, bytes: Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.runbook-${randomBytes(6).toString('hex')}`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
}

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

