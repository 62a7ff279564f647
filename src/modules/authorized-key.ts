import { posix } from 'node:path';
import type { AuthorizedKeyArgs } from '../schema/generated/authorized_key.js';
import { sh } from '../shell/command.js';
import { contentDiff, fileContentProbe, fileStateProbe, parseFileContent, parseFileState, writeFileSteps } from './lib/remote-file.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults, Step } from './types.js';

/** The key types Ansible's authorized_key recognises in a line. */
const KEY_TYPES = new Set([
  'sk-ecdsa-sha2-nistp256@openssh.com',
  'sk-ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp256-cert-v01@openssh.com',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp384-cert-v01@openssh.com',
  'ecdsa-sha2-nistp521',
  'ecdsa-sha2-nistp521-cert-v01@openssh.com',
  'sk-ssh-ed25519@openssh.com',
  'sk-ssh-ed25519-cert-v01@openssh.com',
  'ssh-ed25519',
  'ssh-ed25519-cert-v01@openssh.com',
  'ssh-dss',
  'ssh-rsa',
  'ssh-xmss@openssh.com',
  'ssh-xmss-cert-v01@openssh.com',
  'rsa-sha2-256',
  'rsa-sha2-512',
  'ssh-rsa-cert-v01@openssh.com',
  'rsa-sha2-256-cert-v01@openssh.com',
  'rsa-sha2-512-cert-v01@openssh.com',
  'ssh-dss-cert-v01@openssh.com',
]);

/** Key options in order, a name given twice kept twice; null for a flag (no-pty). */
type Options = Array<[string, string | null]>;

/**
 * One line of the file as Ansible keeps it, under its identity: a key's blob, or for any other line
 * (comment, blank, unreadable) the line itself, written back as it was.
 */
type Entry = { kind: 'key'; blob: string; type: string; options: Options; comment: string; rank: number } | { kind: 'line'; line: string; rank: number };

export const authorizedKeyModule: ModuleDefinition<AuthorizedKeyArgs> = {
  name: 'authorized_key',
  summary: "SSH public keys in a user's authorized_keys (Ansible's ansible.posix.authorized_key)",
  probe: (args) => ({ passwd: sh`getent passwd -- ${args.user}` }),
  plan: (args, probes, context) => {
    const passwd = probeOutput(probes, 'passwd');
    const account = parsePasswd(passwd.stdout);
    if (passwd.code !== 0 || account === undefined) {
      // In check mode the account may come from an earlier task that did not run.
      if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `user ${args.user} does not exist (yet)` };
      return { kind: 'fail', message: `Failed to lookup user ${args.user}: no such user in the host's passwd` };
    }
    const keyfile = args.path ?? posix.join(account.home, '.ssh', 'authorized_keys');
    if (probes.keyfile === undefined) {
      return { kind: 'probe', probes: { keyfile: fileContentProbe(keyfile), directory: fileStateProbe(posix.dirname(keyfile)) } };
    }
    return planAuthorizedKey(args, keyfile, account, probes);
  },
};

interface Account {
  uid: number;
  gid: number;
  home: string;
}

function parsePasswd(stdout: string): Account | undefined {
  const fields = stdout.split('\n')[0]?.split(':') ?? [];
  if (fields.length < 7) return undefined;
  return { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '' };
}

