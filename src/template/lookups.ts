import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { RunbookError } from '../errors.js';
import { splitKeywords } from './arguments.js';
import { isMapping, pythonModulo, pythonStr, pythonTruthy, typeName } from './python.js';
import { fnmatchRegExp } from '../python/fnmatch.js';

/**
 * Ansible's lookup plugins (ansible.builtin), run on the controller when a template is rendered:
 * `lookup(name, terms..., wantlist=, errors=, options...)`, `query`/`q` (always a list), and the
 * `with_<name>` loops, which take their items from the same plugins. Relative paths are searched
 * as Ansible's find_file_in_search_path does: the role's directory (`role_path`), then the
 * playbook's (`playbook_dir`), each in its `files/` (or `templates/`) subdirectory first.
 */

export interface LookupContext {
  vars: Record<string, unknown>;
  /** Renders every template inside a value in these variables (the vars and template lookups). */
  render(value: unknown, vars: Record<string, unknown>): unknown;
  /**
   * The role or playbook subdirectory relative names are searched in first: in a task's with_<lookup>
   * loop, Ansible's executor gives it from the task's module (templates, vars, else files).
   */
  subdir?: string;
}

type Plugin = (terms: unknown[], options: Record<string, unknown>, context: LookupContext) => unknown[];

/** A lookup that fails; `errors='ignore'` or `'warn'` turn this into an empty result. */
class LookupError extends RunbookError {
  constructor(name: string, message: string) {
    super('RB_TEMPLATE', `lookup ${name}: ${message}`);
  }
}

function option(options: Record<string, unknown>, name: string, fallback: unknown): unknown {
  return Object.hasOwn(options, name) ? options[name] : fallback;
}

function onlyOptions(name: string, options: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(options).filter((key) => !known.includes(key));
  if (unknown.length > 0) throw new LookupError(name, `unknown option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`);
}

