// The peers runbook is compared with, found on this machine: ansible-core and Mitogen from Debian,
// pyinfra from PATH (pip install pyinfra) or from a source folder (--pyinfra-src). Each is described
// as installed, or with the reason it cannot run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './proc.mjs';
import { MITOGEN_STRATEGY_PLUGINS } from './workload.mjs';

// Debian's interpreter, whatever python3 comes first on PATH (pyenv shims, virtualenvs).
const DEBIAN_PYTHON = '/usr/bin/python3';

async function versionOf(command, args, env) {
  const result = await run(command, args, { env: { ...process.env, ...env }, allowFailure: true, timeoutMs: 60_000 });
  const text = `${result.stdout}${result.stderr}`.trim();
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.code}: ${text.split('\n').slice(-3).join(' ')}`);
  return text.split('\n').at(-1);
}

/** A peer from a Debian package: its version, or why it cannot run. */
async function debianPackage(name) {
  const version = await run('dpkg-query', ['-W', '-f', '${Version}', name], { allowFailure: true });
  return version.code === 0 && version.stdout.trim() !== '' ? version.stdout.trim() : undefined;
}

export async function describeAnsible() {
  const version = await debianPackage('ansible-core');
  return version ? { version, installedAs: `Debian package ansible-core ${version}` } : { error: 'the Debian package ansible-core is not installed' };
}

export async function describeMitogen() {
  const version = await debianPackage('ansible-mitogen');
  if (!version || !existsSync(MITOGEN_STRATEGY_PLUGINS)) return { error: `the Debian package ansible-mitogen is not installed (no ${MITOGEN_STRATEGY_PLUGINS})` };
  return { version, installedAs: `Debian package ansible-mitogen ${version}, strategy mitogen_linear from ${MITOGEN_STRATEGY_PLUGINS}` };
}

/**
 * pyinfra from a source folder: its package metadata (entry points, which is how pyinfra finds its
 * connectors) is generated into `metaDir` with setup.py egg_info, without writing to the folder, and
 * `configparser` is dropped from the generated requirements: it is the standard library's module on
 * Python 3, no distribution provides it, and pkg_resources refuses to load the ssh connector while a
 * requirement is missing. Run with Debian's python3 and the Debian packages of its dependencies.
 */
async function pyinfraFromSource(sourceDir, metaDir) {
  if (!existsSync(join(sourceDir, 'setup.py')) || !existsSync(join(sourceDir, 'pyinfra_cli'))) throw new Error(`${sourceDir} is not a pyinfra source folder (no setup.py and pyinfra_cli/)`);
  mkdirSync(metaDir, { recursive: true });
  await run(DEBIAN_PYTHON, ['setup.py', '-q', 'egg_info', '--egg-base', metaDir], { cwd: sourceDir, timeoutMs: 120_000 });
  const requires = join(metaDir, 'pyinfra.egg-info', 'requires.txt');
  writeFileSync(requires, readFileSync(requires, 'utf8').replace(/^configparser\n/m, ''));
  const env = { PYTHONPATH: `${sourceDir}:${metaDir}` };
  // Importing pyinfra_cli.__main__ runs the command line, as the installed `pyinfra` script does.
  const args = ['-c', 'import sys; sys.argv[0] = "pyinfra"; import pyinfra_cli.__main__'];
  const version = await versionOf(DEBIAN_PYTHON, [...args, '--version'], env);
  return {
    command: DEBIAN_PYTHON,
    args,
    env,
    version,
    installedAs: `from source ${sourceDir} (${version}) on PYTHONPATH with Debian's python3 and its Debian dependencies; metadata by setup.py egg_info, configparser dropped from its requirements`,
  };
}

/** pyinfra from `sourceDir` if given, else the `pyinfra` on PATH; `{ error }` when neither runs. */
export async function findPyinfra({ sourceDir, metaDir }) {
  try {
    if (sourceDir) return await pyinfraFromSource(sourceDir, metaDir);
    const which = await run('sh', ['-c', 'command -v pyinfra'], { allowFailure: true });
    const path = which.stdout.trim();
    if (which.code !== 0 || path === '') throw new Error('pyinfra is not on PATH (pip install pyinfra, or give a source folder with --pyinfra-src DIR)');
    const version = await versionOf(path, ['--version']);
    return { command: path, args: [], env: {}, version, installedAs: `${path} on PATH (${version})` };
  } catch (error) {
    return { error: error.message };
  }
}