/** Options as Ansible splits them: on commas outside double or single quotes. */
export function parseOptions(text: string | undefined): Options {
  if (text === undefined || text === '') return [];
  const options: Options = [];
  for (const part of text.match(/(?:[^,"']|"[^"]*"|'[^']*')+/g) ?? []) {
    const equals = part.indexOf('=');
    options.push(equals < 0 ? [part, null] : [part.slice(0, equals), part.slice(equals + 1)]);
  }
  return options;
}

/** Python's dict equality over name -> values (in order): the order of different names does not matter. */
function sameOptions(a: Options, b: Options): boolean {
  const group = (options: Options) => {
    const grouped = new Map<string, Array<string | null>>();
    for (const [name, value] of options) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    return grouped;
  };
  const left = group(a);
  const right = group(b);
  return left.size === right.size && [...left].every(([name, values]) => JSON.stringify(right.get(name)) === JSON.stringify(values));
}

/**
 * A line read as Ansible reads it: words split on whitespace (no quoting); the first word that is a
 * key type starts the key, the words before it are its options, the blob follows and the rest is the
 * comment. `undefined`: not a key line. A line whose first word is a lone "#" is a comment.
 */
export function parseKeyLine(line: string, rank: number): Entry | undefined {
  const raw = line.replaceAll('\\#', '#');
  const words = raw.split(/[ \t\r\n]+/).filter((word) => word !== '');
  if (words[0] === '#') return { kind: 'line', line: raw, rank };
  const typeIndex = words.findIndex((word) => KEY_TYPES.has(word));
  const blob = words[typeIndex + 1];
  if (typeIndex < 0 || blob === undefined) return undefined;
  return {
    kind: 'key',
    blob,
    type: words[typeIndex] as string,
    options: parseOptions(words.slice(0, typeIndex).join(' ')),
    comment: words.slice(typeIndex + 2).join(' '),
    rank,
  };
}

function identity(entry: Entry): string {
  return entry.kind === 'key' ? entry.blob : entry.line;
}

/** The file's lines by identity, in order; a repeated identity keeps its last line, at its first place (as a Python dict). */
function readKeys(text: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  const lines = text.replace(/\r\n?/g, '\n').match(/[^\n]*\n|[^\n]+$/g) ?? [];
  lines.forEach((line, rank) => {
    const entry = parseKeyLine(line, rank) ?? { kind: 'line', line, rank };
    entries.set(identity(entry), entry);
  });
  return entries;
}

/** The file as Ansible writes it: entries by rank; a key as "[options ]type blob comment\n" (a trailing space when there is no comment). */
function serialize(entries: Map<string, Entry>): string {
  return [...entries.values()]
    .map((entry, order) => ({ entry, order }))
    .sort((a, b) => a.entry.rank - b.entry.rank || a.order - b.order)
    .map(({ entry }) => {
      if (entry.kind === 'line') return entry.line;
      const options = entry.options.length === 0 ? '' : `${entry.options.map(([name, value]) => (value === null ? name : `${name}=${value}`)).join(',')} `;
      return `${options}${entry.type} ${entry.blob} ${entry.comment}\n`;
    })
    .join('');
}

function sameKey(a: Entry & { kind: 'key' }, b: Entry): boolean {
  return b.kind === 'key' && a.type === b.type && sameOptions(a.options, b.options) && a.comment === b.comment;
}

/** The lines of a key argument, as Ansible splits it (Python's splitlines), without blank lines and # comments. */
function keyLines(key: string): string[] {
  return key.split(/\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/).filter((line) => line !== '' && !line.startsWith('#'));
}

/** The first line of a key argument that is no public key, if any (Ansible's "invalid key specified"). */
export function invalidKeyLine(key: string): string | undefined {
  return keyLines(key).find((line, index) => parseKeyLine(line, index)?.kind !== 'key');
}

/** The file's text after the keys are made present or absent; undefined when a given key cannot be read. */
export function editAuthorizedKeys(
  text: string,
  args: Pick<AuthorizedKeyArgs, 'key' | 'state' | 'exclusive' | 'key_options' | 'comment'>,
): { text: string; changed: boolean } | { invalid: string } {
  const entries = readKeys(text);
  const present = (args.state ?? 'present') === 'present';
  const newKeys = keyLines(args.key);
  const existingCount = entries.size;
  const wantedBlobs = new Set<string>();
  let changed = false;
  for (const [index, line] of newKeys.entries()) {
    const parsed = parseKeyLine(line, index);
    if (parsed?.kind !== 'key') return { invalid: line };
    const wanted = {
      ...parsed,
      ...(args.key_options === undefined ? {} : { options: parseOptions(args.key_options) }),
      ...(args.comment === undefined ? {} : { comment: args.comment }),
    };
    const existing = entries.get(wanted.blob);
    if (!present) {
      if (existing !== undefined) {
        entries.delete(wanted.blob);
        changed = true;
      }
      continue;
    }
    wantedBlobs.add(wanted.blob);
    if (existing !== undefined && sameKey(wanted, existing)) continue;
    // A new key, or one whose type, options or comment differ: (re)written after the existing lines.
    entries.delete(wanted.blob);
    entries.set(wanted.blob, { ...wanted, rank: existingCount + index + 1 });
    changed = true;
  }
  if (present && args.exclusive === true) {
    for (const key of [...entries.keys()].filter((key) => !wantedBlobs.has(key))) {
      entries.delete(key);
      changed = true;
    }
  }
  return { text: changed ? serialize(entries) : text, changed };
}

function planAuthorizedKey(args: AuthorizedKeyArgs, keyfile: string, account: Account, probes: ProbeResults): Plan {
  const result = {
    user: args.user,
    key: args.key,
    path: args.path ?? null,
    manage_dir: args.manage_dir ?? true,
    state: args.state ?? 'present',
    key_options: args.key_options ?? null,
    exclusive: args.exclusive ?? false,
    comment: args.comment ?? null,
    follow: false,
    validate_certs: true,
    keyfile,
  };
  const current = parseFileContent(probeOutput(probes, 'keyfile'));
  if (current.state !== null && current.content === undefined) return { kind: 'fail', message: `${keyfile} is not a regular file of a readable size` };
  const before = current.content?.toString('utf8') ?? '';
  const edited = editAuthorizedKeys(before, args);
  if ('invalid' in edited) return { kind: 'fail', message: `invalid key specified: ${edited.invalid}` };
  if (!edited.changed) {
    const present = (args.state ?? 'present') === 'present';
    return { kind: 'noop', reason: present ? `${keyfile} already holds ${keysWord(args.key)}` : `${keyfile} holds none of ${keysWord(args.key)}`, result };
  }
  const directory = posix.dirname(keyfile);
  const directoryExists = parseFileState(probeOutput(probes, 'directory')) !== null;
  const owner = { owner: String(account.uid), group: String(account.gid) };
  const steps: Step[] = [];
  // As Ansible: with manage_dir the directory is the user's, mode 0700, whenever the file is written.
  if (args.manage_dir !== false) {
    const create = directoryExists ? sh`` : sh`mkdir -p -m 0700 -- ${directory} && `;
    steps.push({ title: `${directoryExists ? 'set' : 'create'} ${directory}`, command: sh`${create}chown ${`${account.uid}:${account.gid}`} -- ${directory} && chmod 0700 -- ${directory}` });
  }
  steps.push(...writeFileSteps(keyfile, Buffer.from(edited.text), { mode: '0600', ...owner }, current.state, { createParents: args.manage_dir === false && !directoryExists }));
  return {
    kind: 'change',
    summary: (args.state ?? 'present') === 'present' ? `authorize ${keysWord(args.key)} in ${keyfile}` : `remove ${keysWord(args.key)} from ${keyfile}`,
    diff: [contentDiff(keyfile, current.content, Buffer.from(edited.text))],
    steps,
    result,
  };
}

function keysWord(key: string): string {
  const count = key.split('\n').filter((line) => line !== '' && !line.startsWith('#')).length;
  return count === 1 ? 'the key' : `the ${count} keys`;
}
