/**
 * A real OpenSSH sshd on a free loopback port, for integration tests: its own config, a fresh
 * ed25519 host key, a generated client key and a known_hosts file holding the real host key.
 * Needs root and the openssh-server and sudo packages (`apt-get install -y openssh-server sudo`).
 *
 * Two unprivileged users are created if missing and kept between runs: `rbtest` (passwordless sudo,
 * for become) and `rbnosudo` (no sudo rights; also accepts a password). Their homes are clean
 * directories under the temp dir with /bin/sh as shell, so no slow shell init runs per command.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const SSHD = '/usr/sbin/sshd';
const HOST = '127.0.0.1';
const SUDO_USER = 'rbtest';
const NO_SUDO_USER = 'rbnosudo';
const SUDOERS_FILE = `/etc/sudoers.d/${SUDO_USER}`;
const STATE_DIR = '/var/lib/runbook-test';
const START_ATTEMPTS = 5;
const READY_TIMEOUT_MS = 10_000;

export interface SshdOptions {
  /** Extra sshd_config lines, appended after the harness's own. */
  extraConfig?: string[];
}

export interface TestSshd {
  host: string;
  port: number;
  /** May run anything through `sudo -n` (NOPASSWD). */
  user: string;
  /** Accepted for both users. */
  privateKeyFile: string;
  /** Holds `[127.0.0.1]:PORT` with the server's real host key. */
  knownHostsFile: string;
  /** `ssh-ed25519 AAAA…`, as in a known_hosts line. */
  hostPublicKey: string;
  /** A user without sudo rights. */
  noSudoUser: string;
  /** noSudoUser's password, for password authentication. */
  noSudoPassword: string;
  /** The server's private directory (config, keys, log); removed by stop(). */
  dir: string;
  stop(): Promise<void>;
  /** TCP connections sshd has accepted so far, read from its log. */
  connectionCount(): number;
  /** The types of the global requests clients have sent so far (e.g. keepalive@openssh.com), read from its DEBUG log. */
  globalRequests(): string[];
}

