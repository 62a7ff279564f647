import { readFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { RunbookError } from '../errors.js';

/** What ~/.ssh/config says about one Host alias; absent fields were not set there. */
export interface SshHostConfig {
  hostName?: string;
  user?: string;
  port?: number;
  /** `~` and the tokens %d %u %h %r %% expanded. */
  identityFiles: string[];
  /** The single jump host, `[user@]host[:port]`; absent when unset or `none`. */
  proxyJump?: string;
  userKnownHostsFile?: string;
}

export interface JumpSpec {
  host: string;
  user?: string;
  port?: number;
}

export function defaultSshConfigPath(): string {
  return join(homedir(), '.ssh', 'config');
}

/** Reads the config file for `host`; a missing file means no settings. */
export function readSshHostConfig(host: string, path: string = defaultSshConfigPath()): SshHostConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { identityFiles: [] };
    throw new RunbookError('RB_USAGE', `cannot read ssh config ${path}: ${(error as Error).message}`, { cause: error });
  }
  return sshHostConfig(text, host, path);
}

/** `source` names the file in error messages. */
export function sshHostConfig(text: string, host: string, source: string): SshHostConfig {
  // `Match exec` would run a shell command while merely resolving settings: not evaluated.
  const computed = SSHConfig.parse(text).compute(host, { ignoreCase: true, matchExec: false });
  const one = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const many = (key: string): string[] => {
    const value = computed[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  const hostName = one('hostname');
  const user = one('user');
  const portText = one('port');
  const port = portText === undefined ? undefined : parsePort(portText, `Port in ${source} (Host ${host})`);
  const tokens = { hostName: hostName ?? host, user: user ?? userInfo().username };
  const proxyJump = one('proxyjump');
  const knownHosts = many('userknownhostsfile')[0];
  return {
    ...(hostName === undefined ? {} : { hostName }),
    ...(user === undefined ? {} : { user }),
    ...(port === undefined ? {} : { port }),
    identityFiles: many('identityfile').map((file) => expandPath(file, tokens)),
    ...(proxyJump === undefined || proxyJump === 'none' ? {} : { proxyJump }),
    ...(knownHosts === undefined ? {} : { userKnownHostsFile: expandPath(knownHosts, tokens) }),
  };
}

/** Expands a leading `~` and ssh_config's %d (home), %u (local user), %h (host), %r (remote user), %%. */
export function expandPath(path: string, tokens: { hostName: string; user: string }): string {
  const home = homedir();
  const withTokens = path.replace(/%([%duhr])/g, (_match, token: string) => {
    switch (token) {
      case 'd':
        return home;
      case 'u':
        return userInfo().username;
      case 'h':
        return tokens.hostName;
      case 'r':
        return tokens.user;
      default:
        return '%';
    }
  });
  if (withTokens === '~') return home;
  return withTokens.startsWith('~/') ? join(home, withTokens.slice(2)) : withTokens;
}

/** Parses a ProxyJump value (`[user@]host[:port]` or `ssh://[user@]host[:port]`); one hop only. */
export function parseJump(spec: string): JumpSpec {
  if (spec.includes(',')) {
    throw new RunbookError('RB_USAGE', `ProxyJump ${spec} has several hops; runbook supports one jump host`, {
      hint: 'give the jump host its own ProxyJump-free entry, or connect through a single bastion',
    });
  }
  const match = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec.trim());
  if (!match?.[2]) throw new RunbookError('RB_USAGE', `cannot read ProxyJump value ${spec}; expected [user@]host[:port]`);
  const [, user, host, port] = match;
  return {
    host: host.replace(/^\[(.*)\]$/, '$1'),
    ...(user === undefined ? {} : { user }),
    ...(port === undefined ? {} : { port: parsePort(port, `ProxyJump ${spec}`) }),
  };
}

export function parsePort(text: string, what: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port < 1 || port > 65535) {
    throw new RunbookError('RB_USAGE', `${what}: ${text} is not a port number (1-65535)`);
  }
  return port;
}
