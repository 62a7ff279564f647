// Bundles the CLI (dist/cli/main.js, compiled by tsc) into dist/bundle/: Node then loads a handful of
// files instead of ~200 ESM modules, which is most of a one-host run's start-up. Commands and the
// terminal reporter stay separate chunks, loaded when used. bin/runbook.js runs the bundle.
// ssh2 stays in node_modules: its optional native crypto binding is found relative to its own files.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

const outdir = new URL('../dist/bundle/', import.meta.url).pathname;
rmSync(outdir, { recursive: true, force: true });
await build({
  // The apt proxy is a second entry: the sandbox runs it as its own process (src/sandbox/forwarders.ts).
  entryPoints: { main: 'dist/cli/main.js', 'apt-proxy': 'dist/sandbox/apt-proxy.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // typescript: only the test suite's path in forwarders.ts; chokidar, fsevents: nunjucks' optional file watching.
  external: ['ssh2', 'typescript', 'chokidar', 'fsevents'],
  // Bundled CommonJS packages (nunjucks, ajv's runtime helpers) call require(), which ESM lacks.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
