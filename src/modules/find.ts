import type { FindArgs } from '../schema/generated/find.js';
import { Command, sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import { PythonRegexError, translatePythonRegex } from './lib/python-regex.js';
import type { ModuleDefinition, ProbeResults } from './types.js';
import { fnmatchRegExp } from '../python/fnmatch.js';

/**
 * Ansible's find: one GNU find per path lists every entry with its stat fields; names, types, age
 * and size are matched here, as find.py does. contains needs the files' text: a second probe reads
 * the candidates only.
 */
export const findModule: ModuleDefinition<FindArgs> = {
  name: 'find',
  summary: 'Find files by name, type, age, size or content (registers files, matched, examined)',
  probe: (args) => ({ find: listingProbe(args) }),
  plan(args, probes) {
    let listing: Listing;
    let filters: Filters;
    try {
      filters = filtersOf(args);
    } catch (error) {
      if (error instanceof PythonRegexError || error instanceof FindError) return { kind: 'fail', message: error.message };
      throw error;
    }
    try {
      listing = parseListing(probeOutput(probes, 'find').stdout);
    } catch (error) {
      if (error instanceof FindError) return { kind: 'fail', message: error.message };
      throw error;
    }
    const candidates = listing.entries.filter((entry) => selected(entry, filters, args, listing.now));
    const needContent = args.contains !== undefined ? candidates.filter((entry) => entry.type === 'f') : [];
    if (needContent.length > 0 && probes.contents === undefined) return { kind: 'probe', probes: { contents: contentsProbe(needContent.map((entry) => entry.path)) } };
    const texts = needContent.length > 0 ? parseContents(probes) : [];
    const containing = new Set(needContent.filter((_, index) => contains(texts[index], args, filters)).map((entry) => entry.path));
    const files = candidates.filter((entry) => args.contains === undefined || entry.type !== 'f' || containing.has(entry.path)).map(fileResult);
    const skipped = Object.fromEntries(listing.skipped);
    const msg = listing.skipped.length > 0 ? 'Not all paths examined, check warnings for details' : 'All paths examined';
    return {
      kind: 'noop',
      reason: `${files.length} of ${listing.examined} entr${listing.examined === 1 ? 'y' : 'ies'} matched`,
      result: { files, matched: files.length, examined: listing.examined, skipped_paths: skipped, msg },
    };
  },
};

class FindError extends Error {}

/** Ansible's list arguments: a string is split at commas. */
function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(',');
}

function pathsOf(args: FindArgs): string[] {
  return listOf(args.paths ?? args.path ?? args.name);
}

interface Entry {
  /** Depth below the searched path (1: its own entries). */
  depth: number;
  /** find's %y letter: f, d, l, c, b, p, s. */
  type: string;
  rawMode: number;
  uid: number;
  gid: number;
  user: string;
  group: string;
  size: number;
  inode: number;
  dev: number;
  nlink: number;
  atime: number;
  mtime: number;
  ctime: number;
  path: string;
  name: string;
}

interface Listing {
  now: number;
  entries: Entry[];
  examined: number;
  skipped: Array<[string, string]>;
}

// Per path: "path <b64>", then "entries <b64>" (NUL-terminated records), then "skip <b64 message>"
// when it is not a directory or find reported an error (Ansible's walk then gives up the whole
// path). find's stdout goes out through fd 3 while its stderr is kept in $err. The entries one level
// deeper than depth are listed too: Ansible's walk counts them as examined.
function listingProbe(args: FindArgs): Command {
  const maxDepth = args.recurse ? (args.depth === undefined ? undefined : args.depth + 1) : 1;
  const limit = maxDepth === undefined ? sh`` : sh` -maxdepth ${maxDepth}`;
  const each = pathsOf(args).map((path) => {
    const start = path.startsWith('-') ? `./${path}` : path;
    return sh`printf 'path %s\n' "$(printf '%s' ${path} | base64 -w0)"; if [ ! -d ${path} ]; then printf 'skip %s\n' "$(printf "'%s' is not a directory" ${path} | base64 -w0)"; else printf 'entries '; { err=$( { find ${start} -mindepth 1${limit} -printf ${RECORD} 2>&4 | base64 -w0 >&3; } 4>&1 ); } 3>&1; echo; if [ -n "$err" ]; then printf 'skip %s\n' "$(printf '%s' "$err" | base64 -w0)"; fi; fi`;
  });
  return sh`printf 'now %s\n' "$(date +%s.%N)"; ${Command.join(each, '; ')}`;
}

