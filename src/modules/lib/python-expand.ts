import { sh } from '../../shell/command.js';
import type { ProbeResults, ProbeSet } from '../types.js';

/**
 * The expansion Ansible's command module gives each word of its command line, and every `type: path`
 * argument (creates, removes, chdir): os.path.expanduser(os.path.expandvars(word)), computed on the
 * host. runbook reads the host's environment (and the home of any `~user`) with a probe, under the
 * task's become, and expands in the plan: no value of the playbook ever reaches a shell unquoted.
 */

/** True when Python would change the word: it names a variable or starts with `~`. */
export function needsExpansion(word: string): boolean {
  return word.includes('$') || word.startsWith('~');
}

/** Probes for the environment and the homes of `~user` words; empty when no word needs them. */
export function expansionProbes(words: readonly string[]): ProbeSet {
  const expanding = words.filter(needsExpansion);
  if (expanding.length === 0) return {};
  const users = [...new Set(expanding.flatMap((word) => userOf(word) ?? []))];
  return {
    environment: sh`env -0 | base64 -w0`,
    ...Object.fromEntries(users.map((user) => [`home ${user}`, sh`getent passwd -- ${user} || true`])),
  };
}

/** Expands a word with the environment and homes the probes read; unknown variables and users stay as written, as in Python. */
export function expandWord(word: string, probes: ProbeResults): string {
  if (!needsExpansion(word)) return word;
  const environment = readEnvironment(probes);
  return expandUser(expandVars(word, environment), environment, (user) => homeOf(probes, user));
}

/** Whether the probes for expansion were read (plan rounds: expansion first, then what depends on it). */
export function expansionRead(probes: ProbeResults): boolean {
  return probes.environment !== undefined;
}

// posixpath.expandvars: $name or ${name}, ASCII word characters; an unset variable is left alone.
const VARIABLE = /\$(\w+|\{[^}]*\})/g;

export function expandVars(word: string, environment: ReadonlyMap<string, string>): string {
  return word.replace(VARIABLE, (whole, written: string) => {
    const name = written.startsWith('{') && written.endsWith('}') ? written.slice(1, -1) : written;
    return environment.get(name) ?? whole;
  });
}

// posixpath.expanduser: ~ is $HOME, ~user that user's home; the home loses trailing slashes.
export function expandUser(word: string, environment: ReadonlyMap<string, string>, home: (user: string) => string | undefined): string {
  if (!word.startsWith('~')) return word;
  const slash = word.indexOf('/', 1);
  const end = slash < 0 ? word.length : slash;
  const user = word.slice(1, end);
  const found = user === '' ? environment.get('HOME') : home(user);
  if (found === undefined) return word;
  return found.replace(/\/+$/, '') + word.slice(end) || '/';
}

function userOf(word: string): string | undefined {
  if (!word.startsWith('~')) return undefined;
  const slash = word.indexOf('/', 1);
  const user = word.slice(1, slash < 0 ? word.length : slash);
  return user === '' ? undefined : user;
}

function readEnvironment(probes: ProbeResults): Map<string, string> {
  const text = Buffer.from(probes.environment?.stdout.trim() ?? '', 'base64').toString('utf8');
  const environment = new Map<string, string>();
  for (const entry of text.split('\0')) {
    const equals = entry.indexOf('=');
    if (equals > 0) environment.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return environment;
}

function homeOf(probes: ProbeResults, user: string): string | undefined {
  const line = probes[`home ${user}`]?.stdout.split('\n')[0] ?? '';
  const fields = line.split(':');
  return fields.length >= 7 ? fields[5] : undefined;
}
