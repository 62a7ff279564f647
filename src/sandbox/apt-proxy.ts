import { createReadStream, createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream';
import { pathToFileURL } from 'node:url';

/**
 * A small caching HTTP forward proxy for apt inside the sandbox hosts (apt-cacher-ng answered
 * `503 Host not found` on this kind of machine). It listens on a unix socket; a forwarder exposes it
 * on the lab bridge. Packages and by-hash index files never change under their URL, so they are
 * cached on disk and later served from there; everything else (InRelease, redirects, errors) passes
 * through. Bodies are streamed, never held in memory, and concurrent requests are independent.
 * Run as a program: `node apt-proxy.js --socket PATH --cache DIR`.
 */

export interface AptProxyOptions {
  cacheDir: string;
  log?: (line: string) => void;
}

const IMMUTABLE = /(\.(deb|udeb|dsc|diff\.gz)|\.tar\.(gz|xz|bz2|zst)|\/by-hash\/[^/]+\/[0-9a-f]+)$/;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Where an immutable URL is cached, or undefined when the URL is not cacheable. */
export function cachePath(cacheDir: string, url: URL): string | undefined {
  if (url.protocol !== 'http:' || url.search !== '' || !IMMUTABLE.test(url.pathname)) return undefined;
  // The URL parser has already resolved dot segments; the raw (still percent-encoded) path cannot climb out.
  const segments = url.pathname.split('/').filter(Boolean);
  if (segments.some((segment) => segment === '..' || segment === '.')) return undefined;
  return join(cacheDir, url.host.toLowerCase(), ...segments);
}

export function createAptProxy(options: AptProxyOptions): Server {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const log = options.log ?? (() => {});
  return createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      fail(res, 400, 'this is a forward proxy: send absolute http:// URLs');
      return;
    }
    if (url.protocol !== 'http:' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      fail(res, 405, 'only GET and HEAD of http:// URLs');
      return;
    }
    const cached = req.method === 'GET' ? cachePath(options.cacheDir, url) : undefined;
    if (cached !== undefined && serveCached(cached, res)) {
      log(`HIT ${url.href}`);
      return;
    }
    const headers = forwardHeaders(req.headers, cached !== undefined);
    const upstream = request(url, { method: req.method, headers, agent }, (upstreamRes) => {
      log(`${cached !== undefined && upstreamRes.statusCode === 200 ? 'MISS' : 'PASS'} ${upstreamRes.statusCode} ${url.href}`);
      res.writeHead(upstreamRes.statusCode ?? 502, forwardHeaders(upstreamRes.headers, false));
      if (cached !== undefined && upstreamRes.statusCode === 200) storeCopy(upstreamRes, cached);
      // Also cuts the client off when the origin stops early, so apt sees the failure.
      pipeline(upstreamRes, res, () => {});
    });
    upstream.on('error', (error) => {
      log(`ERROR ${url.href}: ${error.message}`);
      if (res.headersSent) res.destroy(error);
      else fail(res, 502, `upstream: ${error.message}`);
    });
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  });
}

function serveCached(path: string, res: ServerResponse): boolean {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return false;
  }
  res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' });
  pipeline(createReadStream(path), res, () => {});
  return true;
}

/** Writes the body to a temporary file as it streams by, renamed into the cache only when complete. */
function storeCopy(upstreamRes: IncomingMessage, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const expected = Number(upstreamRes.headers['content-length'] ?? Number.NaN);
  let received = 0;
  upstreamRes.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  pipeline(upstreamRes, createWriteStream(partial), (error) => {
    const complete = !error && upstreamRes.complete && (!Number.isFinite(expected) || received === expected);
    if (complete) renameSync(partial, path);
    else rmSync(partial, { force: true });
  });
}

function forwardHeaders(headers: IncomingMessage['headers'], forCaching: boolean): OutgoingHttpHeaders {
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    // A cached copy must be the whole file, whatever part or condition this client asked for.
    if (forCaching && (name === 'range' || name === 'if-range' || name.startsWith('if-'))) continue;
    result[name] = value;
  }
  return result;
}

function fail(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(`runbook sandbox apt proxy: ${message}\n`);
}

function main(argv: string[]): void {
  const value = (flag: string): string => {
    const found = argv[argv.indexOf(flag) + 1];
    if (!argv.includes(flag) || found === undefined) throw new Error(`usage: apt-proxy --socket PATH --cache DIR (missing ${flag})`);
    return found;
  };
  const socketPath = value('--socket');
  const cacheDir = value('--cache');
  mkdirSync(cacheDir, { recursive: true });
  rmSync(socketPath, { force: true });
  const server = createAptProxy({ cacheDir, log: (line) => console.log(`${new Date().toISOString()} ${line}`) });
  server.listen(socketPath, () => console.log(`apt proxy listening on ${socketPath}, cache ${cacheDir}`));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
