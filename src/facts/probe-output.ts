import { parseOsRelease } from './os-release.js';

/** What the host-facts script printed: key=value lines, and the /proc lines grep printed as path:line. */
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

/** The key of the os-release file's lines, each printed whole. */
export const OS_RELEASE_KEY = 'osrel';

export function readProbeOutput(stdout: string): ProbeOutput {
  const values = new Map<string, string[]>();
  const procLines = new Map<string, string[]>();
  const osReleaseLines: string[] = [];
  for (const line of stdout.split('\n')) {
    const proc = /^(\/proc\/[\w/]+):(.*)$/.exec(line);
    if (proc) {
      procLines.set(proc[1]!, [...(procLines.get(proc[1]!) ?? []), proc[2]!]);
      continue;
    }
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    if (key === OS_RELEASE_KEY) osReleaseLines.push(line.slice(at + 1));
    else values.set(key, [...(values.get(key) ?? []), line.slice(at + 1).trim()]);
  }
  const osRelease = parseOsRelease(osReleaseLines);
  return {
    one: (key) => values.get(key)?.[0] ?? '',
    all: (key) => values.get(key) ?? [],
    has: (key) => values.has(key),
    proc: (file) => procLines.get(file) ?? [],
    osRelease: (name) => osRelease.get(name),
  };
}