/** depth, type, mode, uid, gid, size, inode, dev, nlink, atime, mtime, ctime, user; then group and path after tabs. */
const RECORD = '%d %y %m %U %G %s %i %D %n %A@ %T@ %C@ %u\\t%g\\t%p\\0';

function decode(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

function parseListing(stdout: string): Listing {
  const listing: Listing = { now: 0, entries: [], examined: 0, skipped: [] };
  let path = '';
  let pending: Entry[] = [];
  const settle = () => {
    listing.entries.push(...pending);
    pending = [];
  };
  for (const line of stdout.split('\n')) {
    const space = line.indexOf(' ');
    const key = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    if (key === 'now') listing.now = Number(value);
    else if (key === 'path') {
      settle();
      path = decode(value);
    } else if (key === 'entries') {
      pending = decode(value).split('\0').filter((record) => record !== '').map(parseEntry);
      listing.examined += pending.length;
    } else if (key === 'skip') {
      pending = [];
      listing.skipped.push([path, decode(value).trim()]);
    }
  }
  settle();
  return listing;
}

function parseEntry(record: string): Entry {
  const [head = '', group = '', ...rest] = record.split('\t');
  const [depth, type, mode, uid, gid, size, inode, dev, nlink, atime, mtime, ctime, user] = head.split(' ');
  if (user === undefined || rest.length === 0) throw new FindError(`unexpected output from find: ${record}`);
  const path = normalize(rest.join('\t'));
  return {
    depth: Number(depth),
    type: type ?? '',
    rawMode: Number.parseInt(mode ?? '0', 8),
    uid: Number(uid),
    gid: Number(gid),
    // find prints the number when the id has no name; Ansible's pw_name/gr_name are then empty.
    user: user === uid ? '' : user,
    group: group === gid ? '' : group,
    size: Number(size),
    inode: Number(inode),
    dev: Number(dev),
    nlink: Number(nlink),
    atime: Number(atime),
    mtime: Number(mtime),
    ctime: Number(ctime),
    path,
    name: path.slice(path.lastIndexOf('/') + 1),
  };
}

function normalize(path: string): string {
  return path.replace(/\/+/g, '/').replace(/^\.\/(?=-)/, '');
}

interface Filters {
  patterns: Array<(name: string) => boolean>;
  excludes: Array<(name: string) => boolean>;
  age: number | undefined;
  size: number | undefined;
  contains: RegExp | undefined;
}

function filtersOf(args: FindArgs): Filters {
  const compile = (text: string): ((name: string) => boolean) => {
    if (args.use_regex) return matchFromStart(text);
    const glob = fnmatchRegExp(text);
    return (name) => glob.test(name);
  };
  const patterns = listOf(args.patterns ?? args.pattern);
  const contains = args.contains === undefined ? undefined : args.read_whole_file ? translatePythonRegex(args.contains, { flavor: 'str' }).regexp : sticky(args.contains);
  return {
    patterns: (patterns.length > 0 ? patterns : [args.use_regex ? '.*' : '*']).map(compile),
    excludes: listOf(args.excludes ?? args.exclude).map(compile),
    age: amount(args.age, { s: 1, m: 60, h: 3600, d: 86400, w: 604800 }, 'age'),
    size: amount(args.size, { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }, 'size'),
    contains,
  };
}

function sticky(pattern: string): RegExp {
  const { regexp } = translatePythonRegex(pattern, { flavor: 'str' });
  return new RegExp(regexp.source, `${regexp.flags}y`);
}

/** Python's re.match: a match that starts at the start. */
function matchFromStart(pattern: string): (name: string) => boolean {
  const regexp = sticky(pattern);
  return (name) => {
    regexp.lastIndex = 0;
    return regexp.test(name);
  };
}


function amount(value: string | number | undefined, units: Record<string, number>, what: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(-?\d+)([a-z])?$/.exec(String(value).toLowerCase());
  const unit = match?.[2] === undefined ? 1 : units[match[2]];
  if (match === null || unit === undefined) throw new FindError(`failed to process ${what}`);
  return Number(match[1]) * unit;
}

const WANTED_TYPE: Readonly<Record<string, string>> = { file: 'f', directory: 'd', link: 'l' };

function selected(entry: Entry, filters: Filters, args: FindArgs, now: number): boolean {
  if (args.recurse && args.depth !== undefined && entry.depth > args.depth) return false;
  if (entry.name.startsWith('.') && !args.hidden) return false;
  const fileType = args.file_type ?? 'file';
  if (fileType !== 'any' && entry.type !== WANTED_TYPE[fileType]) return false;
  if (!filters.patterns.some((match) => match(entry.name))) return false;
  if (filters.excludes.some((match) => match(entry.name))) return false;
  if (filters.age !== undefined) {
    const elapsed = now - entry[args.age_stamp ?? 'mtime'];
    if (filters.age >= 0 ? elapsed < filters.age : elapsed > -filters.age) return false;
  }
  // Ansible applies size to regular files only (with file_type any, other types pass).
  if (filters.size !== undefined && entry.type === 'f') {
    if (filters.size >= 0 ? entry.size < filters.size : entry.size > -filters.size) return false;
  }
  return true;
}

// Each file's bytes, base64 on a line of their own, in order; a file that cannot be read gives "-".
function contentsProbe(paths: string[]): Command {
  return Command.join(
    paths.map((path) => sh`{ base64 -w0 < ${path} && echo; } 2>/dev/null || echo -`),
    '; ',
  );
}

function parseContents(probes: ProbeResults): Array<string | undefined> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return probeOutput(probes, 'contents')
    .stdout.split('\n')
    .map((line) => {
      if (line === '-') return undefined;
      try {
        return decoder.decode(Buffer.from(line, 'base64'));
      } catch {
        // Python's text mode fails on bytes that are not UTF-8: Ansible counts no match.
        return undefined;
      }
    });
}

