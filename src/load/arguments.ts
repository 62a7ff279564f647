import { moduleSchemaId, schemaDocument } from '../schema/ajv.js';
import { hasTemplate } from '../template/index.js';
import { KeyValueError, parseKeyValue, type KeyValueArgs, type Span } from './key-value.js';
import { isRecord, scalarAt, type DataPath, type YamlSource } from './source.js';

/** Where one argument was written: its path in the YAML and, inside a key=value string, its key's and value's spans. */
export interface ArgumentOrigin {
  path: DataPath;
  key?: Span;
  value?: Span;
}

/** A mistake in how a task's arguments are written, found before the schema checks their values. */
export interface ArgumentProblem {
  message: string;
  hint?: string;
  path: DataPath;
  span?: Span;
  /** The argument it is about: the schema check leaves it out, since it would only repeat the problem. */
  argument?: string;
}

export interface WrittenArguments {
  /** The module's arguments as it will get them; undefined when they cannot be read (see problems). */
  args: unknown;
  /** Where each top-level argument was written. */
  origins: Record<string, ArgumentOrigin>;
  problems: ArgumentProblem[];
}

/** Modules whose arguments may be one free-form string, the command line (its `cmd`). */
/** Modules whose string form is free text, and the argument that text is. */
const FREE_FORM_MODULES = new Map([
  ['command', 'cmd'],
  ['shell', 'cmd'],
  ['meta', 'free_form'],
  ['include_vars', 'file'],
]);
/** Modules whose free text may also hold option words (Ansible's command and shell). */
const OPTION_WORD_MODULES = new Set(['command', 'shell']);
/** The words Ansible takes out of a free-form command line as arguments (splitter.py's check_raw list). */
const FREE_FORM_OPTIONS = new Set(['creates', 'removes', 'chdir', 'executable', 'warn', 'stdin', 'stdin_add_newline', 'strip_empty_ends']);
/** Ansible's boolean spellings (module_utils/parsing/convert_bool.py), compared in lower case. */
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);
/** The pattern of an octal file mode in schemas/modules (copy, file, template, line, nfs_export). */
const FILE_MODE_PATTERN = '^[0-7]{3,4}$';

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  oneOf?: PropertySchema[];
  anyOf?: PropertySchema[];
  $ref?: string;
  pattern?: string;
}

function propertySchema(module: string, argument: string): { property: PropertySchema | undefined; definitions: Record<string, PropertySchema> } {
  const schema = schemaDocument(moduleSchemaId(module)) as { properties?: Record<string, PropertySchema>; definitions?: Record<string, PropertySchema> } | undefined;
  return { property: schema?.properties?.[argument], definitions: schema?.definitions ?? {} };
}

/** The JSON types a property accepts; empty when it says nothing (any type). */
function typesOf(property: PropertySchema | undefined, definitions: Record<string, PropertySchema>): Set<string> {
  if (property === undefined) return new Set();
  const reference = property.$ref?.match(/^#\/definitions\/(.+)$/)?.[1];
  if (reference !== undefined) return typesOf(definitions[reference], definitions);
  const variants = property.oneOf ?? property.anyOf;
  if (variants) return new Set(variants.flatMap((variant) => [...typesOf(variant, definitions)]));
  if (property.type !== undefined) return new Set([property.type].flat());
  return new Set((property.enum ?? []).map((value) => typeof value));
}

/**
 * A key=value value is a string; Ansible's argument types convert it (`enabled=yes` is true,
 * `cache_valid_time=3600` a number). Arguments that take strings keep it, and so does a template,
 * which the run renders; a value that does not convert stays a string for the schema to refuse.
 */
function typedValue(module: string, argument: string, value: string): unknown {
  const { property, definitions } = propertySchema(module, argument);
  const types = typesOf(property, definitions);
  if (types.size === 0 || types.has('string') || hasTemplate(value)) return value;
  const word = value.trim().toLowerCase();
  if (types.has('boolean') && TRUE_WORDS.has(word)) return true;
  if (types.has('boolean') && FALSE_WORDS.has(word)) return false;
  if ((types.has('integer') || types.has('number')) && /^[-+]?\d+$/.test(word)) return Number(word);
  if (types.has('number') && word !== '' && Number.isFinite(Number(word))) return Number(word);
  return value;
}

/**
 * Arguments once their templates are rendered, converted as Ansible's argument spec converts them:
 * a number or boolean where a string is taken becomes Python's str() of it (`hour: "{{ 2 }}"` is "2",
 * true is "True"), a number where an octal mode is taken is that mode (493 is "0755"), and boolean
 * words and numeric strings become booleans and numbers where those are taken. Anything else stays,
 * for the schema to refuse.
 */
export function convertRenderedArguments(module: string, args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(args).map(([argument, value]) => {
      const { property, definitions } = propertySchema(module, argument);
      const types = typesOf(property, definitions);
      if (types.size === 0) return [argument, value];
      if (typeof value === 'string') return [argument, typedValue(module, argument, value)];
      if (types.has(typeof value === 'number' && Number.isInteger(value) ? 'integer' : typeof value) || types.has(typeof value)) return [argument, value];
      if (!types.has('string') || (typeof value !== 'number' && typeof value !== 'boolean')) return [argument, value];
      if (typeof value === 'number' && property?.pattern === FILE_MODE_PATTERN) return [argument, value.toString(8).padStart(4, '0')];
      return [argument, typeof value === 'boolean' ? (value ? 'True' : 'False') : String(value)];
    }),
  );
}