export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  if (!existsSync(SSHD)) {
    throw new Error(`${SSHD} is missing: install it with \`apt-get install -y openssh-server sudo\``);
  }
  ensureUser(SUDO_USER);
  ensureUser(NO_SUDO_USER);
  ensureSudoers();
  const noSudoPassword = ensurePassword(NO_SUDO_USER);
  // sshd refuses to start without its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });

  const dir = mkdtempSync(join(tmpdir(), 'runbook-sshd-'));
  // The users' session processes read authorized_keys from here.
  chmodSync(dir, 0o755);
  const hostKeyFile = join(dir, 'host_ed25519');
  const privateKeyFile = join(dir, 'client_ed25519');
  const authorizedKeysFile = join(dir, 'authorized_keys');
  const knownHostsFile = join(dir, 'known_hosts');
  const logFile = join(dir, 'sshd.log');
  generateKey(hostKeyFile, 'runbook-test-host');
  generateKey(privateKeyFile, 'runbook-test-client');
  writeFileSync(authorizedKeysFile, readFileSync(`${privateKeyFile}.pub`), { mode: 0o644 });
  const hostPublicKey = readFileSync(`${hostKeyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');

  for (let attempt = 1; ; attempt += 1) {
    const port = await freePort();
    const configFile = join(dir, 'sshd_config');
    writeFileSync(
      configFile,
      [
        `ListenAddress ${HOST}:${port}`,
        `HostKey ${hostKeyFile}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeysFile}`,
        'StrictModes no',
        'UsePAM no',
        'PasswordAuthentication yes',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin no',
        `AllowUsers ${SUDO_USER} ${NO_SUDO_USER}`,
        // DEBUG1 for globalRequests(); it includes everything VERBOSE logs.
        'LogLevel DEBUG1',
        'PrintMotd no',
        'MaxStartups 100',
        ...(options.extraConfig ?? []),
        '',
      ].join('\n'),
    );
    writeFileSync(logFile, '');
    const child = spawn(SSHD, ['-D', '-f', configFile, '-E', logFile], { stdio: 'ignore' });
    const started = await waitForListening(child, logFile, port);
    if (started === 'listening') {
      writeFileSync(knownHostsFile, `[${HOST}]:${port} ${hostPublicKey}\n`, { mode: 0o600 });
      return {
        host: HOST,
        port,
        user: SUDO_USER,
        privateKeyFile,
        knownHostsFile,
        hostPublicKey,
        noSudoUser: NO_SUDO_USER,
        noSudoPassword,
        dir,
        stop: () => stop(child, dir),
        connectionCount: () => (readFileSync(logFile, 'utf8').match(/^.*Connection from \S+ port \d+ on /gm) ?? []).length,
        globalRequests: () => [...readFileSync(logFile, 'utf8').matchAll(/server_input_global_request: rtype (\S+)/g)].map((match) => match[1]!),
      };
    }
    // Another process may have taken the port between freePort() and sshd's bind: try another.
    if (started === 'bind-failed' && attempt < START_ATTEMPTS) continue;
    await stop(child, dir);
    throw new Error(`sshd did not start (${started}):\n${readFileSync(logFile, 'utf8')}`);
  }
}

function generateKey(file: string, comment: string): void {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitForListening(
  child: ChildProcess,
  logFile: string,
  port: number,
): Promise<'listening' | 'bind-failed' | 'exited' | 'timeout'> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const log = readFileSync(logFile, 'utf8');
    if (log.includes(`Server listening on ${HOST} port ${port}.`)) return 'listening';
    if (/Bind to port \d+ .* failed|Cannot bind any address/.test(log)) return 'bind-failed';
    if (child.exitCode !== null || child.signalCode !== null) return 'exited';
    await sleep(20);
  }
  return 'timeout';
}

/** Stops the listener and the per-connection processes it started, then removes the directory. */
async function stop(child: ChildProcess, dir: string): Promise<void> {
  const pids = child.pid === undefined ? [] : descendants(child.pid);
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
    await exited;
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function ensureUser(name: string): void {
  const home = join(tmpdir(), 'runbook-test-home', name);
  if (!userExists(name)) {
    try {
      // `*` (not useradd's locked `!`): sshd without PAM refuses locked accounts even for keys.
      execFileSync('useradd', ['--home-dir', home, '--no-create-home', '--shell', '/bin/sh', '--user-group', '--password', '*', name], {
        stdio: 'pipe',
      });
    } catch (error) {
      // A test file running in parallel may have created it first.
      if (!userExists(name)) throw error;
    }
  }
  const passwdHome = execFileSync('getent', ['passwd', name], { encoding: 'utf8' }).trim().split(':')[5] ?? home;
  mkdirSync(passwdHome, { recursive: true, mode: 0o755 });
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
  chownSync(passwdHome, uid, gid);
}

function userExists(name: string): boolean {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function ensureSudoers(): void {
  const content = `${SUDO_USER} ALL=(ALL) NOPASSWD: ALL\n`;
  if (existsSync(SUDOERS_FILE) && readFileSync(SUDOERS_FILE, 'utf8') === content) return;
  // sudo ignores names with a dot, so a half-written file is never read; rename() is atomic.
  const temporary = join('/etc/sudoers.d', `.${SUDO_USER}.${process.pid}`);
  writeFileSync(temporary, content, { mode: 0o440 });
  execFileSync('visudo', ['-c', '-q', '-f', temporary]);
  renameSync(temporary, SUDOERS_FILE);
}

/**
 * The user's password is random, made once and kept in a root-only file so that parallel test
 * files agree on it.
 */
function ensurePassword(name: string): string {
  const file = join(STATE_DIR, `${name}.password`);
  mkdirSync(STATE_DIR, { recursive: true, mode: 0o700 });
  if (!existsSync(file)) {
    const password = randomBytes(18).toString('base64url');
    const temporary = `${file}.${process.pid}`;
    writeFileSync(temporary, password, { mode: 0o600 });
    try {
      linkSync(temporary, file);
      execFileSync('chpasswd', { input: `${name}:${password}\n` });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
  }
  return readFileSync(file, 'utf8');
}
