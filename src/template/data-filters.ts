import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { RunbookError } from '../errors.js';
import { parseYaml } from '../load/source.js';
import { bindArguments, splitKeywords } from './arguments.js';
import type { TemplateEnvironment } from './environment.js';
import { isMapping, pythonCompare, pythonEquals, pythonModulo, pythonStr, pythonTruthy, typeName } from './python.js';
import { pythonJson, pythonYaml } from './serialize.js';

/**
 * Ansible's data filters (ansible.builtin: core.py and mathstuff.py) and Jinja2 builtins whose
 * nunjucks versions compute something else, each with Python's result: `to_json` spaces items like
 * json.dumps, `string` writes Python's str(), `unique` is case-insensitive by default (Ansible passes
 * Jinja2 case_sensitive=False), `basename` of `/a/b/` is empty like os.path.basename.
 */

type Filter = (value: unknown, ...args: never[]) => unknown;

function fail(message: string): never {
  throw new RunbookError('RB_TEMPLATE', message);
}

function listOf(name: string, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [...value];
  if (isMapping(value)) return Object.keys(value);
  return fail(`${name} needs a list, not ${typeName(value)}`);
}

/** Items equal by Python's == once, in first-seen order; `fold` lowercases strings (case-insensitive). */
function uniqueItems(items: readonly unknown[], fold: boolean): unknown[] {
  const key = (item: unknown) => (fold && typeof item === 'string' ? item.toLowerCase() : item);
  const kept: unknown[] = [];
  for (const item of items) if (!kept.some((seen) => pythonEquals(key(seen), key(item)))) kept.push(item);
  return kept;
}

const contains = (items: readonly unknown[], value: unknown) => items.some((item) => pythonEquals(item, value));

/** Ansible's merge_hash: `high` wins; `recursive` merges nested mappings; `listMerge` says what two lists become. */
function mergeHash(low: Record<string, unknown>, high: Record<string, unknown>, recursive: boolean, listMerge: string): Record<string, unknown> {
  const merged = { ...low };
  for (const [key, highValue] of Object.entries(high)) {
    const lowValue = merged[key];
    if (!(key in merged)) merged[key] = highValue;
    else if (isMapping(lowValue) && isMapping(highValue)) merged[key] = recursive ? mergeHash(lowValue, highValue, recursive, listMerge) : highValue;
    else if (Array.isArray(lowValue) && Array.isArray(highValue)) {
      const rest = lowValue.filter((item) => !contains(highValue, item));
      merged[key] = {
        replace: highValue,
        keep: lowValue,
        append: [...lowValue, ...highValue],
        prepend: [...highValue, ...lowValue],
        append_rp: [...rest, ...highValue],
        prepend_rp: [...highValue, ...rest],
      }[listMerge];
    } else merged[key] = highValue;
  }
  return merged;
}

const LIST_MERGES = ['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp'];

function combine(...args: unknown[]): unknown {
  const { positional, keywords } = splitKeywords(args);
  const { recursive = false, list_merge: listMerge = 'replace', ...others } = keywords;
  if (Object.keys(others).length > 0) fail("combine: 'recursive' and 'list_merge' are the only valid keyword arguments");
  if (!LIST_MERGES.includes(String(listMerge))) fail(`combine: list_merge must be one of ${LIST_MERGES.join(', ')}, not ${JSON.stringify(listMerge)}`);
  const dictionaries = flatten(positional, 1);
  // Like Ansible, a single term is returned as it is.
  if (dictionaries.length === 1) return dictionaries[0];
  for (const dictionary of dictionaries) if (!isMapping(dictionary)) fail(`combine: ${typeName(dictionary)} is not a dictionary`);
  return (dictionaries as Record<string, unknown>[]).reduce<Record<string, unknown>>(
    (merged, dictionary) => mergeHash(merged, dictionary, pythonTruthy(recursive), String(listMerge)),
    {},
  );
}

