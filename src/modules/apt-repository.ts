import { posix } from 'node:path';
import type { AptRepositoryArgs } from '../schema/generated/apt_repository.js';
import { sh } from '../shell/command.js';
import { fileStateProbe, parseFileState, writeFileSteps } from './lib/remote-file.js';
import { probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

const SOURCES_LIST = '/etc/apt/sources.list';
const SOURCE_PARTS = '/etc/apt/sources.list.d';
const SOURCE_TYPES = new Set(['deb', 'deb-src']);

/** One line of a source file as Ansible reads it. */
export interface SourceLine {
  valid: boolean;
  enabled: boolean;
  source: string;
  comment: string;
}

export const aptRepositoryModule: ModuleDefinition<AptRepositoryArgs> = {
  name: 'apt_repository',
  summary: "A one-line apt source in sources.list or sources.list.d (Ansible's apt_repository)",
  // Each source file: its path and its content, base64, on one line.
  probe: () => ({
    sources: sh`for f in ${SOURCES_LIST} ${SOURCE_PARTS}/*.list; do if [ -f "$f" ]; then printf '%s' "$f" | base64 -w0; printf ' '; base64 -w0 < "$f" || exit 1; printf '\\n'; fi; done`,
  }),
  plan: (args, probes) => planRepository(args, probes),
};

/** Ansible's _parse: a leading # disables, a later # starts a comment, whitespace collapsed in a source. */
export function parseSourceLine(line: string): SourceLine {
  let text = line.trim();
  let enabled = true;
  if (text.startsWith('#')) {
    enabled = false;
    text = text.slice(1);
  }
  let comment = '';
  const hash = text.indexOf('#');
  if (hash > 0) {
    comment = text.slice(hash + 1).trim();
    text = text.slice(0, hash);
  }
  let source = text.trim();
  let valid = false;
  if (source !== '') {
    const chunks = source.split(/\s+/);
    if (SOURCE_TYPES.has(chunks[0] as string)) {
      valid = true;
      source = chunks.join(' ');
    }
  }
  return { valid, enabled, source, comment };
}

/** A file as Ansible writes it back: `# ` before a disabled line, ` # comment` after. */
export function renderSources(lines: readonly SourceLine[]): string {
  return lines.map((line) => `${line.enabled ? '' : '# '}${line.source}${line.comment ? ` # ${line.comment}` : ''}\n`).join('');
}

/** Ansible's file name for a new source: the first word after the type, options and protocol removed, as letters and digits joined by _. */
export function suggestedFilename(source: string, filename: string | undefined): string {
  if (filename !== undefined) return `${filename}.list`;
  const line = source.replace(/\[[^\]]+\]/g, '').replace(/\w+:\/\//g, '');
  const parts = line.split(/\s+/).filter((part) => part !== '' && !SOURCE_TYPES.has(part));
  const first = (parts[0] ?? '').split('@').at(-1) ?? '';
  return `${first.replace(/[^a-zA-Z0-9]/g, ' ').split(/\s+/).filter(Boolean).join('_')}.list`;
}

function readSources(stdout: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [path, content = ''] = line.split(' ');
    if (path) files.set(Buffer.from(path, 'base64').toString('utf8'), Buffer.from(content, 'base64').toString('utf8'));
  }
  return files;
}

function linesOf(text: string): SourceLine[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map(parseSourceLine);
}

function planRepository(args: AptRepositoryArgs, probes: ProbeResults): Plan {
  const read = probeOutput(probes, 'sources');
  if (read.code !== 0) return { kind: 'fail', message: `cannot read the apt source files: ${read.stderr.trim()}` };
  const texts = readSources(read.stdout);
  const files = new Map([...texts].map(([path, text]) => [path, linesOf(text)]));
  const source = parseSourceLine(args.repo).source;
  const present = (args.state ?? 'present') === 'present';
  const edited = new Map([...files].map(([path, lines]) => [path, lines.map((line) => ({ ...line }))]));
  let newFile: string | undefined;
  if (present) {
    let found = false;
    for (const lines of edited.values()) {
      for (const line of lines) {
        if (line.valid && line.source === source) {
          line.enabled = true;
          found = true;
        }
      }
    }
    if (!found) {
      const path = posix.join(SOURCE_PARTS, suggestedFilename(source, args.filename));
      if (!edited.has(path)) newFile = path;
      edited.set(path, [...(edited.get(path) ?? []), { valid: true, enabled: true, source, comment: '' }]);
    }
  } else {
    for (const [path, lines] of edited) edited.set(path, lines.filter((line) => !(line.valid && line.enabled && line.source === source)));
  }
  const before = new Map([...files].map(([path, lines]) => [path, renderSources(lines)]));
  const after = new Map([...edited].map(([path, lines]) => [path, renderSources(lines)]));
  const result = { repo: args.repo, state: args.state ?? 'present' };
  const changedPaths = [...after.keys()].filter((path) => before.get(path) !== after.get(path));
  if (changedPaths.length === 0) return { kind: 'noop', reason: present ? `${source} is already an enabled source` : `${source} is not a source`, result };

  // Ansible writes every source file back once anything changed: the ones not as Ansible writes them are rewritten too.
  const toWrite = [...after.keys()].filter((path) => texts.get(path) !== after.get(path));
  const existing = toWrite.filter((path) => path !== newFile && after.get(path) !== '');
  const states: ProbeSet = Object.fromEntries(existing.filter((path) => probes[`state ${path}`] === undefined).map((path) => [`state ${path}`, fileStateProbe(path)]));
  if (Object.keys(states).length > 0) return { kind: 'probe', probes: states };

  const steps: Step[] = [];
  const diff: Diff[] = [];
  for (const path of toWrite) {
    const text = after.get(path) ?? '';
    if (changedPaths.includes(path)) diff.push({ label: path, before: before.get(path) ?? '', after: text });
    if (text === '') steps.push({ title: `remove ${path}`, command: sh`rm -f -- ${path}` });
    else if (path === newFile) steps.push(...writeFileSteps(path, Buffer.from(text), { mode: args.mode ?? '0644' }, null));
    else steps.push(...writeFileSteps(path, Buffer.from(text), {}, parseFileState(probeOutput(probes, `state ${path}`))));
  }
  if (args.update_cache ?? args['update-cache'] ?? true) steps.push({ title: 'apt-get update', command: sh`apt-get update -q`, failureMessage: 'Failed to update apt cache' });
  return {
    kind: 'change',
    summary: present ? `add ${source} (${changedPaths.join(', ')})` : `remove ${source} (${changedPaths.join(', ')})`,
    diff,
    steps,
    result,
  };
}
