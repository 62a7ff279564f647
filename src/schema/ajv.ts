import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { AnySchemaObject, ValidateFunction } from 'ajv';
import { RunbookError } from '../errors.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { validators } from './generated/validators.js';

const SCHEMAS_DIR = join(PACKAGE_ROOT, 'schemas');
const MODULE_ID_PREFIX = 'runbook:module/';

/** $id -> the schema as written, for reading property lists (did-you-mean, task keywords). */
let documents: Map<string, AnySchemaObject> | undefined;

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

/** Every schemas/**\/*.json, read once, by $id. */
function load(): Map<string, AnySchemaObject> {
  if (documents !== undefined) return documents;
  const loaded = new Map<string, AnySchemaObject>();
  for (const path of schemaFiles(SCHEMAS_DIR)) {
    const schema = readSchema(path);
    const id = schema.$id as string;
    if (loaded.has(id)) {
      throw new RunbookError('RB_INTERNAL', `schema id "${id}" is used twice (${relative(PACKAGE_ROOT, path)})`);
    }
    loaded.set(id, schema);
  }
  documents = loaded;
  return documents;
}

/**
 * The validator for a schema id or one of its definitions (e.g. `runbook:inventory#/definitions/vars`),
 * compiled at build time by scripts/gen-types.mjs.
 */
export function compiledSchema(schemaId: string): ValidateFunction {
  const validator = validators.get(schemaId);
  if (validator === undefined) throw new RunbookError('RB_INTERNAL', `no schema with id "${schemaId}"`);
  return validator;
}

/** The schema document with this $id, as written. */
export function schemaDocument(schemaId: string): AnySchemaObject | undefined {
  return load().get(schemaId);
}

export function moduleSchemaId(moduleName: string): string {
  return `${MODULE_ID_PREFIX}${moduleName}`;
}

/** Module names: one per schema whose $id is `runbook:module/<name>`, sorted. */
export function moduleNames(): string[] {
  return [...load().keys()]
    .filter((id) => id.startsWith(MODULE_ID_PREFIX))
    .map((id) => id.slice(MODULE_ID_PREFIX.length))
    .sort();
}
