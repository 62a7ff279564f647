import type { GetUrlArgs } from '../schema/generated/get_url.js';
import { Command, sh } from '../shell/command.js';
import { withFileResult } from './lib/file-result.js';
import { probeOutput } from './lib/probe-output.js';
import { attributeChanges, attributeSteps, writeFileSteps, type FileAttributes, type FileState } from './lib/remote-file.js';
import { currentFile, describeChanges, fileWriteProbes } from './lib/write-plan.js';
import type { ModuleDefinition, Plan, ProbeResults } from './types.js';

/**
 * Ansible's get_url, downloaded on the host by curl. An existing dest is compared before anything
 * is written: by checksum when one is given, otherwise by downloading it once more in a probe (only
 * its sha256 comes back; without force, with If-Modified-Since, so an unchanged file answers 304).
 */
export const getUrlModule: ModuleDefinition<GetUrlArgs> = {
  name: 'get_url',
  summary: 'Download a file on the host (curl), replaced only when its content differs',
  probe(args) {
    const probes = { ...fileWriteProbes(args.dest), curl: sh`command -v curl` };
    const checksum = checksumOf(args);
    if (checksum === undefined) return probes;
    return { ...probes, destsum: sh`if [ -f ${args.dest} ]; then ${`${checksum.algorithm}sum`} < ${args.dest}; fi` };
  },
  plan(args, probes) {
    if (probeOutput(probes, 'curl').code !== 0) return { kind: 'fail', message: 'get_url needs curl on the host: install it first (e.g. package: {name: curl})' };
    const current = currentFile(probes);
    const state = current.state;
    const attributes: FileAttributes = { mode: args.mode, owner: args.owner, group: args.group };
    const values = { dest: args.dest, url: args.url };
    if (state?.type === 'directory') {
      return { kind: 'fail', message: `${args.dest} is a directory: give the file's path (runbook does not name the file after the server's answer)` };
    }
    if (state === null) return withFileResult(download(args, attributes, null, `download ${args.url} to ${args.dest}`), null, args.dest, values);
    const checksum = checksumOf(args);
    const matches = checksum !== undefined && (probes.destsum?.stdout.split(' ')[0] ?? '') === checksum.digest;
    // A dest without the checksum is downloaded again; the download must then have it.
    if (checksum !== undefined && !matches) return withFileResult(download(args, attributes, state, `replace ${args.dest} with ${args.url} (checksum differs)`), state, args.dest, values);
    if (!args.force && matches) return withFileResult(attributesOnly(args.dest, state, attributes, 'file already exists'), state, args.dest, values);
    if (probes.remote === undefined) return { kind: 'probe', probes: { remote: remoteDigestProbe(args, !args.force && checksum === undefined) } };
    const remote = remoteDigest(probes);
    if (remote.status === '304') return withFileResult(attributesOnly(args.dest, state, attributes, `${args.dest} is not older than ${args.url} (304 Not Modified)`), state, args.dest, { ...values, status_code: 304 });
    if (remote.status !== '200' && remote.status !== '226') {
      return { kind: 'fail', message: 'Request failed', result: { ...values, status_code: Number(remote.status) || -1, response: remote.error } };
    }
    if (remote.sha256 === current.sha256) return withFileResult(attributesOnly(args.dest, state, attributes, `${args.dest} already has the content of ${args.url}`), state, args.dest, values);
    return withFileResult(download(args, attributes, state, `replace ${args.dest} with ${args.url} (its content differs)`), state, args.dest, values);
  },
};

interface Checksum {
  algorithm: string;
  digest: string;
}

function checksumOf(args: GetUrlArgs): Checksum | undefined {
  if (args.checksum === undefined) return undefined;
  const [algorithm = '', digest = ''] = args.checksum.split(':');
  return { algorithm, digest: digest.toLowerCase() };
}

function attributesOnly(path: string, state: FileState, attributes: FileAttributes, reason: string): Plan {
  const changes = attributeChanges(state, attributes);
  if (changes.length === 0) return { kind: 'noop', reason };
  return {
    kind: 'change',
    summary: `set attributes of ${path}: ${describeChanges(changes)}`,
    diff: [{ label: path, before: changes.map((c) => `${c.attribute}: ${c.before}\n`).join(''), after: changes.map((c) => `${c.attribute}: ${c.after}\n`).join('') }],
    steps: attributeSteps(path, changes),
  };
}

/** curl's options from the task: timeouts (connect, and no data for that long), headers, certificates. */
function curlOptions(args: GetUrlArgs): Command {
  const timeout = args.timeout ?? 10;
  const headers = Object.entries(args.headers ?? {}).map(([name, value]) => sh`-H ${`${name}: ${value}`}`);
  return Command.join([sh`-sSL --connect-timeout ${timeout} --speed-limit 1 --speed-time ${timeout}`, ...(args.validate_certs === false ? [sh`-k`] : []), ...headers], ' ');
}

// The status on the last line of stderr (after any error), the body's sha256 on stdout.
function remoteDigestProbe(args: GetUrlArgs, ifModifiedSince: boolean): Command {
  const since = ifModifiedSince ? sh` -z ${args.dest}` : sh``;
  return sh`curl ${curlOptions(args)}${since} -w '%{stderr}%{http_code}\\n' -- ${args.url} | sha256sum`;
}

function remoteDigest(probes: ProbeResults): { status: string; sha256: string; error: string } {
  const result = probeOutput(probes, 'remote');
  const lines = result.stderr.trim().split('\n');
  return { status: lines.at(-1) ?? '', sha256: result.stdout.slice(0, 64), error: lines.slice(0, -1).join('\n') };
}

function download(args: GetUrlArgs, attributes: FileAttributes, state: FileState | null, summary: string): Plan {
  const checksum = checksumOf(args);
  const fetch = sh`code=$(curl ${curlOptions(args)} -o "$tmp" -w '%{http_code}' -- ${args.url}) && case $code in 200|226) ;; *) echo "Request failed: status $code" >&2; false;; esac`;
  const verify = checksum === undefined ? undefined : sh`printf '%s  %s\\n' ${checksum.digest} "$tmp" | ${`${checksum.algorithm}sum`} -c --status`;
  return {
    kind: 'change',
    summary,
    diff: [{ label: args.dest, before: state === null ? '' : `${state.size} bytes\n`, after: `content of ${args.url}\n` }],
    steps: writeFileSteps(args.dest, { writtenBy: fetch }, attributes, state, verify === undefined ? {} : { validate: verify }),
  };
}