/** Ansible's flatten: all levels, or `levels`; None (and the strings 'None' and 'null') dropped unless skip_nulls=false. */
function flatten(items: unknown, levels: number | null = null, skipNulls = true): unknown[] {
  const flat: unknown[] = [];
  for (const item of listOf('flatten', items)) {
    if (skipNulls && (item === null || item === 'None' || item === 'null')) continue;
    if (Array.isArray(item) && (levels === null || levels >= 1)) flat.push(...flatten(item, levels === null ? null : levels - 1, skipNulls));
    else flat.push(item);
  }
  return flat;
}

/** Jinja2's attribute path `a.b.0`: a number indexes a list. */
export function attributeOf(item: unknown, path: string): unknown {
  let value = item;
  for (const part of path.split('.')) {
    if (Array.isArray(value) && /^-?\d+$/.test(part)) value = value[Number(part)];
    else if (isMapping(value) && Object.hasOwn(value, part)) value = value[part];
    else return undefined;
  }
  return value;
}

function requiredAttribute(filter: string, item: unknown, attribute: string): unknown {
  const value = attributeOf(item, attribute);
  if (value === undefined) fail(`${filter}: ${typeName(item) === 'dict' ? "'dict object'" : typeName(item)} has no attribute ${JSON.stringify(attribute)}`);
  return value;
}

/** Jinja2's min and max: by value, or by `attribute`; strings compare case-insensitively unless case_sensitive. */
function extreme(name: 'min' | 'max') {
  return (items: unknown, ...args: unknown[]) => {
    const { case_sensitive: caseSensitive, attribute } = bindArguments(name, args, { case_sensitive: false, attribute: null as unknown });
    const list = listOf(name, items);
    if (list.length === 0) return fail(`${name}: the sequence is empty`);
    const key = (item: unknown) => (attribute === null ? item : requiredAttribute(name, item, String(attribute)));
    return list.reduce((best, item) => {
      const order = pythonCompare(key(item), key(best), pythonTruthy(caseSensitive));
      return (name === 'min' ? order < 0 : order > 0) ? item : best;
    });
  };
}

function sum(items: unknown, ...args: unknown[]): unknown {
  const { attribute, start } = bindArguments('sum', args, { attribute: null as unknown, start: 0 as unknown });
  const values = listOf('sum', items).map((item) => (attribute === null ? item : requiredAttribute('sum', item, String(attribute))));
  return values.reduce<unknown>((total, value) => {
    if (Array.isArray(total) && Array.isArray(value)) return [...total, ...value];
    if ((typeof total === 'number' || typeof total === 'boolean') && (typeof value === 'number' || typeof value === 'boolean')) return Number(total) + Number(value);
    return fail(`sum: unsupported operand types for +: ${typeName(total)} and ${typeName(value)}`);
  }, start);
}

/** Jinja2's sort: `reverse`, `case_sensitive` (default false), `attribute` (comma-separated for several keys). */
function sort(items: unknown, ...args: unknown[]): unknown[] {
  const { reverse, case_sensitive: caseSensitive, attribute } = bindArguments('sort', args, { reverse: false, case_sensitive: false, attribute: null as unknown });
  const attributes = attribute === null ? [] : String(attribute).split(',').map((part) => part.trim());
  const key = (item: unknown) => (attributes.length === 0 ? [item] : attributes.map((path) => requiredAttribute('sort', item, path)));
  // Array.prototype.sort is stable, like Python's sorted.
  const sorted = [...listOf('sort', items)].sort((a, b) => pythonCompare(key(a), key(b), pythonTruthy(caseSensitive)));
  return pythonTruthy(reverse) ? sorted.reverse() : sorted;
}

function product(...args: unknown[]): unknown[][] {
  const { positional, keywords } = splitKeywords(args);
  const { repeat = 1, ...others } = keywords;
  if (Object.keys(others).length > 0) fail('product: repeat is the only keyword argument');
  const pools = Array.from({ length: Number(repeat) }, () => positional.map((pool) => listOf('product', pool))).flat();
  return pools.reduce<unknown[][]>((combinations, pool) => combinations.flatMap((combination) => pool.map((item) => [...combination, item])), [[]]);
}

