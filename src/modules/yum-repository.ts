import { posix } from 'node:path';
import type { YumRepositoryArgs } from '../schema/generated/yum_repository.js';
import { sh } from '../shell/command.js';
import { fileContentProbe, fileStateProbe, parseFileContent, parseFileState, writeFileSteps } from './lib/remote-file.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults } from './types.js';

/** Sections in file order; each section's options in order (name → value, multi-line values joined by \n). */
export type Ini = Map<string, Map<string, string>>;

/** Ansible's list arguments joined with a newline in the file, and those joined with a space. */
const NEWLINE_LISTS = new Set(['baseurl', 'gpgkey']);
const SPACE_LISTS = new Set(['exclude', 'includepkgs']);
/** Arguments that are not options of the section. */
const NOT_OPTIONS = new Set(['name', 'description', 'file', 'reposdir', 'state', 'ca_cert', 'client_cert', 'client_key', 'validate_certs']);
const ALIASES: Record<string, string> = { ca_cert: 'sslcacert', client_cert: 'sslclientcert', client_key: 'sslclientkey', validate_certs: 'sslverify' };

export const yumRepositoryModule: ModuleDefinition<YumRepositoryArgs> = {
  name: 'yum_repository',
  summary: "A repository section in /etc/yum.repos.d/FILE.repo (Ansible's yum_repository)",
  probe: (args) => ({ file: fileContentProbe(destOf(args)), reposdir: fileStateProbe(reposdirOf(args)) }),
  plan: (args, probes) => planRepository(args, probes),
};

function reposdirOf(args: YumRepositoryArgs): string {
  return args.reposdir ?? '/etc/yum.repos.d';
}

function destOf(args: YumRepositoryArgs): string {
  return posix.join(reposdirOf(args), `${args.file ?? args.name}.repo`);
}

/**
 * The file as Python's RawConfigParser reads it: `[section]` headers, `key = value` or `key: value`
 * (key in lower case, value stripped), indented lines continuing a value, # and ; comment lines.
 * A duplicate section or option is an error there too.
 */
export function parseIni(text: string): Ini | { error: string } {
  const ini: Ini = new Map();
  let section: Map<string, string> | undefined;
  let last: string | undefined;
  for (const [index, line] of text.split(/\r\n|\n|\r/).entries()) {
    if (line.trim() === '' || /^\s*[#;]/.test(line)) {
      last = undefined;
      continue;
    }
    if (/^\s/.test(line) && section !== undefined && last !== undefined) {
      section.set(last, `${section.get(last)}\n${line.trim()}`);
      continue;
    }
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      const name = header[1] as string;
      if (ini.has(name)) return { error: `section "${name}" appears twice (line ${index + 1})` };
      section = new Map();
      ini.set(name, section);
      last = undefined;
      continue;
    }
    const option = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(line);
    if (section === undefined || option === null) return { error: `line ${index + 1} is neither a section, an option nor a comment` };
    const key = (option[1] as string).trim().toLowerCase();
    if (section.has(key)) return { error: `option "${key}" appears twice (line ${index + 1})` };
    section.set(key, (option[2] as string).trim());
    last = key;
  }
  return ini;
}

/** The file as RawConfigParser writes it: sections in order, `key = value`, continuation lines indented with a tab. */
export function writeIni(ini: Ini): string {
  return [...ini]
    .map(([name, options]) => `[${name}]\n${[...options].map(([key, value]) => `${key} = ${value.replaceAll('\n', '\n\t')}\n`).join('')}\n`)
    .join('');
}

/** Ansible's dump, what it compares: sections and their keys sorted. */
export function dumpIni(ini: Ini): string {
  return [...ini.keys()]
    .sort()
    .map((name) => {
      const options = ini.get(name) as Map<string, string>;
      return `[${name}]\n${[...options.keys()]
        .sort()
        .map((key) => `${key} = ${options.get(key)}\n`)
        .join('')}\n`;
    })
    .join('');
}

/** The section's options as Ansible sets them: sorted by argument name, booleans 1/0, lists joined. */
export function sectionOptions(args: YumRepositoryArgs): Map<string, string> {
  const values: Record<string, unknown> = { ...args, name: args.description };
  for (const [alias, option] of Object.entries(ALIASES)) if (args[alias as keyof YumRepositoryArgs] !== undefined) values[option] = args[alias as keyof YumRepositoryArgs];
  const options = new Map<string, string>();
  for (const key of Object.keys(values).sort()) {
    const value = values[key];
    if (value === undefined || (NOT_OPTIONS.has(key) && key !== 'name')) continue;
    // Ansible's list type splits a string on commas.
    const list = typeof value === 'string' && (NEWLINE_LISTS.has(key) || SPACE_LISTS.has(key)) ? value.split(',') : value;
    if (Array.isArray(list)) options.set(key, list.join(NEWLINE_LISTS.has(key) ? '\n' : ' '));
    else if (typeof list === 'boolean') options.set(key, list ? '1' : '0');
    else options.set(key, String(list));
  }
  return options;
}

function planRepository(args: YumRepositoryArgs, probes: ProbeResults): Plan {
  const reposdir = reposdirOf(args);
  const dest = destOf(args);
  const directory = parseFileState(probeOutput(probes, 'reposdir'));
  if (directory?.type !== 'directory') return { kind: 'fail', message: `Repo directory '${reposdir}' does not exist.` };
  const current = parseFileContent(probeOutput(probes, 'file'));
  if (current.state !== null && current.content === undefined) return { kind: 'fail', message: `${dest} is not a regular file of a readable size` };
  const parsed = parseIni(current.content?.toString('utf8') ?? '');
  if ('error' in parsed) return { kind: 'fail', message: `cannot read ${dest}: ${parsed.error}` };
  const before = dumpIni(parsed);
  const edited: Ini = new Map(parsed);
  edited.delete(args.name);
  const present = (args.state ?? 'present') === 'present';
  if (present) edited.set(args.name, sectionOptions(args));
  const after = dumpIni(edited);
  const result = { repo: args.name, state: args.state ?? 'present' };
  if (before === after) return { kind: 'noop', reason: present ? `repository ${args.name} is current in ${dest}` : `${dest} has no repository ${args.name}`, result };
  const diff = [{ label: dest, before, after }];
  if (edited.size === 0) {
    return { kind: 'change', summary: `remove repository ${args.name} and the emptied ${dest}`, diff, steps: [{ title: `remove ${dest}`, command: sh`rm -f -- ${dest}` }], result };
  }
  return {
    kind: 'change',
    summary: `${present ? (parsed.has(args.name) ? 'update' : 'add') : 'remove'} repository ${args.name} in ${dest}`,
    diff,
    steps: writeFileSteps(dest, Buffer.from(writeIni(edited)), current.state === null ? { mode: '0644' } : {}, current.state),
    result,
  };
}
