import { parseOsRelease } from './os-release.js';

/**
 * What the host-facts script printed: key=value lines, and the /proc lines grep printed as
 * path:line, between a start and an end line. What comes before the start (a login shell's
 * greeting) is not the script's; without the end, the script did not finish.
 */
export interface ProbeOutput {
  /** The first value printed under `key`, trimmed, or ''. */
  one(key: string): string;
  /** Every value printed under `key`, trimmed, in order. */
  all(key: string): string[];
  has(key: string): boolean;
  /** The lines grep printed from a /proc file (e.g. /proc/meminfo), without the path. */
  proc(file: string): string[];
  /** A variable of the host's os-release file, exactly as the file sets it; undefined when it does not. */
  osRelease(name: string): string | undefined;
}

/** The facts script's output is truncated, or holds a line the script does not print. */
export class UnreadableFacts extends Error {}

/** The script's first and last lines. */
export const FACTS_START = 'facts_start=1';
export const FACTS_END = 'facts_end=1';
/** The key of the os-release file's lines, each printed whole. */
export const OS_RELEASE_KEY = 'osrel';

const KEY = /^[a-z][a-z0-9_-]*$/;
const PROC_LINE = /^(\/proc\/[\w/]+):(.*)$/s;

/** Throws UnreadableFacts, naming `host`, for output that is truncated or holds a line that is not a fact. */
export function readProbeOutput(stdout: string, host: string): ProbeOutput {
  const lines = stdout.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const start = lines.indexOf(FACTS_START);
  const end = lines.indexOf(FACTS_END, start + 1);
  if (end < 0) {
    const last = lines.length === 0 ? '' : `; the last: ${shown(lines.at(-1)!)}`;
    throw new UnreadableFacts(`facts output from ${host} is truncated (no end marker after ${lines.length} lines${last})`);
  }
  if (start < 0) throw new UnreadableFacts(`facts output from ${host} is unparsable (no start marker before its end, line ${end + 1})`);
  const values = new Map<string, string[]>();
  const procLines = new Map<string, string[]>();
  const osReleaseLines: string[] = [];
  lines.forEach((line, index) => {
    if (index <= start || index === end) return;
    const proc = PROC_LINE.exec(line);
    const at = line.indexOf('=');
    const key = at > 0 ? line.slice(0, at) : '';
    if (index > end || (!proc && !KEY.test(key))) {
      throw new UnreadableFacts(`facts output from ${host} is unparsable (line ${index + 1} is not a fact: ${shown(line)})`);
    }
    if (proc) procLines.set(proc[1]!, [...(procLines.get(proc[1]!) ?? []), proc[2]!]);
    else if (key === OS_RELEASE_KEY) osReleaseLines.push(line.slice(at + 1));
    else values.set(key, [...(values.get(key) ?? []), line.slice(at + 1).trim()]);
  });
  const osRelease = parseOsRelease(osReleaseLines);
  return {
    one: (key) => values.get(key)?.[0] ?? '',
    all: (key) => values.get(key) ?? [],
    has: (key) => values.has(key),
    proc: (file) => procLines.get(file) ?? [],
    osRelease: (name) => osRelease.get(name),
  };
}

/** A line as a message shows it: quoted, control characters escaped, at most 200 characters. */
function shown(line: string): string {
  return JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line);
}
