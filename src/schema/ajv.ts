import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type AnySchemaObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { RunbookError } from '../errors.js';

/** The package root is two levels above src/schema/ (and dist/schema/). */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas');
const MODULE_ID_PREFIX = 'runbook:module/';

interface SchemaRegistry {
  ajv: Ajv;
  /** $id -> the schema as written, for reading property lists (did-you-mean, task keywords). */
  documents: Map<string, AnySchemaObject>;
}

let registry: SchemaRegistry | undefined;

function schemaFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return schemaFiles(path);
      return entry.isFile() && entry.name.endsWith('.json') ? [path] : [];
    })
    .sort();
}

function readSchema(path: string): AnySchemaObject {
  const name = relative(PACKAGE_ROOT, path);
  let schema: unknown;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new RunbookError('RB_INTERNAL', `schema ${name} is not valid JSON`, { cause: error });
  }
  if (typeof schema !== 'object' || schema === null || typeof (schema as AnySchemaObject).$id !== 'string') {
    throw new RunbookError('RB_INTERNAL', `schema ${name} has no "$id"`);
  }
  return schema as AnySchemaObject;
}

/** Every schemas/**\/*.json, added once by $id (compiled lazily on first use). */
function load(): SchemaRegistry {
  if (registry !== undefined) return registry;
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true });
  formats.default(ajv);
  const documents = new Map<string, AnySchemaObject>();
  for (const path of schemaFiles(SCHEMAS_DIR)) {
    const schema = readSchema(path);
    const id = schema.$id as string;
    if (documents.has(id)) {
      throw new RunbookError('RB_INTERNAL', `schema id "${id}" is used twice (${relative(PACKAGE_ROOT, path)})`);
    }
    documents.set(id, schema);
    ajv.addSchema(schema);
  }
  registry = { ajv, documents };
  return registry;
}

/** The compiled validator for a schema id (fragments allowed, e.g. `runbook:inventory#/definitions/vars`). */
export function compiledSchema(schemaId: string): ValidateFunction {
  let validator: ValidateFunction | undefined;
  try {
    validator = load().ajv.getSchema(schemaId);
  } catch (error) {
    throw new RunbookError('RB_INTERNAL', `schema "${schemaId}" does not compile: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (validator === undefined) throw new RunbookError('RB_INTERNAL', `no schema with id "${schemaId}"`);
  return validator;
}

/** The schema document with this $id, as written. */
export function schemaDocument(schemaId: string): AnySchemaObject | undefined {
  return load().documents.get(schemaId);
}

export function moduleSchemaId(moduleName: string): string {
  return `${MODULE_ID_PREFIX}${moduleName}`;
}

/** Module names: one per schema whose $id is `runbook:module/<name>`, sorted. */
export function moduleNames(): string[] {
  return [...load().documents.keys()]
    .filter((id) => id.startsWith(MODULE_ID_PREFIX))
    .map((id) => id.slice(MODULE_ID_PREFIX.length))
    .sort();
}
