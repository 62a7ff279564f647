// N OpenSSH servers on loopback addresses, one sshd per host, each with its own config, host key and
// working directory, all logging in as one dedicated user whose home holds nothing but .ssh.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { chownSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { isAborted } from './measure.mjs';
import { cpuSecondsOfTrees, descendantsOf, isAlive, mapLimit, processesOfUid, run, signal, sleep, terminate } from './proc.mjs';

export const BENCH_USER = 'rbbench';
const SSHD = '/usr/sbin/sshd';
// The user and the 127.0.3.x addresses belong to the whole machine: one fleet at a time.
const LOCK_FILE = '/run/lock/runbook-bench.lock';
const LOCK_WAIT_MS = 60 * 60_000;

/** Takes the machine-wide fleet lock, waiting while another live run holds it; returns its release. */
async function acquireLock(log) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(LOCK_FILE, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (readFileSync(LOCK_FILE, 'utf8').trim() === String(process.pid)) rmSync(LOCK_FILE, { force: true });
      };
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(LOCK_FILE, 'utf8').trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      // Left by a run that died: nobody holds it.
      rmSync(LOCK_FILE, { force: true });
      continue;
    }
    if (isAborted()) throw new Error('interrupted');
    if (Date.now() > deadline) throw new Error(`another benchmark run (pid ${holder}) still holds ${LOCK_FILE} after ${LOCK_WAIT_MS / 60_000} min`);
    if (!told) log(`another benchmark run (pid ${holder}) is using the ${BENCH_USER} user and 127.0.3.x; waiting for it to finish`);
    told = true;
    await sleep(2_000);
  }
}

/** 127.0.3.1 … 127.0.3.254, then 127.0.4.1 …: one address per host, so every host is a distinct server. */
export const MAX_HOSTS = 254 * 20;
export function hostAddress(index) {
  if (index < 1 || index > MAX_HOSTS) throw new Error(`host ${index}: only ${MAX_HOSTS} addresses in 127.0.3.0–127.0.22.255`);
  return `127.0.${3 + Math.floor((index - 1) / 254)}.${((index - 1) % 254) + 1}`;
}

export class Fleet {
  /** `workdir` is removed entirely at teardown. */
  constructor({ workdir, port, log }) {
    this.workdir = workdir;
    this.port = port;
    this.log = log;
    this.releaseLock = undefined;
    this.hosts = [];
    this.logLevel = 'ERROR';
    this.createdUser = false;
    this.uid = undefined;
    this.gid = undefined;
    this.home = join(workdir, 'home');
    this.clientKey = join(workdir, 'client', 'id_ed25519');
    this.knownHosts = join(workdir, 'known_hosts');
  }

