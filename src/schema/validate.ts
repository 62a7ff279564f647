import type { AnySchemaObject, ErrorObject } from 'ajv';
import { compiledSchema, moduleSchemaId } from './ajv.js';
import { didYouMeanHint } from './did-you-mean.js';

/** One schema violation as plain data, worded for people. */
export interface SchemaIssue {
  /** JSON Pointer into the validated data, e.g. `/0/tasks/2/port`. */
  instancePath: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
  hint?: string;
}

/**
 * Validate `data` against the schema with this $id and return every problem (empty when valid).
 * Never throws for any data; an unknown or broken schema id is a programming error (RB_INTERNAL).
 */
export function validate(schemaId: string, data: unknown): SchemaIssue[] {
  const validator = compiledSchema(schemaId);
  if (validator(data)) return [];
  const noun = schemaId.startsWith(moduleSchemaId('')) ? 'argument' : 'key';
  return simplify(validator.errors ?? [], noun);
}

interface Pending extends SchemaIssue {
  /** Set when the issue only says the value has the wrong JSON type: the allowed types. */
  expectedTypes?: string[];
  data: unknown;
  parentSchema?: AnySchemaObject;
  /** Set on violations by a mapping key's name (under propertyNames). */
  propertyName?: string;
}

/**
 * Turn ajv errors into issues. An anyOf/oneOf reports its branches' errors just before itself; they
 * collapse into one `expected A or B` when every branch only disagrees on the type, else the
 * branches that got past the type check speak for it.
 */
