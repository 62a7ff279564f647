import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RunbookError } from '../errors.js';
import { quote } from '../shell/quote.js';
import type { HostKeyPolicy } from './types.js';

/** One key line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages that say which line to fix. */
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  /** The host field as written: a comma list of patterns, or one hashed `|1|salt|hash` name. */
  hosts: string;
  keyType: string;
  /** The key blob, base64 as in the file. */
  key: string;
}

export type HostKeyCheck =
  | { status: 'known' }
  | { status: 'unknown' }
  | { status: 'changed'; expected: KnownHostEntry[] }
  | { status: 'revoked'; entry: KnownHostEntry };

/** The name ssh looks up in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((rawLine, index) => {
    const fields = rawLine.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') {
      marker = fields[0] === '@revoked' ? 'revoked' : 'cert-authority';
      fields.shift();
    }
    const [hosts, keyType, key] = fields;
    if (hosts === undefined || keyType === undefined || key === undefined) return;
    entries.push({ line: index + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** Whether a known_hosts host field names `name` (as made by knownHostsName). */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedNameMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    const negated = pattern.startsWith('!');
    if (!wildcardMatches(negated ? pattern.slice(1) : pattern, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function hashedNameMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function wildcardMatches(pattern: string, name: string): boolean {
  // Most patterns are plain names, even in fields with wildcards: no RegExp for them.
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern.toLowerCase() === name;
  const source = [...pattern.toLowerCase()]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

/** OpenSSH's fingerprint format: `SHA256:` and the unpadded base64 of the key blob's digest. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named at the start of an SSH wire-format public key blob, e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/**
 * Checks a presented key against the entries for `name`. A key of a type the file does not list
 * for a host it does know counts as changed: the client asks for the known types first
 * (hostKeyAlgorithms), so a server that offers none of them is not the host we know.
 */
export function checkHostKey(entries: readonly KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyCheck {
  const presented = keyBlob.toString('base64');
  const forHost = entries.filter((entry) => entry.marker !== 'cert-authority' && hostFieldMatches(entry.hosts, name));
  const revoked = entries.find((entry) => entry.marker === 'revoked' && entry.key === presented);
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((entry) => entry.marker === undefined);
  if (plain.some((entry) => entry.key === presented)) return { status: 'known' };
  if (plain.length === 0) return { status: 'unknown' };
  const type = keyTypeOf(keyBlob);
  const sameType = plain.filter((entry) => entry.keyType === type);
  return { status: 'changed', expected: sameType.length > 0 ? sameType : plain };
}

/** Host key algorithms in default preference order, and the known_hosts key type each produces. */
const HOST_KEY_ALGORITHMS: ReadonlyArray<readonly [algorithm: string, keyType: string]> = [
  ['ssh-ed25519', 'ssh-ed25519'],
  ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp256'],
  ['ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp384'],
  ['ecdsa-sha2-nistp521', 'ecdsa-sha2-nistp521'],
  ['rsa-sha2-512', 'ssh-rsa'],
  ['rsa-sha2-256', 'ssh-rsa'],
  ['ssh-rsa', 'ssh-rsa'],
];

/**
 * Host key algorithms to offer, those whose keys the file lists for `name` first, so the server
 * presents a key we can compare (OpenSSH orders its offer the same way).
 */
export function hostKeyAlgorithms(entries: readonly KnownHostEntry[], name: string): string[] {
  const knownTypes = new Set(
    entries.filter((entry) => entry.marker === undefined && hostFieldMatches(entry.hosts, name)).map((entry) => entry.keyType),
  );
  const known = HOST_KEY_ALGORITHMS.filter(([, keyType]) => knownTypes.has(keyType));
  const others = HOST_KEY_ALGORITHMS.filter(([, keyType]) => !knownTypes.has(keyType));
  return [...known, ...others].map(([algorithm]) => algorithm);
}

export interface KnownHostsOptions {
  file: string;
  host: string;
  port: number;
  policy: HostKeyPolicy;
}

/** Verifies one host's key against a known_hosts file, as the file is at that moment. */
export class KnownHostsVerifier {
  private readonly name: string;

  constructor(private readonly options: KnownHostsOptions) {
    this.name = knownHostsName(options.host, options.port);
  }

  async hostKeyAlgorithms(): Promise<string[]> {
    return hostKeyAlgorithms(await this.entries(), this.name);
  }

  /** Resolves when the key is accepted (recording it under accept-new); throws RB_HOSTKEY otherwise. */
  async verify(keyBlob: Buffer): Promise<void> {
    const { file, host, port, policy } = this.options;
    const check = checkHostKey(await this.entries(), this.name, keyBlob);
    const where = `${host}:${port}`;
    const presented = `${keyTypeOf(keyBlob)} ${fingerprint(keyBlob)}`;
    switch (check.status) {
      case 'known':
        return;
      case 'revoked':
        throw new RunbookError('RB_HOSTKEY', `host key for ${where} (${presented}) is marked @revoked in ${file}:${check.entry.line}; refusing to connect`);
      case 'changed': {
        const expected = check.expected
          .map((entry) => `${entry.keyType} ${fingerprintOfEntry(entry)} (${file}:${entry.line})`)
          .join(', ');
        const lines = check.expected.map((entry) => entry.line).join(', ');
        throw new RunbookError(
          'RB_HOSTKEY',
          `host key for ${where} has CHANGED: expected ${expected}, received ${presented}. ` +
            'Someone may be intercepting the connection (man-in-the-middle), or the host was reinstalled. ' +
            `If you have verified the new key out of band, remove line ${lines} of ${file} ` +
            `(ssh-keygen -R ${quote(this.name)} -f ${quote(file)}) and connect again`,
        );
      }
      case 'unknown':
        if (policy === 'accept-new') {
          await this.record(keyBlob);
          return;
        }
        throw new RunbookError(
          'RB_HOSTKEY',
          `host key for ${where} is not known: ${file} has no entry for ${this.name} (the host presented ${presented}). ` +
            `After verifying that fingerprint out of band, add the key with ` +
            `\`ssh-keyscan ${port === 22 ? '' : `-p ${port} `}${quote(host)} >> ${quote(file)}\`, ` +
            'or run with --host-key-policy accept-new to record it on first connect',
        );
    }
  }

  /** The file's entries that can bear on this host: its own lines and every @revoked line. */
  private async entries(): Promise<KnownHostEntry[]> {
    try {
      return (await readKnownHosts(this.options.file)).relevantTo(this.name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new RunbookError('RB_HOSTKEY', `cannot read known_hosts file ${this.options.file}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async record(keyBlob: Buffer): Promise<void> {
    const { file } = this.options;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    let existing = '';
    try {
      existing = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
    await appendFile(file, `${separator}${this.name} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
  }
}

function fingerprintOfEntry(entry: KnownHostEntry): string {
  return fingerprint(Buffer.from(entry.key, 'base64'));
}

/**
 * A parsed known_hosts file with its plain host names indexed: connecting to N hosts listed in one
 * file then costs N lookups, not N² pattern matches.
 */
class KnownHostsIndex {
  private readonly byName = new Map<string, KnownHostEntry[]>();
  /** Hashed names, wildcards, negations and @revoked lines: matched one by one. */
  private readonly others: KnownHostEntry[] = [];

  constructor(entries: readonly KnownHostEntry[]) {
    for (const entry of entries) {
      if (entry.marker === 'revoked' || entry.hosts.startsWith('|1|') || /[*?!]/.test(entry.hosts)) {
        this.others.push(entry);
        continue;
      }
      for (const name of new Set(entry.hosts.toLowerCase().split(','))) {
        const listed = this.byName.get(name);
        if (listed) listed.push(entry);
        else this.byName.set(name, [entry]);
      }
    }
  }

  /** Entries for `name` (as made by knownHostsName) and every @revoked entry, in file order. */
  relevantTo(name: string): KnownHostEntry[] {
    const matching = this.others.filter((entry) => entry.marker === 'revoked' || hostFieldMatches(entry.hosts, name));
    return [...(this.byName.get(name) ?? []), ...matching].sort((a, b) => a.line - b.line);
  }
}

/**
 * Each file parsed once while its text stays the same: every host of a run reads the same file
 * twice, for its key algorithms and for its key. The file is read every time (a few kilobytes) and
 * compared, not trusted by its modification time, which coarse-grained clocks leave unchanged
 * across a quick rewrite. An accept-new append changes the text, so the next host parses it again.
 */
const parsedFiles = new Map<string, { text: string; index: KnownHostsIndex }>();

async function readKnownHosts(file: string): Promise<KnownHostsIndex> {
  const text = await readFile(file, 'utf8');
  const cached = parsedFiles.get(file);
  if (cached?.text === text) return cached.index;
  const index = new KnownHostsIndex(parseKnownHosts(text));
  parsedFiles.set(file, { text, index });
  return index;
}