  /** The lock, the user, its clean home, the client key. */
  async prepare() {
    this.releaseLock = await acquireLock(this.log);
    rmSync(this.workdir, { recursive: true, force: true });
    mkdirSync(join(this.workdir, 'client'), { recursive: true, mode: 0o755 });
    mkdirSync(join(this.workdir, 'sshd'), { mode: 0o755 });
    // sshd refuses to start without its privilege separation directory, which only the ssh service
    // creates: on a fresh machine nothing has.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    mkdirSync(join(this.workdir, 'hosts'), { mode: 0o755 });
    const existing = await run('id', ['-u', BENCH_USER], { allowFailure: true });
    if (existing.code !== 0) {
      // '*' (no password, not locked): with UsePAM no, sshd refuses accounts locked with '!'.
      await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', this.home, '--shell', '/bin/sh', '--password', '*', BENCH_USER]);
      this.createdUser = true;
    } else {
      // A leftover of an interrupted run: make it ours again.
      await run('usermod', ['--home', this.home, '--shell', '/bin/sh', '--password', '*', BENCH_USER]);
      this.createdUser = true;
    }
    this.uid = Number((await run('id', ['-u', BENCH_USER])).stdout.trim());
    this.gid = Number((await run('id', ['-g', BENCH_USER])).stdout.trim());
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rb-bench client', '-f', this.clientKey]);
    mkdirSync(join(this.home, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(join(this.home, '.ssh', 'authorized_keys'), readFileSync(`${this.clientKey}.pub`), { mode: 0o600 });
    for (const path of [this.home, join(this.home, '.ssh'), join(this.home, '.ssh', 'authorized_keys')]) chownSync(path, this.uid, this.gid);
    writeFileSync(this.knownHosts, '');
  }

  /** Starts hosts until there are `count`; returns them. */
  async grow(count) {
    const fresh = [];
    for (let index = this.hosts.length + 1; index <= count; index += 1) {
      const name = `host${index}`;
      const dir = join(this.workdir, 'sshd', name);
      const host = {
        name,
        address: hostAddress(index),
        port: this.port,
        dir,
        config: join(dir, 'sshd_config'),
        log: join(dir, 'sshd.log'),
        hostKey: join(dir, 'ssh_host_ed25519_key'),
        root: join(this.workdir, 'hosts', name),
        process: undefined,
      };
      mkdirSync(dir, { mode: 0o700 });
      mkdirSync(host.root, { mode: 0o755 });
      chownSync(host.root, this.uid, this.gid);
      fresh.push(host);
    }
    await mapLimit(fresh, 8, (host) => run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', host.name, '-f', host.hostKey]));
    const lines = fresh.map((host) => `${knownHostsName(host)} ${readFileSync(`${host.hostKey}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    writeFileSync(this.knownHosts, readFileSync(this.knownHosts, 'utf8') + lines.join(''));
    for (const host of fresh) {
      this.writeConfig(host);
      writeFileSync(host.log, '');
      // -D: stays our child, so teardown knows every pid; -E: its own log file, no syslog.
      host.process = spawn(SSHD, ['-D', '-f', host.config, '-E', host.log], { stdio: 'ignore' });
      this.hosts.push(host);
    }
    await mapLimit(fresh, 50, (host) => waitListening(host, 30_000));
    return this.hosts.slice(0, count);
  }

  writeConfig(host) {
    writeFileSync(
      host.config,
      [
        `ListenAddress ${host.address}:${host.port}`,
        `HostKey ${host.hostKey}`,
        `PidFile none`,
        `LogLevel ${this.logLevel}`,
        'UsePAM no',
        `AllowUsers ${BENCH_USER}`,
        'AuthenticationMethods publickey',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PermitRootLogin no',
        'StrictModes yes',
        'UseDNS no',
        // Ansible opens up to `forks` connections at once, each with several channels.
        'MaxStartups 1000',
        'MaxSessions 200',
        'PrintMotd no',
        'PrintLastLog no',
        'X11Forwarding no',
        'AllowAgentForwarding no',
        // Ansible without pipelining copies modules with sftp.
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
  }

  /** Rewrites every host's LogLevel and has sshd re-read it (SIGHUP re-executes sshd in place). */
  async setLogLevel(level) {
    this.logLevel = level;
    for (const host of this.hosts) {
      this.writeConfig(host);
      signal(host.process.pid, 'SIGHUP');
    }
    // The listener closes and reopens its socket while it re-executes.
    await sleep(200);
    await mapLimit(this.hosts, 50, (host) => waitListening(host, 30_000));
  }

  /**
   * Removes these paths (relative to each host's working directory, e.g. a tool's subdirectory): the
   * hosts are fresh again for that tool. Runs as root from here, outside any timed run.
   */
  resetPaths(hosts, paths) {
    for (const host of hosts) for (const path of paths) rmSync(join(host.root, path), { recursive: true, force: true });
  }

  /**
   * CPU seconds (user + system) spent by the first `count` hosts' sshd and everything they forked:
   * each listener's own and reaped children's times, plus the sessions still alive (ControlPersist).
   */
  cpuSeconds(count) {
    return cpuSecondsOfTrees(this.hosts.slice(0, count).map((host) => host.process.pid));
  }

  /** Byte offsets of every log, to count only what follows. */
  logMark() {
    return new Map(this.hosts.map((host) => [host.name, statSync(host.log).size]));
  }

  /**
   * Connections and exec sessions each host's sshd logged since `mark` (needs LogLevel VERBOSE):
   * "Accepted publickey" per authenticated connection (readiness probes never get that far),
   * "Starting session: command" per exec channel.
   */
  sessionCounts(mark, names) {
    const counts = {};
    for (const host of this.hosts.filter((candidate) => names.includes(candidate.name))) {
      const text = readFrom(host.log, mark.get(host.name) ?? 0);
      counts[host.name] = {
        connections: (text.match(/^Accepted publickey for /gm) ?? []).length,
        execs: (text.match(/^Starting session: command /gm) ?? []).length,
      };
    }
    return counts;
  }

  /**
   * Stops every sshd and every session it forked, removes the work directory and the user. A run
   * that never got the lock owns none of them: they may be another run's, still measuring.
   */
  async teardown() {
    if (!this.releaseLock) return;
    const listeners = this.hosts.map((host) => host.process?.pid).filter((pid) => pid !== undefined && isAlive(pid));
    const sessions = descendantsOf(listeners);
    await terminate([...sessions, ...listeners]);
    if (this.uid !== undefined) await terminate(processesOfUid(this.uid));
    this.hosts = [];
    rmSync(this.workdir, { recursive: true, force: true });
    if (this.createdUser) {
      await run('userdel', [BENCH_USER], { allowFailure: true });
      this.createdUser = false;
    }
    this.releaseLock?.();
    this.releaseLock = undefined;
  }
}

export function knownHostsName(host) {
  return host.port === 22 ? host.address : `[${host.address}]:${host.port}`;
}

function readFrom(path, offset) {
  const size = statSync(path).size;
  if (size <= offset) return '';
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

async function waitListening(host, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (host.process.exitCode !== null) {
      throw new Error(`sshd for ${host.name} exited (${host.process.exitCode}); log: ${existsSync(host.log) ? readFileSync(host.log, 'utf8').trim() : 'none'}`);
    }
    const ok = await new Promise((resolve) => {
      const socket = connect({ host: host.address, port: host.port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`sshd for ${host.name} is not listening on ${host.address}:${host.port} after ${timeoutMs} ms`);
    await sleep(50);
  }
}
