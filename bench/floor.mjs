// The raw floor: what the no-op re-run costs with nothing but Node and ssh2. One connection per host
// (TCP_NODELAY), hosts in parallel, the same reads the playbook's tasks need, either as one exec
// per read ("sequential") or all in one exec ("batched"). Host keys are verified against known_hosts.
//   node bench/floor.mjs SPEC.json batched|sequential
// SPEC: { hosts: [{ name, address, port, user, privateKeyFile, hostKey (base64 blob), reads: [shell text], batch: shell text }] }
import { readFileSync } from 'node:fs';
import ssh2 from 'ssh2';

const [specPath, mode] = process.argv.slice(2);
if (!specPath || (mode !== 'batched' && mode !== 'sequential')) {
  process.stderr.write('usage: node bench/floor.mjs SPEC.json batched|sequential\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'));

// As runbook does: at most this many handshakes at once, each one's timeout counted from its start
// (a thousand at once on 2 cores outlast any sensible timeout).
const HANDSHAKES_IN_FLIGHT = 100;
let handshakes = 0;
const waitingForHandshake = [];

async function connect(host) {
  if (handshakes >= HANDSHAKES_IN_FLIGHT) await new Promise((resolve) => waitingForHandshake.push(resolve));
  else handshakes += 1;
  try {
    return await handshake(host);
  } finally {
    const next = waitingForHandshake.shift();
    if (next) next();
    else handshakes -= 1;
  }
}

function handshake(host) {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const expectedKey = Buffer.from(host.hostKey, 'base64');
    client
      .once('ready', () => resolve(client))
      .once('error', (error) => reject(new Error(`${host.name}: ${error.message}`)))
      .connect({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey: readFileSync(host.privateKeyFile),
        hostVerifier: (key) => expectedKey.equals(key),
        readyTimeout: 20_000,
      });
    // Without it every exec waits ~40 ms for a delayed ACK (Nagle).
    client.setNoDelay(true);
  });
}

function exec(client, host, command) {
  return new Promise((resolve, reject) => {
    client.exec(command, (error, stream) => {
      if (error) return reject(new Error(`${host.name}: ${error.message}`));
      let stdout = '';
      let stderr = '';
      stream.on('data', (chunk) => (stdout += chunk));
      stream.stderr.on('data', (chunk) => (stderr += chunk));
      stream.on('close', (code, signal) => {
        if (code !== 0) reject(new Error(`${host.name}: read failed (${signal ?? `exit ${code}`}): ${command}\n${stderr}`));
        else resolve(stdout);
      });
    });
  });
}

async function check(host) {
  const client = await connect(host);
  try {
    if (mode === 'batched') await exec(client, host, host.batch);
    else for (const read of host.reads) await exec(client, host, read);
  } finally {
    client.end();
  }
}

const results = await Promise.allSettled(spec.hosts.map(check));
const failures = results.filter((result) => result.status === 'rejected');
for (const failure of failures) process.stderr.write(`${failure.reason.message}\n`);
process.exitCode = failures.length > 0 ? 1 : 0;
