import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { cachePath, createAptProxy } from '../../../src/sandbox/apt-proxy.js';

/** The sandbox's apt proxy, in process, between a client on its unix socket and an origin server on loopback. */

const dir = mkdtempSync(join(tmpdir(), 'runbook-apt-proxy-'));
const cacheDir = join(dir, 'cache');
const socketPath = join(dir, 'proxy.sock');
const PACKAGE = randomBytes(3 * 1024 * 1024);
let origin: Server;
let proxy: Server;
let originUrl: string;
let seen: string[] = [];

beforeAll(async () => {
  origin = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}${req.headers.range ? ` range=${req.headers.range}` : ''}`);
    if (req.url?.endsWith('/truncated_1_amd64.deb')) {
      res.writeHead(200, { 'content-length': 1000 });
      res.write('only part of it');
      setImmediate(() => res.socket?.destroy());
    } else if (req.url?.endsWith('.deb')) {
      res.writeHead(200, { 'content-length': PACKAGE.length });
      res.end(PACKAGE);
    } else if (req.url?.endsWith('/InRelease')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`release ${seen.length}`);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  proxy = createAptProxy({ cacheDir });
  await new Promise<void>((resolve) => proxy.listen(socketPath, resolve));
});

afterAll(async () => {
  proxy.closeAllConnections();
  origin.closeAllConnections();
  await Promise.all([new Promise((resolve) => proxy.close(resolve)), new Promise((resolve) => origin.close(resolve))]);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

function get(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: url, method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The cache copy is written as the body streams by and renamed into place just after the client got it all. */
async function cachedCopy(url: string): Promise<void> {
  const file = cachePath(cacheDir, new URL(url));
  expect(file).toBeDefined();
  await vi.waitFor(() => expect(existsSync(file ?? '')).toBe(true));
  expect(readFileSync(file ?? '').equals(PACKAGE)).toBe(true);
}

function partialFiles(): string[] {
  return readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.partial'));
}

describe('the apt proxy', () => {
  it('caches a package on the first download and serves it from disk afterwards', async () => {
    const url = `${originUrl}/debian/pool/main/h/hello/hello_1_amd64.deb`;
    const first = await get(url);
    expect(first.status).toBe(200);
    expect(first.body.equals(PACKAGE)).toBe(true);
    await cachedCopy(url);

    const second = await get(url, { headers: { range: 'bytes=100-' } });
    expect(second.status).toBe(200);
    expect(second.body.equals(PACKAGE)).toBe(true);
    expect(seen).toEqual([`GET /debian/pool/main/h/hello/hello_1_amd64.deb`]);
  });

  it('fetches the whole file for the cache when the first client asks for a range', async () => {
    const url = `${originUrl}/debian/pool/main/r/ranged/ranged_1_amd64.deb`;
    await get(url, { headers: { range: 'bytes=100-' } });
    expect(seen).toEqual([`GET /debian/pool/main/r/ranged/ranged_1_amd64.deb`]);
    await cachedCopy(url);
  });

  it('serves concurrent first downloads of one package completely and caches one whole copy', async () => {
    const url = `${originUrl}/debian/pool/main/c/concurrent/concurrent_1_amd64.deb`;
    const results = await Promise.all(Array.from({ length: 6 }, () => get(url)));
    for (const result of results) expect(result.body.equals(PACKAGE)).toBe(true);
    await cachedCopy(url);
    await vi.waitFor(() => expect(partialFiles()).toEqual([]));
  });

  it('passes index files through every time', async () => {
    const url = `${originUrl}/debian/dists/bookworm/InRelease`;
    expect((await get(url)).body.toString()).toBe('release 1');
    expect((await get(url)).body.toString()).toBe('release 2');
    expect(cachePath(cacheDir, new URL(url))).toBeUndefined();
  });

  it('never caches a download cut short', async () => {
    const url = `${originUrl}/debian/pool/main/t/truncated/truncated_1_amd64.deb`;
    await get(url).catch(() => undefined);
    // The proxy discards its partial copy when it sees the origin close early.
    await vi.waitFor(() => expect(partialFiles()).toEqual([]));
    expect(existsSync(cachePath(cacheDir, new URL(url)) ?? '')).toBe(false);
  });

  it('answers 502 when the origin cannot be reached, 400 and 405 to what a forward proxy does not serve', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await get(`http://127.0.0.1:${port}/debian/pool/x_1_amd64.deb`)).status).toBe(502);
    expect((await get('/debian/dists/bookworm/InRelease')).status).toBe(400);
    expect((await get(`${originUrl}/debian/dists/bookworm/InRelease`, { method: 'POST' })).status).toBe(405);
  });
});
