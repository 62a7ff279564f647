/** What the host-facts script printed: key=value lines, and the /proc lines grep printed as path:line. */
export interface ProbeOutput {
  /** The first value printed under `key`, or ''. */
  one(key: string): string;
  /** Every value printed under `key`, in order. */
  all(key: string): string[];
  has(key: string): boolean;
  /** The lines grep printed from a /proc file (e.g. /proc/meminfo), without the path. */
  proc(file: string): string[];
}

export function readProbeOutput(stdout: string): ProbeOutput {
  const values = new Map<string, string[]>();
  const procLines = new Map<string, string[]>();
  for (const line of stdout.split('\n')) {
    const proc = /^(\/proc\/[\w/]+):(.*)$/.exec(line);
    if (proc) {
      procLines.set(proc[1]!, [...(procLines.get(proc[1]!) ?? []), proc[2]!]);
      continue;
    }
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    values.set(key, [...(values.get(key) ?? []), line.slice(at + 1).trim()]);
  }
  return {
    one: (key) => values.get(key)?.[0] ?? '',
    all: (key) => values.get(key) ?? [],
    has: (key) => values.has(key),
    proc: (file) => procLines.get(file) ?? [],
  };
}