/** `key=value` words: the arguments, and for command and shell the rest of the line as `cmd`. */
function keyValueArguments(module: string, text: string, path: DataPath): WrittenArguments {
  const freeForm = FREE_FORM_MODULES.get(module);
  let parsed: KeyValueArgs;
  try {
    parsed = parseKeyValue(text, freeForm !== undefined ? (key) => OPTION_WORD_MODULES.has(module) && FREE_FORM_OPTIONS.has(key) : undefined);
  } catch (error) {
    if (!(error instanceof KeyValueError)) throw error;
    return { args: undefined, origins: {}, problems: [{ message: error.message, path, span: error.span }] };
  }
  const args: Record<string, unknown> = {};
  const origins: Record<string, ArgumentOrigin> = {};
  const problems: ArgumentProblem[] = [];
  const seen = new Set<string>();
  for (const { key, value, keySpan, valueSpan } of parsed.pairs) {
    if (seen.has(key)) {
      problems.push({
        message: `argument "${key}" is given twice`,
        hint: 'give each argument once; Ansible would silently take the last',
        path,
        span: keySpan,
      });
    }
    seen.add(key);
    args[key] = typedValue(module, key, value);
    origins[key] = { path, key: keySpan, value: valueSpan };
  }
  // A blank command line stays one, for the schema to call empty.
  if (freeForm !== undefined && (parsed.free.length > 0 || parsed.pairs.length === 0)) {
    args[freeForm] = parsed.freeText;
    origins[freeForm] = { path };
  } else {
    for (const word of parsed.free) {
      const template = hasTemplate(word.text);
      problems.push({
        message: `"${word.text.trim()}" is not a key=value argument`,
        hint: template
          ? 'Ansible would read the arguments from that template; runbook checks arguments before the run, so write them out as key=value words or a mapping'
          : `${module} takes key=value words or a mapping; only command and shell take a free-form command line`,
        path,
        span: { offset: word.start, length: word.end - word.start },
      });
    }
  }
  return { args, origins, problems };
}

/** The arguments written under the module key: a mapping, key=value words, or nothing. */
function ownArguments(module: string, written: unknown, path: DataPath): WrittenArguments {
  if (written === null || written === undefined) return { args: {}, origins: {}, problems: [] };
  if (typeof written === 'string') return keyValueArguments(module, written, path);
  if (!isRecord(written)) return { args: written, origins: {}, problems: [] };
  return { args: written, origins: Object.fromEntries(Object.keys(written).map((key) => [key, { path: [...path, key] }])), problems: [] };
}

/** Unquoted file modes: `0644` is octal (YAML 1.1, as Ansible reads it) and becomes "0644"; a decimal `644` is refused. */
function fileModes(module: string, arguments_: WrittenArguments, source: YamlSource): WrittenArguments {
  const { args, origins } = arguments_;
  if (!isRecord(args)) return arguments_;
  const modes = { ...args };
  const problems = [...arguments_.problems];
  for (const [key, value] of Object.entries(args)) {
    const origin = origins[key];
    if (typeof value !== 'number' || origin === undefined || propertySchema(module, key).property?.pattern !== FILE_MODE_PATTERN) continue;
    const scalar = scalarAt(source, origin.path);
    if (scalar?.format === 'OCT') {
      modes[key] = value.toString(8).padStart(4, '0');
      continue;
    }
    // Accepting it either way would be wrong: as Ansible does (decimal), it is almost never what was
    // meant; as the digits suggest (octal), it would differ from Ansible. So it is refused, with the fix.
    const written = scalar?.source ?? String(value);
    const octal = value.toString(8).padStart(4, '0');
    // The digits are the mode meant (644 for 0644) unless they cannot be octal (493: Ansible's 0755).
    const meant = /^[0-7]{3,4}$/.test(written) ? written.padStart(4, '0') : /^[0-7]{3,4}$/.test(octal) ? octal : undefined;
    problems.push({
      message: `${key}: ${written} is the decimal number ${value}, which Ansible would apply as mode 0${value.toString(8)}`,
      hint: meant === undefined ? `write the octal mode as a string, e.g. ${key}: "0644"` : `write the octal mode as a string: ${key}: "${meant}"`,
      path: origin.path,
      argument: key,
    });
  }
  return { args: modes, origins, problems };
}

/**
 * A task's module arguments as written: under the module key (a mapping, Ansible's key=value words,
 * or a free-form command line), merged over the task's `args:` mapping (the module's own win, as in
 * Ansible), with unquoted octal modes read as Ansible reads them.
 */
export function writtenArguments(source: YamlSource, task: Record<string, unknown>, taskPath: DataPath, moduleKey: string, module: string): WrittenArguments {
  const own = ownArguments(module, task[moduleKey], [...taskPath, moduleKey]);
  if (!isRecord(own.args) || !isRecord(task.args)) return fileModes(module, own, source);
  const argsPath = [...taskPath, 'args'];
  const base = Object.fromEntries(Object.keys(task.args).map((key) => [key, { path: [...argsPath, key] }]));
  return fileModes(module, { args: { ...task.args, ...own.args }, origins: { ...base, ...own.origins }, problems: own.problems }, source);
}