function zipLists(longest: boolean) {
  return (...args: unknown[]): unknown[][] => {
    const { positional, keywords } = splitKeywords(args);
    const lists = positional.map((list) => listOf(longest ? 'zip_longest' : 'zip', list));
    const length = lists.length === 0 ? 0 : Math[longest ? 'max' : 'min'](...lists.map((list) => list.length));
    const fill = keywords.fillvalue ?? null;
    return Array.from({ length }, (_, index) => lists.map((list) => (index < list.length ? list[index] : fill)));
  };
}

function subelements(items: unknown, ...args: unknown[]): unknown[][] {
  const { subelements: path, skip_missing: skipMissing } = bindArguments('subelements', args, { subelements: '' as unknown, skip_missing: false });
  const elements = Array.isArray(items) ? items : isMapping(items) ? Object.values(items) : fail('subelements: obj must be a list of dicts or a nested dict');
  const keys = Array.isArray(path) ? path.map(String) : typeof path === 'string' ? path.split('.') : fail('subelements: subelements must be a list or a string');
  return elements.flatMap((element) => {
    let values: unknown = element;
    for (const key of keys) {
      if (!isMapping(values)) fail(`subelements: the key ${key} should point to a dictionary, got ${pythonStr(values)}`);
      if (!Object.hasOwn(values, key)) {
        if (pythonTruthy(skipMissing)) return [];
        fail(`subelements: could not find '${key}' key in iterated item ${pythonStr(values)}`);
      }
      values = values[key];
    }
    if (!Array.isArray(values)) fail(`subelements: the key '${keys.at(-1)}' should point to a list, got ${pythonStr(values)}`);
    return values.map((value) => [element, value]);
  });
}

function extract(item: unknown, container: unknown, morekeys: unknown = null): unknown {
  const keys = [item, ...(morekeys === null ? [] : Array.isArray(morekeys) ? morekeys : [morekeys])];
  return keys.reduce((value, key) => {
    const found = Array.isArray(value) && typeof key === 'number' ? value.at(key) : isMapping(value) ? value[String(key)] : undefined;
    if (found === undefined) fail(`extract: ${pythonStr(value)} has no item ${pythonStr(key)}`);
    return found;
  }, container);
}

/** Python's int(): a string in `base` (0 reads a 0x/0o/0b prefix), a float truncated; 0 when it fails, like Jinja2's int. */
function toInt(value: unknown, ...args: unknown[]): number {
  const { default: fallback, base } = bindArguments('int', args, { default: 0 as unknown, base: 10 as unknown });
  if (typeof value === 'boolean') return Number(value);
  if (typeof value === 'number') return Math.trunc(value);
  const text = String(value).trim().replaceAll('_', '');
  const radix = Number(base);
  const prefixed = /^([+-]?)0([xob])([0-9a-f]+)$/i.exec(text);
  if (prefixed && (radix === 0 || radix === { x: 16, o: 8, b: 2 }[prefixed[2]!.toLowerCase()])) {
    const parsed = parseInt(prefixed[3]!, { x: 16, o: 8, b: 2 }[prefixed[2]!.toLowerCase() as 'x']);
    if (!Number.isNaN(parsed)) return prefixed[1] === '-' ? -parsed : parsed;
  }
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, radix === 0 ? 10 : radix);
  if (new RegExp(`^[+-]?[${digits}]+$`, 'i').test(text)) return parseInt(text, radix === 0 ? 10 : radix);
  // Jinja2 then tries float(value) and truncates it.
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Math.trunc(Number(text)) : (fallback as number);
}

function toFloat(value: unknown, ...args: unknown[]): unknown {
  const { default: fallback } = bindArguments('float', args, { default: 0 as unknown });
  if (typeof value === 'number' || typeof value === 'boolean') return Number(value);
  const text = String(value).trim().toLowerCase();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return fallback;
}

