// Loads the CLI bundle (dist/bundle/runbook.cjs) with the V8 code cache that `npm run build` writes
// beside it: it spares every start compiling ~2.4 MB of JavaScript (ssh2 included), and Node 20 has no
// compile cache of its own. V8 refuses a cache made by another Node version or with other V8 flags;
// the bundle is then compiled from source, as without a cache.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

export const BUNDLE = fileURLToPath(new URL('../dist/bundle/runbook.cjs', import.meta.url));
export const CODE_CACHE = `${BUNDLE}.cache`;

/** Runs the bundle as CommonJS; returns its exports, and the script (for writing the cache). */
export function loadBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(CODE_CACHE);
  } catch {
    // Built without a cache: compile from source.
  }
  const source = readFileSync(BUNDLE, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { exports: module.exports, script };
}
