import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { RunbookError } from '../errors.js';
import { startDetached } from './exec.js';
import { LAB_NAMESPACE, namespacePath } from './network.js';
import { sshSocket, type SandboxPaths } from './paths.js';
import { isAlive } from './processes.js';
import { APT_PROXY_PORT, type SandboxHost } from './profile.js';

/**
 * The runner reaches the lab only through loopback: per host, a socat on the host's loopback address
 * (127.0.2.N, or 127.2.P.N in a classroom), port 22, connects to a unix socket, and a socat inside the
 * lab namespace carries that socket to the host's sshd. The apt proxy goes the other way: it listens
 * on a unix socket on the runner, exposed on every lab bridge's gateway by a socat inside the lab
 * namespace. Unix sockets are files, so they cross network namespaces.
 */

function inLabNamespace(args: string[]): [string, string[]] {
  return ['nsenter', [`--net=${namespacePath(LAB_NAMESPACE)}`, 'socat', ...args]];
}

/** Starts both forwarders of a host; returns their pids. */
export function startSshForwarders(paths: SandboxPaths, host: SandboxHost): number[] {
  const socket = sshSocket(paths, host.name);
  const log = join(paths.logsDir, `${host.name}.forwarders.log`);
  const [program, args] = inLabNamespace([`UNIX-LISTEN:${socket},fork,unlink-early,mode=600`, `TCP:${host.labAddress}:22`]);
  return [
    startDetached(program, args, log),
    startDetached('socat', [`TCP-LISTEN:22,bind=${host.loopbackAddress},fork,reuseaddr`, `UNIX-CONNECT:${socket}`], log),
  ];
}

/** Starts the apt proxy on the runner and its forwarder onto the lab bridges. */
export async function startAptProxy(paths: SandboxPaths): Promise<void> {
  const log = join(paths.logsDir, 'apt-proxy.log');
  const entry = aptProxyEntry(paths);
  const proxy = startDetached(process.execPath, [entry, '--socket', paths.aptProxySocket, '--cache', paths.aptCacheDir], log);
  const deadline = Date.now() + 10_000;
  while (!existsSync(paths.aptProxySocket)) {
    if (!isAlive(proxy) || Date.now() > deadline) {
      throw new RunbookError('RB_SANDBOX', `the apt proxy did not start:\n${readFileSync(log, 'utf8').trim()}`);
    }
    await sleep(50);
  }
  // Every address of the lab namespace: the gateway of each lab network (and its own loopback).
  const [program, args] = inLabNamespace([`TCP-LISTEN:${APT_PROXY_PORT},fork,reuseaddr`, `UNIX-CONNECT:${paths.aptProxySocket}`]);
  startDetached(program, args, log);
}

/**
 * The compiled proxy next to this module; when running from the TypeScript sources (the test
 * suite), Node 20 cannot execute .ts, so this one self-contained file is transpiled into the state
 * directory.
 */
function aptProxyEntry(paths: SandboxPaths): string {
  const compiled = fileURLToPath(new URL('./apt-proxy.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  const typescript = createRequire(import.meta.url)('typescript') as typeof import('typescript');
  const source = readFileSync(fileURLToPath(new URL('./apt-proxy.ts', import.meta.url)), 'utf8');
  const { outputText } = typescript.transpileModule(source, {
    compilerOptions: { module: typescript.ModuleKind.ESNext, target: typescript.ScriptTarget.ES2022 },
  });
  const target = join(paths.stateDir, 'apt-proxy.mjs');
  writeFileSync(target, outputText);
  return target;
}

/** Waits until the host's sshd answers through its forwarders (an SSH banner on its loopback address, port 22). */
export async function waitForSsh(host: SandboxHost, watched: readonly number[], timeoutMs: number, why: () => RunbookError): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await sshBanner(host.loopbackAddress))) {
    if (watched.some((pid) => !isAlive(pid)) || Date.now() > deadline) throw why();
    await sleep(100);
  }
}

function sshBanner(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port: 22 });
    let received = '';
    const finish = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => finish(false));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('SSH-2.0-'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
