import { homedir } from 'node:os';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import type { LabNetwork } from './profile.js';

/**
 * Where the sandbox keeps things. The cache (image, apt packages) survives `down`; the state
 * directory (host overlays, shared storage, keys, inventory, sockets) is created by `up` and removed
 * by `down`. The state directory must be on a real filesystem (ext4, not overlayfs or tmpfs): it
 * holds the overlay upper directories and the shared storage's backing file.
 */
export interface SandboxPaths {
  imagesDir: string;
  aptCacheDir: string;
  /**
   * Machine-wide, like what the sandbox occupies (network namespace names, loopback addresses):
   * one sandbox per machine, whatever the user's state directory.
   */
  lockFile: string;
  stateDir: string;
  stateFile: string;
  inventoryFile: string;
  knownHostsFile: string;
  privateKeyFile: string;
  /** Where each lab network's shared storage lives (see sharedStorage). */
  sharedDir: string;
  hostsDir: string;
  /** Unix sockets of the forwarders and of the apt proxy. */
  socketsDir: string;
  logsDir: string;
  aptProxySocket: string;
}

// sockaddr_un holds 108 bytes; leave room for the longest socket name.
const MAX_SOCKET_DIR_LENGTH = 80;

export function sandboxPaths(): SandboxPaths {
  const env = process.env;
  const cacheDir = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'runbook');
  const stateDir = join(env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'runbook', 'sandbox');
  const socketsDir = join(stateDir, 'sockets');
  if (socketsDir.length > MAX_SOCKET_DIR_LENGTH) {
    throw new RunbookError('RB_SANDBOX', `the sandbox state directory path is too long for unix sockets: ${stateDir}`, {
      hint: 'set XDG_STATE_HOME to a shorter directory',
    });
  }
  return {
    imagesDir: join(cacheDir, 'images'),
    aptCacheDir: join(cacheDir, 'apt'),
    lockFile: '/run/lock/runbook-sandbox.lock',
    stateDir,
    stateFile: join(stateDir, 'state.json'),
    inventoryFile: join(stateDir, 'inventory.yml'),
    knownHostsFile: join(stateDir, 'known_hosts'),
    privateKeyFile: join(stateDir, 'id_ed25519'),
    sharedDir: join(stateDir, 'shared'),
    hostsDir: join(stateDir, 'hosts'),
    socketsDir,
    logsDir: join(stateDir, 'logs'),
    aptProxySocket: join(socketsDir, 'apt-proxy.sock'),
  };
}

export function hostDirs(paths: SandboxPaths, name: string): { root: string; upper: string; work: string; merged: string } {
  const root = join(paths.hostsDir, name);
  return { root, upper: join(root, 'upper'), work: join(root, 'work'), merged: join(root, 'merged') };
}

/** A lab network's shared storage: an ext4 filesystem of its own (a loop-mounted file `image`), mounted on `dir`. */
export function sharedStorage(paths: SandboxPaths, network: LabNetwork): { dir: string; image: string } {
  return { dir: join(paths.sharedDir, network.name), image: join(paths.sharedDir, `${network.name}.ext4`) };
}

export function sshSocket(paths: SandboxPaths, name: string): string {
  return join(paths.socketsDir, `${name}.ssh.sock`);
}