/** Jinja2's join: str() of each item (`attribute` picks one of each), joined by `d`. */
function join(items: unknown, ...args: unknown[]): string {
  const { d: separator, attribute } = bindArguments('join', args, { d: '', attribute: null as unknown });
  const list = typeof items === 'string' ? [...items] : listOf('join', items);
  return list.map((item) => pythonStr(attribute === null ? item : requiredAttribute('join', item, String(attribute)))).join(String(separator));
}

/** Python's str.split: on runs of whitespace without a separator, else on each occurrence. */
function split(value: unknown, ...args: unknown[]): string[] {
  const { sep, maxsplit } = bindArguments('split', args, { sep: null as unknown, maxsplit: -1 as unknown });
  const text = pythonStr(value);
  const limit = Number(maxsplit);
  if (sep === null) {
    const words: string[] = [];
    let rest = text.trimStart();
    while (rest !== '') {
      if (limit >= 0 && words.length === limit) return [...words, rest.trimEnd() === rest ? rest : rest.replace(/\s+$/, '')];
      const end = rest.search(/\s/);
      words.push(end < 0 ? rest : rest.slice(0, end));
      rest = end < 0 ? '' : rest.slice(end).trimStart();
    }
    return words;
  }
  if (sep === '') fail('split: empty separator');
  const parts = text.split(String(sep));
  return limit < 0 || parts.length <= limit + 1 ? parts : [...parts.slice(0, limit), parts.slice(limit).join(String(sep))];
}

/** os.path.basename and dirname: the part after / before the last slash (trailing slashes kept). */
function basename(value: unknown): string {
  const text = pythonStr(value);
  return text.slice(text.lastIndexOf('/') + 1);
}

function dirname(value: unknown): string {
  const text = pythonStr(value);
  const head = text.slice(0, text.lastIndexOf('/') + 1);
  return /^\/+$/.test(head) ? head : head.replace(/\/+$/, '');
}

/** Ansible's hash filter (Python's hashlib names); checksum is sha1. */
function hash(value: unknown, ...args: unknown[]): string {
  const { hashtype } = bindArguments('hash', args, { hashtype: 'sha1' as unknown });
  try {
    return createHash(String(hashtype)).update(pythonStr(value), 'utf8').digest('hex');
  } catch {
    return fail(`hash: unsupported hash type ${JSON.stringify(hashtype)}`);
  }
}

const ANSIBLE_NAMESPACE = '361E6D51-FAEC-444A-9079-341386DA8E2E';

/** uuid.uuid5: SHA-1 of the namespace's bytes and the name, version 5, RFC 4122 variant. */
function toUuid(value: unknown, ...args: unknown[]): string {
  const { namespace } = bindArguments('to_uuid', args, { namespace: ANSIBLE_NAMESPACE as unknown });
  const hex = String(namespace).replace(/^urn:uuid:|[{}-]/gi, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) fail(`to_uuid: invalid value '${String(namespace)}' for 'namespace'`);
  const digest = createHash('sha1').update(Buffer.from(hex, 'hex')).update(pythonStr(value), 'utf8').digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  const id = digest.subarray(0, 16).toString('hex');
  return `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`;
}

/** Jinja2's truncate: text longer than `length` plus `leeway` is cut (at a word unless killwords) and ends with `end`. */
function truncate(value: unknown, ...args: unknown[]): string {
  const { length, killwords, end, leeway } = bindArguments('truncate', args, { length: 255 as unknown, killwords: false, end: '...' as unknown, leeway: 5 as unknown });
  const text = pythonStr(value);
  const [limit, ending] = [Number(length), String(end)];
  if (text.length <= limit + Number(leeway)) return text;
  const kept = text.slice(0, Math.max(0, limit - ending.length));
  if (pythonTruthy(killwords)) return kept + ending;
  const space = kept.lastIndexOf(' ');
  return (space < 0 ? kept : kept.slice(0, space)) + ending;
}