/** Python text mode: universal newlines; each line keeps its "\n", matched from its start. */
function contains(text: string | undefined, args: FindArgs, filters: Filters): boolean {
  const regexp = filters.contains;
  if (text === undefined || regexp === undefined) return false;
  const universal = text.replace(/\r\n?/g, '\n');
  if (args.read_whole_file) return regexp.test(universal);
  return (universal.match(/[^\n]*\n|[^\n]+$/g) ?? []).some((line) => {
    regexp.lastIndex = 0;
    return regexp.test(line);
  });
}

function fileResult(entry: Entry): Record<string, unknown> {
  const mode = entry.rawMode;
  const bit = (mask: number) => (mode & mask) !== 0;
  return {
    path: entry.path,
    mode: (mode & 0o7777).toString(8).padStart(4, '0'),
    isdir: entry.type === 'd',
    ischr: entry.type === 'c',
    isblk: entry.type === 'b',
    isreg: entry.type === 'f',
    isfifo: entry.type === 'p',
    islnk: entry.type === 'l',
    issock: entry.type === 's',
    uid: entry.uid,
    gid: entry.gid,
    size: entry.size,
    inode: entry.inode,
    dev: entry.dev,
    nlink: entry.nlink,
    atime: entry.atime,
    mtime: entry.mtime,
    ctime: entry.ctime,
    gr_name: entry.group,
    pw_name: entry.user,
    wusr: bit(0o200),
    rusr: bit(0o400),
    xusr: bit(0o100),
    wgrp: bit(0o20),
    rgrp: bit(0o40),
    xgrp: bit(0o10),
    woth: bit(0o2),
    roth: bit(0o4),
    xoth: bit(0o1),
    isuid: bit(0o4000),
    isgid: bit(0o2000),
  };
}