/** Where a relative path is looked for: the role's directory, then the playbook's. */
function searchBases(vars: Record<string, unknown>): string[] {
  const bases = [vars.role_path, vars.playbook_dir].filter((base): base is string => typeof base === 'string' && base !== '');
  return bases.length > 0 ? bases : [process.cwd()];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** find_file_in_search_path: `<base>/<subdir>/<term>` then `<base>/<term>` for each base; an absolute term as is. */
export function findInSearchPath(vars: Record<string, unknown>, subdir: string, term: string, directory = false): string | undefined {
  const exists = directory ? isDirectory : (path: string) => isFile(path) || isDirectory(path);
  if (isAbsolute(term)) return exists(term) ? term : undefined;
  for (const base of searchBases(vars)) {
    const candidates = term.split('/')[0] === subdir ? [join(base, term)] : [join(base, subdir, term), join(base, term)];
    const found = candidates.find(exists);
    if (found !== undefined) return found;
  }
  return undefined;
}


const hasGlob = (text: string) => /[*?[]/.test(text);

function fileglob(terms: unknown[], options: Record<string, unknown>, { vars }: LookupContext): unknown[] {
  onlyOptions('fileglob', options, []);
  const found: string[] = [];
  for (const term of terms.map(String)) {
    const [directory, name] = [dirname(term), basename(term)];
    if (directory !== '.' && hasGlob(directory)) throw new LookupError('fileglob', `${JSON.stringify(term)}: a pattern matches file names in one directory, not directories`);
    const directories =
      directory === '.' && !term.startsWith('./') ? searchBases(vars).flatMap((base) => [join(base, 'files'), base]) : [findInSearchPath(vars, 'files', directory, true)].filter((path): path is string => path !== undefined);
    const pattern = fnmatchRegExp(name);
    for (const candidate of directories) {
      let entries: string[];
      try {
        entries = readdirSync(candidate).sort();
      } catch {
        continue;
      }
      const matches = entries.filter((entry) => (!entry.startsWith('.') || name.startsWith('.')) && pattern.test(entry)).map((entry) => join(candidate, entry)).filter(isFile);
      if (matches.length > 0) {
        found.push(...matches);
        break;
      }
    }
  }
  return found;
}

/** first_found's `files` and `paths`, written as a list or as one string split on its separators. */
function splitOn(value: unknown, separators: RegExp): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(separators).map((part) => part.trim()).filter((part) => part !== '');
  if (Array.isArray(value)) return value.flatMap((item) => splitOn(item, separators));
  return [String(value)];
}

function firstFound(terms: unknown[], options: Record<string, unknown>, context: LookupContext): unknown[] {
  const subdir = context.subdir ?? 'files';
  onlyOptions('first_found', options, ['files', 'paths', 'skip']);
  let candidates: string[] = [];
  let skip = pythonTruthy(option(options, 'skip', false));
  const collect = (list: unknown[]) => {
    for (const term of list) {
      if (Array.isArray(term)) {
        collect(term);
        continue;
      }
      if (!isMapping(term) && typeof term !== 'string') throw new LookupError('first_found', `a term is a file name, a list of them or a mapping (files, paths, skip), not ${typeName(term)}`);
      const given = isMapping(term) ? term : options;
      if (isMapping(term)) onlyOptions('first_found', term, ['files', 'paths', 'skip']);
      const files = splitOn(given.files, /[,;]/);
      const paths = splitOn(given.paths, /[,:;]/);
      skip = pythonTruthy(given.skip ?? false);
      // As Ansible's: paths × files, else the files (replacing what came before), else the term itself.
      if (paths.length > 0) candidates.push(...paths.flatMap((path) => files.map((file) => join(path, file))));
      else if (files.length > 0) candidates = files;
      else candidates.push(String(term));
    }
  };
  collect(terms);
  for (const candidate of candidates) {
    let name: string;
    try {
      name = pythonStr(context.render(candidate, context.vars));
    } catch {
      // Ansible skips a candidate whose template names an undefined variable.
      continue;
    }
    const path = findInSearchPath(context.vars, subdir, name);
    if (path !== undefined) return [path];
  }
  if (skip) return [];
  throw new LookupError('first_found', 'no file was found when using first_found');
}

/** int(text, 0): decimal, or 0x / 0o / 0b prefixed; a leading zero is an error as in Python 3. */
function pythonInt0(text: string, what: string): number {
  const match = /^([+-]?)(?:0x([0-9a-f]+)|0o([0-7]+)|0b([01]+)|([1-9][0-9]*|0+))$/i.exec(text.trim().replaceAll('_', ''));
  if (match === null) throw new LookupError('sequence', `can't parse ${what}=${text} as integer`);
  const [, sign, hex, octal, binary, decimal] = match;
  const value = hex !== undefined ? parseInt(hex, 16) : octal !== undefined ? parseInt(octal, 8) : binary !== undefined ? parseInt(binary, 2) : Number(decimal);
  return sign === '-' ? -value : value;
}

const SHORTCUT = /^((0?x?[0-9a-f]+)-)?(0?x?[0-9a-f]+)(\/(0?x?[0-9a-f]+))?(:(.+))?$/i;

function sequence(terms: unknown[], options: Record<string, unknown>): unknown[] {
  onlyOptions('sequence', options, []);
  return terms.flatMap((term) => {
    const text = String(term);
    const settings: { start: number; end?: number; count?: number; stride: number; format: string } = { start: 1, stride: 1, format: '%d' };
    const shortcut = SHORTCUT.exec(text);
    if (shortcut) {
      if (shortcut[2] !== undefined) settings.start = pythonInt0(shortcut[2], 'start');
      settings.end = pythonInt0(shortcut[3]!, 'end');
      if (shortcut[5] !== undefined) settings.stride = pythonInt0(shortcut[5], 'stride');
      if (shortcut[7] !== undefined) settings.format = shortcut[7];
    } else {
      for (const pair of text.trim().split(/\s+/)) {
        const [key, ...rest] = pair.split('=');
        const value = rest.join('=');
        if (rest.length === 0) throw new LookupError('sequence', `unrecognized arguments to with_sequence: ${JSON.stringify(pair)}`);
        if (key === 'format') settings.format = value;
        else if (key === 'start' || key === 'end' || key === 'count' || key === 'stride') settings[key] = pythonInt0(value, key);
        else throw new LookupError('sequence', `unrecognized arguments to with_sequence: ['${key}']`);
      }
    }
    let { start, stride } = settings;
    let end = settings.end;
    if (settings.count === undefined && end === undefined) throw new LookupError('sequence', 'must specify count or end in with_sequence');
    if (settings.count !== undefined && end !== undefined) throw new LookupError('sequence', "can't specify both count and end in with_sequence");
    if (settings.count !== undefined) {
      if (settings.count !== 0) end = start + settings.count * stride - 1;
      else [start, end, stride] = [0, 0, 0];
    }
    if (stride > 0 && end! < start) throw new LookupError('sequence', 'to count backwards make stride negative');
    if (stride < 0 && end! > start) throw new LookupError('sequence', "to count forward don't make stride negative");
    if (settings.format.split('%').length - 1 !== 1) throw new LookupError('sequence', `bad formatting string: ${settings.format}`);
    if (stride === 0) return [];
    const numbers: unknown[] = [];
    const stop = end! + (stride >= 0 ? 1 : -1);
    for (let number = start; stride > 0 ? number < stop : number > stop; number += stride) numbers.push(pythonModulo(settings.format, number));
    return numbers;
  });
}

/** LookupBase._flatten: lists among the terms give their items (one level). */
const flattenOnce = (terms: unknown[]) => terms.flatMap((term) => (Array.isArray(term) ? term : [term]));

function subelements(terms: unknown[], options: Record<string, unknown>): unknown[] {
  onlyOptions('subelements', options, []);
  const [items, path, flags = {}] = terms;
  if (terms.length < 2 || terms.length > 3 || typeof path !== 'string' || !isMapping(flags)) {
    throw new LookupError('subelements', 'subelements lookup expects a list of two or three items: a list of dictionaries, a key, and optionally {skip_missing: true}');
  }
  const skipMissing = pythonTruthy(flags.skip_missing ?? false);
  const elements = Array.isArray(items) ? items : isMapping(items) ? Object.values(items) : [];
  if (!Array.isArray(items) && !isMapping(items)) throw new LookupError('subelements', 'the first term should be a list of dictionaries or a dictionary');
  return elements.flatMap((element) => {
    if (isMapping(element) && element.skipped === true) return [];
    let values: unknown = element;
    for (const key of path.split('.')) {
      if (!isMapping(values) || !Object.hasOwn(values, key)) {
        if (skipMissing) return [];
        throw new LookupError('subelements', `could not find '${key}' key in iterated item ${pythonStr(values)}`);
      }
      values = values[key];
    }
    if (!Array.isArray(values)) throw new LookupError('subelements', `the key ${path} should point to a list, got ${pythonStr(values)}`);
    return values.map((value) => [element, value]);
  });
}

function pipe(command: string): string {
  // By design a shell command, as in Ansible (Popen with shell=True): the playbook's author writes it.
  try {
    return execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trimEnd();
  } catch (error) {
    const status = (error as { status?: number }).status;
    throw new LookupError('pipe', `lookup_plugin.pipe(${command}) returned ${status ?? 'an error'}`);
  }
}

const PLUGINS: Readonly<Record<string, Plugin>> = {
  file: (terms, options, { vars }) => {
    onlyOptions('file', options, ['lstrip', 'rstrip']);
    return terms.map((term) => {
      const path = findInSearchPath(vars, 'files', String(term));
      if (path === undefined || !isFile(path)) throw new LookupError('file', `could not locate file in lookup: ${String(term)}`);
      let contents = readFileSync(path, 'utf8');
      if (pythonTruthy(option(options, 'lstrip', false))) contents = contents.trimStart();
      if (pythonTruthy(option(options, 'rstrip', true))) contents = contents.trimEnd();
      return contents;
    });
  },
  env: (terms, options) => {
    onlyOptions('env', options, ['default']);
    return terms.map((term) => process.env[String(term).split(/\s+/)[0]!] ?? option(options, 'default', ''));
  },
  template: (terms, options, context) => {
    onlyOptions('template', options, ['convert_data', 'template_vars', 'jinja2_native', 'variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string']);
    for (const name of ['variable_start_string', 'variable_end_string', 'comment_start_string', 'comment_end_string', 'jinja2_native']) {
      if (name in options) throw new LookupError('template', `the ${name} option is not supported`);
    }
    const templateVars = option(options, 'template_vars', {});
    if (!isMapping(templateVars)) throw new LookupError('template', 'template_vars must be a mapping');
    return terms.map((term) => {
      const path = findInSearchPath(context.vars, 'templates', String(term));
      if (path === undefined || !isFile(path)) throw new LookupError('template', `the template file ${String(term)} could not be found for the lookup`);
      return pythonStr(context.render(readFileSync(path, 'utf8'), { ...context.vars, ...templateVars }));
    });
  },
  pipe: (terms, options) => {
    onlyOptions('pipe', options, []);
    return terms.map((term) => pipe(pythonStr(term)));
  },
  lines: (terms, options) => {
    onlyOptions('lines', options, []);
    return terms.flatMap((term) => {
      const output = pipe(pythonStr(term));
      return output === '' ? [] : output.split('\n');
    });
  },
  vars: (terms, options, context) => {
    onlyOptions('vars', options, ['default']);
    return terms.map((term) => {
      if (typeof term !== 'string') throw new LookupError('vars', `invalid setting identifier, ${pythonStr(term)} is not a string, it is a ${typeName(term)}`);
      if (Object.hasOwn(context.vars, term) && context.vars[term] !== undefined) return context.render(context.vars[term], context.vars);
      if ('default' in options && options.default !== null) return options.default;
      throw new LookupError('vars', `no variable found with this name: ${term}`);
    });
  },
  varnames: (terms, options, { vars }) => {
    onlyOptions('varnames', options, []);
    return terms.flatMap((term) => {
      const pattern = new RegExp(String(term));
      return Object.keys(vars).filter((name) => pattern.test(name));
    });
  },
  fileglob,
  first_found: (terms, options, context) => firstFound(terms, options, context),
  items: (terms, options) => {
    onlyOptions('items', options, []);
    return flattenOnce(terms);
  },
  list: (terms, options) => {
    onlyOptions('list', options, []);
    return terms;
  },
  dict: (terms, options) => {
    onlyOptions('dict', options, []);
    return terms.flatMap((term) => {
      if (!isMapping(term)) throw new LookupError('dict', `with_dict expects a dict, got ${typeName(term)}`);
      return Object.entries(term).map(([key, value]) => ({ key, value }));
    });
  },
  indexed_items: (terms, options) => {
    onlyOptions('indexed_items', options, []);
    return flattenOnce(terms).map((item, index) => [index, item]);
  },
  nested: (terms, options) => {
    onlyOptions('nested', options, []);
    if (terms.length === 0) throw new LookupError('nested', 'with_nested requires at least one element in the nested list');
    const lists = terms.map((term) => (Array.isArray(term) ? term : [term]));
    return lists.slice(1).reduce<unknown[]>((combined, list) => combined.flatMap((left) => list.map((right) => flattenOnce([left, right]))), lists[0]!);
  },
  together: (terms, options) => {
    onlyOptions('together', options, []);
    if (terms.length === 0) throw new LookupError('together', 'with_together requires at least one element in each list');
    const lists = terms.map((term) => (Array.isArray(term) ? term : [term]));
    const length = Math.max(...lists.map((list) => list.length));
    return Array.from({ length }, (_, index) => flattenOnce(lists.map((list) => (index < list.length ? list[index] : null))));
  },
  sequence,
  subelements,
  random_choice: (terms, options) => {
    onlyOptions('random_choice', options, []);
    return terms.length === 0 ? [] : [terms[Math.floor(Math.random() * terms.length)]];
  },
};

/** Lookups of ansible.builtin runbook does not have, with why. */
const REFUSED: Readonly<Record<string, string>> = {
  password: 'it writes password files on the controller; generate the password beforehand',
  url: 'it fetches URLs at template time; use get_url or uri in a task',
  unvault: 'it needs Ansible Vault',
  config: "it reads Ansible's own configuration, which runbook does not have",
  csvfile: 'not supported; read the file with lookup("file") and the split filter',
  ini: 'not supported; read the file with lookup("file") and regex_search',
  inventory_hostnames: 'not supported; use groups["name"]',
};

const FQCN = /^ansible\.(?:builtin|legacy)\./;

/** The plugin's name without `ansible.builtin.`; a problem when runbook lacks it (for validation), else undefined. */
export function lookupProblem(name: string): string | undefined {
  const short = name.replace(FQCN, '');
  if (short in PLUGINS) return undefined;
  if (short in REFUSED) return `lookup "${name}" is not supported: ${REFUSED[short]}`;
  return `unknown lookup "${name}" (runbook has ${Object.keys(PLUGINS).sort().join(', ')})`;
}

/** The list a lookup gives for these terms (the with_<name> loops and query use it as is). */
export function runLookup(name: string, terms: unknown[], options: Record<string, unknown>, context: LookupContext): unknown[] {
  const problem = lookupProblem(name);
  if (problem !== undefined) throw new RunbookError('RB_TEMPLATE', problem);
  return PLUGINS[name.replace(FQCN, '')]!(terms, options, context);
}

/**
 * The `lookup`, `query` and `q` functions of templates. lookup joins a list of strings with commas,
 * gives a single non-string item as itself, and a list unless wantlist; `errors='ignore'` or
 * `'warn'` turn a plugin's failure into None (lookup) or [] (query).
 */
export function lookupFunctions(context: LookupContext): Record<'lookup' | 'query' | 'q', (...args: unknown[]) => unknown> {
  const call = (always: boolean) => (name: unknown, ...args: unknown[]) => {
    const { positional, keywords } = splitKeywords(args);
    const { wantlist = false, errors = 'strict', allow_unsafe: _allowUnsafe, ...options } = keywords;
    const wantList = always || pythonTruthy(wantlist);
    if (!['strict', 'warn', 'ignore'].includes(String(errors))) throw new RunbookError('RB_TEMPLATE', `lookup: errors must be strict, warn or ignore, not ${JSON.stringify(errors)}`);
    let result: unknown[];
    try {
      result = runLookup(String(name), positional, options, context);
    } catch (error) {
      // 'warn' is 'ignore' without the warning: a template has no channel to the run's output.
      if (errors === 'strict' || !(error instanceof LookupError)) throw error;
      return wantList ? [] : null;
    }
    if (wantList || result.length === 0) return result;
    if (result.every((item) => typeof item === 'string')) return result.join(',');
    return result.length === 1 ? result[0] : result;
  };
  return { lookup: call(false), query: call(true), q: call(true) };
}