/** Jinja2's groupby: [grouper, items] pairs sorted by the attribute (case-insensitively unless case_sensitive). */
function groupby(value: unknown, ...args: unknown[]): unknown[][] {
  const { attribute, default: fallback, case_sensitive: caseSensitive } = bindArguments('groupby', args, { attribute: '' as unknown, default: undefined as unknown, case_sensitive: false });
  const keyOf = (item: unknown) => {
    const key = attributeOf(item, String(attribute));
    if (key !== undefined) return key;
    return fallback !== undefined ? fallback : fail(`groupby: an item has no attribute ${JSON.stringify(attribute)}`);
  };
  const fold = (key: unknown) => (!pythonTruthy(caseSensitive) && typeof key === 'string' ? key.toLowerCase() : key);
  const sorted = [...listOf('groupby', value)].sort((a, b) => pythonCompare(fold(keyOf(a)), fold(keyOf(b))));
  const groups: unknown[][] = [];
  for (const item of sorted) {
    const last = groups.at(-1);
    if (last !== undefined && pythonEquals(fold(keyOf((last[1] as unknown[])[0])), fold(keyOf(item)))) (last[1] as unknown[]).push(item);
    else groups.push([keyOf(item), [item]]);
  }
  return groups;
}

/** Jinja2's round: Python's round() (halves to even) by default, or ceil/floor, at `precision` decimals. */
function round(value: unknown, ...args: unknown[]): number {
  const { precision, method } = bindArguments('round', args, { precision: 0 as unknown, method: 'common' as unknown });
  const scale = 10 ** Number(precision);
  const scaled = Number(value) * scale;
  if (method === 'ceil') return Math.ceil(scaled) / scale;
  if (method === 'floor') return Math.floor(scaled) / scale;
  if (method !== 'common') fail('round: method must be common, ceil or floor');
  const floor = Math.floor(scaled);
  const fraction = scaled - floor;
  const even = fraction > 0.5 || (fraction === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return even / scale;
}

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' };

/** Filters of Ansible or its collections that runbook does not have, with why: named when a template uses one. */
export const REFUSED_FILTERS: Readonly<Record<string, string>> = {
  password_hash: 'password_hash needs the controller\'s crypt(3) (Ansible uses passlib); hash the password beforehand and pass the hash',
  json_query: 'json_query (community.general) needs JMESPath; use selectattr, map(attribute=...) and friends',
  ipaddr: 'ipaddr (ansible.utils) needs the netaddr library',
  ipv4: 'ipv4 (ansible.utils) needs the netaddr library',
  ipv6: 'ipv6 (ansible.utils) needs the netaddr library',
  shuffle: 'shuffle cannot give the order Python\'s random would; write the order out',
  vault: 'vault needs Ansible Vault',
  unvault: 'unvault needs Ansible Vault',
};

export function addDataFilters(env: TemplateEnvironment): void {
  const filters: Record<string, Filter> = {
    // Ansible's to_bool: None and booleans as they are; 'yes', 'on', '1', 'true' (any case) and 1 are true.
    bool: (value: unknown) => (value === null || typeof value === 'boolean' ? value : typeof value === 'string' ? ['yes', 'on', '1', 'true'].includes(value.toLowerCase()) : value === 1),
    int: toInt,
    float: toFloat,
    string: (value: unknown) => pythonStr(value),
    join,
    split,
    basename,
    dirname,
    expanduser: (value: unknown) => pythonStr(value).replace(/^~(?=\/|$)/, homedir()),
    // os.path.splitext: the last dot of the file name, unless only dots come before it (`.bashrc`).
    splitext: (value: unknown) => {
      const text = pythonStr(value);
      const name = basename(text);
      const dot = name.lastIndexOf('.');
      if (dot < 0 || /^\.*$/.test(name.slice(0, dot))) return [text, ''];
      const at = text.length - name.length + dot;
      return [text.slice(0, at), text.slice(at)];
    },
    path_join: (value: unknown) =>
      (typeof value === 'string' ? [value] : listOf('path_join', value)).map(String).reduce((path, part) => (part.startsWith('/') || path === '' ? part : path.endsWith('/') ? path + part : `${path}/${part}`), ''),
    to_json: (value: unknown, ...args: never[]) => {
      const { indent, sort_keys: sortKeys, ensure_ascii: ensureAscii } = bindArguments('to_json', args, { indent: null as unknown, sort_keys: false, ensure_ascii: true });
      return pythonJson(value, { indent: indent === null ? undefined : Number(indent), sortKeys: pythonTruthy(sortKeys), ensureAscii: pythonTruthy(ensureAscii) });
    },
    to_nice_json: (value: unknown, ...args: never[]) => {
      const { indent, sort_keys: sortKeys, ensure_ascii: ensureAscii } = bindArguments('to_nice_json', args, { indent: 4 as unknown, sort_keys: true, ensure_ascii: true });
      return pythonJson(value, { indent: Number(indent), sortKeys: pythonTruthy(sortKeys), ensureAscii: pythonTruthy(ensureAscii) });
    },
    to_yaml: (value: unknown, ...args: never[]) => {
      const { indent } = bindArguments('to_yaml', args, { indent: 2 as unknown });
      return pythonYaml(value, Number(indent), true);
    },
    to_nice_yaml: (value: unknown, ...args: never[]) => {
      const { indent } = bindArguments('to_nice_yaml', args, { indent: 4 as unknown });
      return pythonYaml(value, Number(indent), false);
    },
    from_yaml: (value: unknown) => {
      if (typeof value !== 'string') return value;
      const source = parseYaml('from_yaml', value);
      if (!source.syntaxOk) fail(`from_yaml: not valid YAML: ${source.issues[0]?.message ?? ''}`);
      return source.data;
    },
    combine,
    dict2items: (value: unknown, ...args: never[]) => {
      const { key_name: keyName, value_name: valueName } = bindArguments('dict2items', args, { key_name: 'key' as unknown, value_name: 'value' as unknown });
      if (!isMapping(value)) fail(`dict2items requires a dictionary, got ${typeName(value)} instead`);
      return Object.entries(value).map(([key, item]) => ({ [String(keyName)]: key, [String(valueName)]: item }));
    },
    items2dict: (value: unknown, ...args: never[]) => {
      const { key_name: keyName, value_name: valueName } = bindArguments('items2dict', args, { key_name: 'key' as unknown, value_name: 'value' as unknown });
      if (!Array.isArray(value)) fail(`items2dict requires a list, got ${typeName(value)} instead`);
      return Object.fromEntries(
        value.map((item) => {
          if (!isMapping(item) || !(String(keyName) in item) || !(String(valueName) in item)) {
            fail(`items2dict requires each dictionary in the list to contain the keys '${String(keyName)}' and '${String(valueName)}'`);
          }
          return [String(item[String(keyName)]), item[String(valueName)]];
        }),
      );
    },
    unique: (value: unknown, ...args: never[]) => {
      const { case_sensitive: caseSensitive, attribute } = bindArguments('unique', args, { case_sensitive: null as unknown, attribute: null as unknown });
      const list = listOf('unique', value);
      if (attribute === null) return uniqueItems(list, !pythonTruthy(caseSensitive));
      const seen: unknown[] = [];
      return list.filter((item) => {
        const key = requiredAttribute('unique', item, String(attribute));
        const folded = !pythonTruthy(caseSensitive) && typeof key === 'string' ? key.toLowerCase() : key;
        if (contains(seen, folded)) return false;
        seen.push(folded);
        return true;
      });
    },
    union: (value: unknown, other: unknown) => uniqueItems([...listOf('union', value), ...listOf('union', other)], false),
    intersect: (value: unknown, other: unknown) => uniqueItems(listOf('intersect', value).filter((item) => contains(listOf('intersect', other), item)), false),
    difference: (value: unknown, other: unknown) => uniqueItems(listOf('difference', value).filter((item) => !contains(listOf('difference', other), item)), false),
    symmetric_difference: (value: unknown, other: unknown) => {
      const [a, b] = [listOf('symmetric_difference', value), listOf('symmetric_difference', other)];
      return uniqueItems([...a, ...b], false).filter((item) => !(contains(a, item) && contains(b, item)));
    },
    flatten: (value: unknown, ...args: never[]) => {
      const { levels, skip_nulls: skipNulls } = bindArguments('flatten', args, { levels: null as unknown, skip_nulls: true });
      return flatten(value, levels === null ? null : Number(levels), pythonTruthy(skipNulls));
    },
    count: (value: unknown) => (isMapping(value) ? Object.keys(value).length : listOf('count', value).length),
    min: extreme('min'),
    max: extreme('max'),
    sum,
    sort,
    list: (value: unknown) => listOf('list', value),
    zip: zipLists(false),
    zip_longest: zipLists(true),
    product,
    combinations: (value: unknown, size: unknown) => {
      const pool = listOf('combinations', value);
      const pick = (start: number, left: number): unknown[][] =>
        left === 0 ? [[]] : pool.slice(start).flatMap((item, offset) => pick(start + offset + 1, left - 1).map((rest) => [item, ...rest]));
      return pick(0, Number(size));
    },
    permutations: (value: unknown, size: unknown = null) => {
      const pool = listOf('permutations', value);
      const arrange = (items: unknown[], left: number): unknown[][] =>
        left === 0 ? [[]] : items.flatMap((item, index) => arrange([...items.slice(0, index), ...items.slice(index + 1)], left - 1).map((rest) => [item, ...rest]));
      return arrange(pool, size === null ? pool.length : Number(size));
    },
    subelements,
    extract,
    ternary: (value: unknown, whenTrue: unknown, whenFalse: unknown, whenNone: unknown = null) =>
      value === null && whenNone !== null ? whenNone : pythonTruthy(value) ? whenTrue : whenFalse,
    hash,
    sha1: (value: unknown) => hash(value, 'sha1'),
    md5: (value: unknown) => hash(value, 'md5'),
    checksum: (value: unknown) => hash(value, 'sha1'),
    to_uuid: toUuid,
    type_debug: (value: unknown) => typeName(value),
    pow: (value: unknown, exponent: unknown) => Number(value) ** Number(exponent),
    log: (value: unknown, base: unknown = Math.E) => Math.log(Number(value)) / Math.log(Number(base)),
    root: (value: unknown, base: unknown = 2) => (Number(base) === 2 ? Math.sqrt(Number(value)) : Number(value) ** (1 / Number(base))),
    dictsort: (value: unknown, ...args: never[]) => {
      const { case_sensitive: caseSensitive, by, reverse } = bindArguments('dictsort', args, { case_sensitive: false, by: 'key' as unknown, reverse: false });
      if (!isMapping(value)) fail(`dictsort needs a dictionary, not ${typeName(value)}`);
      const position = by === 'key' ? 0 : by === 'value' ? 1 : fail("dictsort: you can only sort by either 'key' or 'value'");
      const sorted = Object.entries(value).sort((a, b) => pythonCompare(a[position], b[position], pythonTruthy(caseSensitive)));
      return pythonTruthy(reverse) ? sorted.reverse() : sorted;
    },
    format: (value: unknown, ...args: never[]) => {
      const { positional, keywords } = splitKeywords(args);
      return positional.length > 0 ? pythonModulo(pythonStr(value), positional, true) : pythonModulo(pythonStr(value), keywords, false);
    },
    truncate,
    groupby,
    escape: (value: unknown) => pythonStr(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!),
    e: (value: unknown) => pythonStr(value).replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]!),
    first: (value: unknown) => {
      const list = listOf('first', value);
      return list.length > 0 ? list[0] : fail('first: no first item, sequence was empty');
    },
    last: (value: unknown) => {
      const list = listOf('last', value);
      return list.length > 0 ? list.at(-1) : fail('last: no last item, sequence was empty');
    },
    round,
    items: (value: unknown) => (value === undefined ? [] : isMapping(value) ? Object.entries(value) : fail(`items: can only get item pairs from a mapping, not ${typeName(value)}`)),
  };
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
}