function simplify(errors: readonly ErrorObject[], noun: string): SchemaIssue[] {
  const pending: Pending[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue; // the failing `then`/`else` branch reports the specifics
    if ((error.keyword === 'anyOf' || error.keyword === 'oneOf') && !Array.isArray(error.params.passingSchemas)) {
      const children: Pending[] = [];
      while (pending.length > 0 && isWithin((pending.at(-1) as Pending).instancePath, error.instancePath)) {
        children.unshift(pending.pop() as Pending);
      }
      pending.push(...mergeBranches(error, children));
      continue;
    }
    if (error.keyword === 'propertyNames') {
      // The name's own violations come just before, marked with the offending name.
      const reasons: string[] = [];
      while (pending.length > 0 && (pending.at(-1) as Pending).propertyName === error.params.propertyName) {
        const reason = pending.pop() as Pending;
        reasons.unshift(reason.keyword === 'pattern' ? patternReason(reason.params, reason.parentSchema) : reason.message);
      }
      const name = JSON.stringify(error.params.propertyName);
      pending.push({ ...toPending(error, noun), message: `invalid ${noun} name ${name}${reasons.length ? `: ${reasons.join('; ')}` : ''}` });
      continue;
    }
    pending.push(toPending(error, noun));
  }
  // When a value has the wrong type, other complaints about the same value are noise.
  const mistyped = new Set(pending.filter((issue) => issue.expectedTypes).map((issue) => issue.instancePath));
  return pending
    .filter((issue) => issue.expectedTypes !== undefined || !mistyped.has(issue.instancePath))
    .map(({ instancePath, keyword, message, params, hint }) =>
    hint === undefined ? { instancePath, keyword, message, params } : { instancePath, keyword, message, params, hint },
  );
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}/`);
}

function mergeBranches(error: ErrorObject, children: Pending[]): Pending[] {
  const typeOnly = children.filter((child) => child.instancePath === error.instancePath && child.expectedTypes);
  const specific = children.filter((child) => !typeOnly.includes(child));
  if (specific.length > 0) return specific;
  const expectedTypes = [...new Set(typeOnly.flatMap((child) => child.expectedTypes ?? []))];
  return [
    {
      instancePath: error.instancePath,
      keyword: 'type',
      message: `expected ${expectedTypes.join(' or ')}, got ${describe(error.data)}`,
      params: { type: expectedTypes },
      expectedTypes,
      data: error.data,
    },
  ];
}

const TYPE_NAMES: Record<string, string> = { array: 'list', object: 'mapping' };

function typeName(type: string): string {
  return TYPE_NAMES[type] ?? type;
}

/** `string "abc"`, `integer 5`, `list`, `null` ... */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === 'number') return `${Number.isInteger(value) ? 'integer' : 'number'} ${value}`;
  if (typeof value === 'boolean') return `boolean ${value}`;
  if (typeof value === 'object') return 'mapping';
  return typeof value;
}

function quoted(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(', ');
}

function propertyNames(schema: AnySchemaObject | undefined): string[] {
  const properties: unknown = schema?.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}

/**
 * What a pattern asks for, in words: the `patternMessage` the schema gives beside the pattern (an
 * annotation keyword of runbook's), else the pattern itself.
 */
function patternReason(params: Record<string, unknown>, schema: AnySchemaObject | undefined): string {
  const message: unknown = schema?.patternMessage;
  return typeof message === 'string' ? message : `must match ${String(params.pattern)}`;
}

function toPending(error: ErrorObject, noun: string): Pending {
  const params = error.params as Record<string, unknown>;
  const parentSchema = error.parentSchema as AnySchemaObject | undefined;
  const base = {
    instancePath: error.instancePath,
    keyword: error.keyword,
    params,
    data: error.data,
    ...(parentSchema === undefined ? {} : { parentSchema }),
    ...(error.propertyName === undefined ? {} : { propertyName: error.propertyName }),
  };
  // A writeOnly value (a password hash) is never repeated in a message.
  const secret = parentSchema?.writeOnly === true;
  const got = secret ? 'a value that is not shown' : describe(error.data);
  switch (error.keyword) {
    case 'type': {
      const expectedTypes = [params.type].flat().map((type) => typeName(String(type)));
      return { ...base, expectedTypes, message: `expected ${expectedTypes.join(' or ')}, got ${got}` };
    }
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const hint = didYouMeanHint(name, propertyNames(error.parentSchema));
      return { ...base, message: `unknown ${noun} "${name}"`, ...(hint === undefined ? {} : { hint }) };
    }
    case 'required':
      return { ...base, message: `missing required ${noun} "${String(params.missingProperty)}"` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const hint =
        typeof error.data === 'string' ? didYouMeanHint(error.data, allowed.map((value) => String(value))) : undefined;
      return {
        ...base,
        message: `expected one of ${quoted(allowed)}, got ${got}`,
        ...(hint === undefined ? {} : { hint }),
      };
    }
    case 'const':
      return { ...base, message: `expected ${JSON.stringify(params.allowedValue)}, got ${got}` };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { ...base, message: `expected a number ${String(params.comparison)} ${String(params.limit)}, got ${got}` };
    case 'minLength':
      return {
        ...base,
        message: params.limit === 1 ? 'must not be empty' : `must be at least ${String(params.limit)} characters long`,
      };
    case 'maxLength':
      return { ...base, message: `must be at most ${String(params.limit)} characters long` };
    case 'minItems':
      return {
        ...base,
        message: params.limit === 1 ? 'must not be an empty list' : `must have at least ${String(params.limit)} items`,
      };
    case 'maxItems':
      return { ...base, message: `must have at most ${String(params.limit)} items` };
    case 'minProperties':
      return { ...base, message: params.limit === 1 ? 'must not be empty' : `must have at least ${String(params.limit)} keys` };
    case 'uniqueItems':
      return { ...base, message: `items ${String(params.j)} and ${String(params.i)} are the same` };
    case 'pattern':
      return { ...base, message: `invalid value${secret ? '' : ` ${JSON.stringify(error.data)}`}: ${patternReason(params, parentSchema)}` };
    case 'format':
      return { ...base, message: `expected a valid ${String(params.format)}, got ${got}` };
    case 'dependencies':
    case 'dependentRequired':
      return { ...base, message: `"${String(params.property)}" requires "${String(params.missingProperty)}"` };
    case 'not': {
      const forbidden: unknown = (error.schema as AnySchemaObject | undefined)?.required;
      if (Array.isArray(forbidden) && forbidden.length > 1) {
        return { ...base, message: `${forbidden.map((name) => `"${String(name)}"`).join(' and ')} cannot be used together` };
      }
      return { ...base, message: error.message ?? 'is not allowed here' };
    }
    case 'oneOf':
      return { ...base, message: 'matches more than one of the allowed forms; make it match exactly one' };
    default:
      return { ...base, message: error.message ?? `fails the "${error.keyword}" rule` };
  }
}
