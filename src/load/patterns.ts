import { RunbookError } from '../errors.js';
import type { Inventory } from './model.js';

interface Term {
  operator: 'union' | 'intersection' | 'exclusion';
  /** The pattern without its & or ! prefix. */
  name: string;
}

/** Split on `,` and `:` (outside `[...]`, so ranges and IPv6 brackets stay whole). */
function terms(pattern: string): Term[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of pattern) {
    if (char === '[') depth++;
    if (char === ']') depth = Math.max(0, depth - 1);
    if ((char === ',' || char === ':') && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) =>
      part.startsWith('&')
        ? { operator: 'intersection', name: part.slice(1) }
        : part.startsWith('!')
          ? { operator: 'exclusion', name: part.slice(1) }
          : { operator: 'union', name: part },
    );
}

function globToRegex(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    source += char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function patternRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (error) {
    throw new RunbookError('RB_USAGE', `invalid regular expression in host pattern "~${source}": ${(error as Error).message}`);
  }
}

/** `name[0]`, `name[-1]`, `name[1:3]` (inclusive), `name[2:]`: Ansible's PATTERN_WITH_SUBSCRIPT. */
const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

/** Hosts one pattern word names: a host, else all/*, a group, a glob (kvm*) or a ~regex over groups and hosts, with an optional subscript. */
function matchName(inventory: Inventory, name: string): Set<string> {
  if (inventory.hosts.has(name)) return new Set([name]);
  const subscripted = name.startsWith('~') ? null : SUBSCRIPT.exec(name);
  if (!subscripted) return matchWord(inventory, name);
  const [, word, index, start, separator, end] = subscripted;
  if (separator === '-') {
    throw new RunbookError('RB_USAGE', `host pattern "${name}": use [x:y] inclusive subscripts instead of [x-y], which Ansible has removed`);
  }
  const hosts = [...matchWord(inventory, word!)];
  if (hosts.length === 0) return new Set();
  if (index !== undefined) {
    // Python's indexing: negative counts from the end; out of range is Ansible's error.
    const position = Number(index) < 0 ? hosts.length + Number(index) : Number(index);
    const host = hosts[position];
    if (host === undefined) throw new RunbookError('RB_USAGE', `No hosts matched the subscripted pattern '${name}'`);
    return new Set([host]);
  }
  const from = Number(start);
  // As Ansible's _apply_subscript: [x:] runs to the last host, and [x:0] is the one host x.
  const last = end === '' ? hosts.length - 1 : Number(end);
  if (last === 0) {
    const host = hosts[from];
    if (host === undefined) throw new RunbookError('RB_USAGE', `No hosts matched the subscripted pattern '${name}'`);
    return new Set([host]);
  }
  return new Set(hosts.slice(from, last + 1));
}

function matchWord(inventory: Inventory, name: string): Set<string> {
  if (name === 'all' || name === '*') return new Set(inventory.hosts.keys());
  const group = inventory.groups.get(name);
  if (group !== undefined) return new Set(group);
  if (inventory.hosts.has(name)) return new Set([name]);
  const regex = name.startsWith('~') ? patternRegex(name.slice(1)) : /[*?]/.test(name) ? globToRegex(name) : undefined;
  if (regex === undefined) return new Set();
  const matched = new Set<string>();
  for (const [groupName, members] of inventory.groups) if (regex.test(groupName)) members.forEach((host) => matched.add(host));
  for (const host of inventory.hosts.keys()) if (regex.test(host)) matched.add(host);
  return matched;
}

function evaluatePattern(inventory: Inventory, pattern: string): Set<string> {
  const parsed = terms(pattern);
  const unions = parsed.filter((term) => term.operator === 'union');
  // Like Ansible: unions first, then intersections, then exclusions, whatever the written order;
  // with no union the pattern starts from all hosts.
  const selected = new Set<string>();
  if (parsed.length === 0) return selected;
  if (unions.length === 0) inventory.hosts.forEach((_host, name) => selected.add(name));
  for (const term of unions) matchName(inventory, term.name).forEach((host) => selected.add(host));
  for (const term of parsed.filter((each) => each.operator === 'intersection')) {
    const keep = matchName(inventory, term.name);
    for (const host of selected) if (!keep.has(host)) selected.delete(host);
  }
  for (const term of parsed.filter((each) => each.operator === 'exclusion')) {
    matchName(inventory, term.name).forEach((host) => selected.delete(host));
  }
  return selected;
}

/**
 * Hosts an Ansible pattern selects, in inventory order: `all`, `*`, group and host names, globs
 * (`kvm*`), `~regex`, `a:b` or `a,b` (union), `a:&b` (intersection), `a:!b` (exclusion). `limit`,
 * a pattern too, narrows the result (--limit).
 */
export function selectHosts(inventory: Inventory, pattern: string, limit?: string): string[] {
  const selected = evaluatePattern(inventory, pattern);
  const allowed = limit === undefined ? undefined : evaluatePattern(inventory, limit);
  return [...inventory.hosts.keys()].filter((host) => selected.has(host) && (allowed === undefined || allowed.has(host)));
}

/** Words of a pattern that name no host or group of the inventory (for did-you-mean messages). */
export function unmatchedNames(inventory: Inventory, pattern: string): string[] {
  return terms(pattern)
    .map((term) => term.name)
    .filter((name) => matchName(inventory, name).size === 0 && !inventory.groups.has(name));
}
