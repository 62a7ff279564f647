/** Edit distance (insertions, deletions, substitutions, adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const table: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: cols }, (_, col) => (row === 0 ? col : col === 0 ? row : 0)),
  );
  const at = (row: number, col: number): number => table[row]?.[col] ?? Number.POSITIVE_INFINITY;
  for (let row = 1; row < rows; row++) {
    for (let col = 1; col < cols; col++) {
      const cost = a[row - 1] === b[col - 1] ? 0 : 1;
      let best = Math.min(at(row - 1, col) + 1, at(row, col - 1) + 1, at(row - 1, col - 1) + cost);
      if (row > 1 && col > 1 && a[row - 1] === b[col - 2] && a[row - 2] === b[col - 1]) {
        best = Math.min(best, at(row - 2, col - 2) + 1);
      }
      (table[row] as number[])[col] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `word`, if it is close enough to be a plausible typo: at most a third of
 * the word's length in edits (at least one), compared case-insensitively.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const allowed = Math.max(1, Math.floor(word.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    if (candidate === word) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `did you mean "package"?`, or undefined when nothing is close. */
export function didYouMeanHint(word: string, candidates: Iterable<string>): string | undefined {
  const suggestion = didYouMean(word, candidates);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}

/** Words that stand for one another in variable names: `lab_subnet` is a slip for `lab_network`. */
const SYNONYMS: readonly (readonly string[])[] = [
  ['subnet', 'network', 'net', 'cidr'],
  ['address', 'addr', 'ip'],
  ['directory', 'dir', 'path', 'folder'],
  ['package', 'packages', 'pkg', 'pkgs'],
  ['server', 'srv'],
  ['service', 'services', 'svc'],
  ['password', 'passwd', 'pass', 'pw'],
  ['user', 'username', 'login'],
  ['interface', 'iface', 'nic'],
  ['version', 'ver'],
  ['config', 'conf', 'cfg'],
  ['hostname', 'host'],
];

function synonyms(a: string, b: string): boolean {
  return SYNONYMS.some((group) => group.includes(a) && group.includes(b));
}

/**
 * A defined variable the undefined `name` was probably meant to be: the one name that differs from it
 * in a single `_`-separated word of the same meaning, else a plausible typo (didYouMean).
 */
export function didYouMeanVariable(name: string, defined: Iterable<string>): string | undefined {
  const candidates = [...defined];
  const words = name.toLowerCase().split('_');
  const matches = candidates.filter((candidate) => {
    const other = candidate.toLowerCase().split('_');
    if (other.length !== words.length) return false;
    const differing = words.map((word, index) => [word, other[index]!] as const).filter(([a, b]) => a !== b);
    return differing.length === 1 && synonyms(differing[0]![0], differing[0]![1]);
  });
  return matches.length === 1 ? matches[0] : didYouMean(name, candidates);
}
