import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';
import { LocalTransport } from './local.js';
import { SshTransport } from './ssh.js';
import { expandPath, parseJump, parsePort, readSshHostConfig, type SshHostConfig } from './ssh-config.js';
import type { ConnectionDefaults, ConnectionSettings, HostKeyPolicy, Transport } from './types.js';

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface ResolveOptions {
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs?: number;
  /** Default ~/.ssh/config. */
  sshConfigPath?: string;
  /** Used when the inventory sets no runbook_known_hosts_file; default: ssh config's UserKnownHostsFile, then ~/.ssh/known_hosts. */
  knownHostsFile?: string;
  defaults?: ConnectionDefaults;
}

/** The keys ssh tries when neither the inventory nor ~/.ssh/config names one. */
const DEFAULT_IDENTITY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

/**
 * How to reach inventory host `name`. Inventory vars win over Ansible's configured defaults
 * (remote_user, remote_port, private_key_file, as Ansible passes them to ssh with -o), which win over
 * ~/.ssh/config, which wins over the current user and port 22. `ansible_host` (or the inventory name) is looked up in the ssh
 * config like an ssh command-line destination. A `runbook_known_hosts_file` var must already be
 * absolute (the caller resolves it against the inventory's directory).
 */
export function resolveConnection(name: string, vars: Record<string, unknown>, options: ResolveOptions): ConnectionSettings {
  if (vars.ansible_ssh_common_args !== undefined) {
    throw new RunbookError('RB_USAGE', `host ${name}: ansible_ssh_common_args is not supported`, {
      hint: 'put ssh options such as ProxyJump, User, Port or IdentityFile in ~/.ssh/config, or use ansible_port/ansible_user',
    });
  }
  const host = stringVar(vars, 'ansible_host', name);
  const connection = stringVar(vars, 'ansible_connection', name) ?? (name === 'localhost' && host === undefined ? 'local' : 'ssh');
  if (connection !== 'ssh' && connection !== 'local') {
    throw new RunbookError('RB_USAGE', `host ${name}: ansible_connection ${connection} is not supported; use ssh or local`);
  }
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const knownHostsVar = stringVar(vars, 'runbook_known_hosts_file', name);
  if (connection === 'local') {
    return {
      connection,
      name,
      address: 'localhost',
      port: 0,
      user: userInfo().username,
      privateKeyFiles: [],
      knownHostsFile: knownHostsVar ?? options.knownHostsFile ?? defaultKnownHostsFile(),
      hostKeyPolicy: options.hostKeyPolicy,
      connectTimeoutMs,
    };
  }
  const destination = host ?? name;
  const config = readSshHostConfig(destination, options.sshConfigPath);
  const portVar = vars.ansible_port;
  const keyFile = stringVar(vars, 'ansible_ssh_private_key_file', name) ?? options.defaults?.privateKeyFile;
  const user = stringVar(vars, 'ansible_user', name) ?? options.defaults?.user ?? config.user ?? userInfo().username;
  const address = config.hostName ?? destination;
  const password = stringVar(vars, 'ansible_password', name);
  const knownHostsFile = knownHostsVar ?? options.knownHostsFile ?? config.userKnownHostsFile ?? defaultKnownHostsFile();
  return {
    connection,
    name,
    address,
    port: portVar === undefined || portVar === null ? (options.defaults?.port ?? config.port ?? 22) : parsePort(String(portVar), `host ${name}: ansible_port`),
    user,
    privateKeyFiles: keyFile === undefined ? identityFiles(config) : [expandPath(keyFile, { hostName: address, user })],
    ...(password === undefined ? {} : { password }),
    knownHostsFile,
    hostKeyPolicy: options.hostKeyPolicy,
    connectTimeoutMs,
    ...(config.proxyJump === undefined
      ? {}
      : { jump: resolveJump(name, config.proxyJump, { ...options, connectTimeoutMs, knownHostsFile }) }),
  };
}

export function createTransport(settings: ConnectionSettings): Transport {
  return settings.connection === 'local'
    ? new LocalTransport(settings.name, settings.commandTimeoutMs)
    : new SshTransport(settings);
}

/** The jump host comes from ssh config only: `[user@]host[:port]`, its alias looked up like any destination. */
function resolveJump(
  name: string,
  spec: string,
  options: ResolveOptions & { connectTimeoutMs: number; knownHostsFile: string },
): ConnectionSettings {
  const jump = parseJump(spec);
  const config = readSshHostConfig(jump.host, options.sshConfigPath);
  if (config.proxyJump !== undefined) {
    throw new RunbookError('RB_USAGE', `host ${name}: jump host ${jump.host} has a ProxyJump of its own; runbook supports one jump host`, {
      hint: `add "ProxyJump none" to the Host ${jump.host} entry of ~/.ssh/config if it is reachable directly`,
    });
  }
  return {
    connection: 'ssh',
    name: `${name} (jump host ${jump.host})`,
    address: config.hostName ?? jump.host,
    port: jump.port ?? config.port ?? 22,
    user: jump.user ?? config.user ?? userInfo().username,
    privateKeyFiles: identityFiles(config),
    knownHostsFile: options.knownHostsFile,
    hostKeyPolicy: options.hostKeyPolicy,
    connectTimeoutMs: options.connectTimeoutMs,
  };
}

function identityFiles(config: SshHostConfig): string[] {
  if (config.identityFiles.length > 0) return config.identityFiles;
  return DEFAULT_IDENTITY_FILES.map((file) => join(homedir(), '.ssh', file)).filter((file) => existsSync(file));
}

function defaultKnownHostsFile(): string {
  return join(homedir(), '.ssh', 'known_hosts');
}

function stringVar(vars: Record<string, unknown>, key: string, host: string): string | undefined {
  const value = vars[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new RunbookError('RB_USAGE', `host ${host}: ${key} must be a string, not ${Array.isArray(value) ? 'a list' : typeof value}`);
}
