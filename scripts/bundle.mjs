// Bundles the compiled CLI (dist/cli/main.js, from tsc) into one CommonJS file, dist/bundle/runbook.cjs,
// with a V8 code cache beside it (bin/bundle-loader.js): Node then reads two files instead of
// resolving and compiling ~200 ESM modules, which was most of a one-host run's start-up.
// ssh2 is inlined too; its optional native crypto binding is copied beside the bundle.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}dist/bundle`;
rmSync(outdir, { recursive: true, force: true });

/**
 * Native addons (ssh2's sshcrypto.node) cannot be inlined: each is copied beside the bundle and
 * required from there. ssh2 requires its binding inside try/catch and falls back to JavaScript
 * crypto, so an addon that was never compiled (no build tools at install) is left out with a
 * warning; one that is there must load (checked below), or the fallback would hide a broken copy.
 */
const copiedAddons = new Map();
const nativeAddonsBeside = {
  name: 'native-addons-beside',
  setup(builder) {
    builder.onResolve({ filter: /\.node$/ }, ({ path, resolveDir }) => {
      const source = resolve(resolveDir, path);
      const name = basename(source);
      const external = { path: `./${name}`, external: true };
      if (!existsSync(source)) return { ...external, warnings: [{ text: `${source} is not built: the bundle will do without it` }] };
      const earlier = copiedAddons.get(name);
      if (earlier !== undefined && earlier !== source) throw new Error(`two native addons named ${name}: ${earlier} and ${source}`);
      mkdirSync(outdir, { recursive: true });
      copyFileSync(source, join(outdir, name));
      copiedAddons.set(name, source);
      return external;
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  // typescript: only the test suite's path in src/sandbox/forwarders.ts; chokidar, fsevents: nunjucks' optional file watching;
  // cpu-features: ssh2's optional native CPU probe (it orders ciphers without it).
  external: ['typescript', 'chokidar', 'fsevents', 'cpu-features'],
  plugins: [nativeAddonsBeside],
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: [`${root}dist/cli/main.js`],
  outfile: `${outdir}/runbook.cjs`,
  format: 'cjs',
  // CommonJS has no import.meta: the sources locate package.json and the apt proxy from their own URL.
  define: { 'import.meta.url': 'bundleUrl' },
  // "use strict" first: it only counts at the very top, and esbuild's own would follow the banner.
  banner: { js: "'use strict';\nconst bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The sandbox runs the apt proxy as its own process, from beside the code that starts it.
await build({
  ...common,
  entryPoints: [`${root}dist/sandbox/apt-proxy.js`],
  outfile: `${outdir}/apt-proxy.js`,
  format: 'esm',
});

// The code cache holds what a run compiled, so it is made after a run: validating the lab playbook
// loads and compiles the loader, schemas and templates, and proves the bundle works; then ssh2 is
// loaded, as the first connection of an apply loads it.
process.chdir(root);
const { loadBundle, CODE_CACHE } = await import('../bin/bundle-loader.js');
const { exports, script } = loadBundle();
const code = await exports.main(['validate', 'playbooks/lab.yml', '-i', 'inventory/lab.yml']);
if (code !== 0) throw new Error(`the bundle failed to validate playbooks/lab.yml (exit ${code})`);
new (await exports.loadSsh2()).Client();
writeFileSync(CODE_CACHE, script.createCachedData());
const requireBeside = createRequire(`${outdir}/runbook.cjs`);
for (const name of copiedAddons.keys()) requireBeside(`./${name}`);
