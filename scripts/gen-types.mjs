// Generates from schemas/ (the single source of truth) into src/schema/generated/: the TypeScript
// types of module arguments, and validators.ts, every schema's ajv validator compiled ahead of time
// (so the CLI never runs ajv's compiler).
// `node scripts/gen-types.mjs` writes; `--check` exits 1 when a generated file is stale.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { compile } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'src/schema/generated');
const check = process.argv.includes('--check');

const sources = [
  ...readdirSync(join(root, 'schemas/modules'))
    .filter((name) => name.endsWith('.schema.json'))
    .map((name) => join('schemas/modules', name)),
];

let stale = 0;
mkdirSync(out, { recursive: true });

function emit(target, text) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current === text) return;
  if (check) {
    console.error(`stale: ${target} (run npm run gen:types)`);
    stale += 1;
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}

for (const source of sources.sort()) {
  const schema = JSON.parse(readFileSync(join(root, source), 'utf8'));
  const base = source.split('/').pop().replace('.schema.json', '');
  const text = await compile(schema, schema.title, {
    bannerComment: `/* Generated from ${source} by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */`,
    additionalProperties: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  emit(join(out, `${base}.ts`), text);
}

function schemaFiles(directory) {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) return schemaFiles(path);
      return entry.isFile() && entry.name.endsWith('.json') ? [path] : [];
    })
    .sort();
}

/**
 * One validator per schema $id and per definition (`<id>#/definitions/<name>`), as standalone ESM.
 * ajv's standalone output loads its runtime helpers (e.g. ucs2length) with require().
 */
function validatorsModule() {
  const ajv = new Ajv({ strict: true, allErrors: true, verbose: true, allowUnionTypes: true, code: { source: true, esm: true } });
  formats.default(ajv);
  // Annotations of runbook's: a pattern's requirement in words (src/schema/validate.ts shows it).
  ajv.addKeyword('patternMessage');
  const ids = [];
  for (const path of schemaFiles(join(root, 'schemas'))) {
    const schema = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof schema.$id !== 'string') throw new Error(`${relative(root, path)} has no "$id"`);
    if (ids.includes(schema.$id)) throw new Error(`schema id "${schema.$id}" is used twice (${relative(root, path)})`);
    ajv.addSchema(schema);
    ids.push(schema.$id, ...Object.keys(schema.definitions ?? {}).map((name) => `${schema.$id}#/definitions/${name}`));
  }
  const code = standaloneCode.default(ajv, Object.fromEntries(ids.map((id, index) => [`validator${index}`, id])));
  const table = ids.map((id, index) => `  [${JSON.stringify(id)}, validator${index}],`).join('\n');
  return [
    '/* Generated from schemas/ by scripts/gen-types.mjs. Do not edit: change the schemas and run npm run gen:types. */',
    '// @ts-nocheck: ajv standalone code',
    "import { createRequire } from 'node:module';",
    "import type { ValidateFunction } from 'ajv';",
    '',
    'const require = createRequire(import.meta.url);',
    code.replace(/^"use strict";/, ''),
    '',
    '/** The compiled validator of every schema $id and definition (`<id>#/definitions/<name>`). */',
    `export const validators: ReadonlyMap<string, ValidateFunction> = new Map<string, ValidateFunction>([\n${table}\n]);`,
    '',
  ].join('\n');
}

emit(join(out, 'validators.ts'), validatorsModule());
process.exitCode = stale ? 1 : 0;
