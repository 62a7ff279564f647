// Generates TypeScript types from schemas/ (the single source of truth) into src/schema/generated/.
// `node scripts/gen-types.mjs` writes; `--check` exits 1 when a generated file is stale.
import { readdirSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
for (const source of sources.sort()) {
  const schema = JSON.parse(readFileSync(join(root, source), 'utf8'));
  const base = source.split('/').pop().replace('.schema.json', '');
  const text = await compile(schema, schema.title, {
    bannerComment: `/* Generated from ${source} by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */`,
    additionalProperties: false,
    format: true,
    style: { singleQuote: true, printWidth: 120 },
  });
  const target = join(out, `${base}.ts`);
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${target} (run npm run gen:types)`);
    stale += 1;
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${target}`);
  }
}
process.exitCode = stale ? 1 : 0;
