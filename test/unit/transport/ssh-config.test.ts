import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { parseJump, parsePort, readSshHostConfig, sshHostConfig } from '../../../src/transport/ssh-config.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-ssh-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CONFIG = `
Host web
  HostName 10.0.0.1
  user alice
  Port 2200
  IdentityFile ~/.ssh/web_key
  IdentityFile "%d/keys/%r@%h"
  ProxyJump bastion

Host direct
  ProxyJump none

Host *
  User fallback
  Port 2222
  IdentityFile ~/.ssh/default_key
  UserKnownHostsFile ~/.ssh/lab_known_hosts ~/.ssh/second
`;

describe('sshHostConfig', () => {
  it('reads HostName, User, Port, IdentityFile and ProxyJump of an alias, expanding ~ and tokens', () => {
    expect(sshHostConfig(CONFIG, 'web', 'config')).toEqual({
      hostName: '10.0.0.1',
      user: 'alice',
      port: 2200,
      identityFiles: [join(homedir(), '.ssh/web_key'), join(homedir(), 'keys/alice@10.0.0.1'), join(homedir(), '.ssh/default_key')],
      proxyJump: 'bastion',
      userKnownHostsFile: join(homedir(), '.ssh/lab_known_hosts'),
    });
  });

  it('keeps the first value ssh would use and falls back to Host * for the rest', () => {
    expect(sshHostConfig(CONFIG, 'unlisted', 'config')).toEqual({
      user: 'fallback',
      port: 2222,
      identityFiles: [join(homedir(), '.ssh/default_key')],
      userKnownHostsFile: join(homedir(), '.ssh/lab_known_hosts'),
    });
  });

  it('treats ProxyJump none as no jump host', () => {
    expect(sshHostConfig(CONFIG, 'direct', 'config').proxyJump).toBeUndefined();
  });

  it('expands %u to the local user', () => {
    expect(sshHostConfig('Host x\n  IdentityFile /keys/%u', 'x', 'config').identityFiles).toEqual([`/keys/${userInfo().username}`]);
  });

  it('never runs the command of a Match exec block', () => {
    const marker = join(dir, 'match-exec-ran');
    const config = `Match exec "touch ${marker}"\n  User hijacked\n`;
    expect(sshHostConfig(config, 'web', 'config').user).toBeUndefined();
    expect(existsSync(marker)).toBe(false);
  });

  it('rejects a Port that is not a port number, naming the file', () => {
    expect(() => sshHostConfig('Host x\n  Port ssh', 'x', '/home/me/.ssh/config')).toThrow(/Port in \/home\/me\/\.ssh\/config \(Host x\): ssh is not a port/);
  });
});

describe('readSshHostConfig', () => {
  it('reads a file and treats a missing one as empty', () => {
    const file = join(dir, 'config');
    writeFileSync(file, CONFIG);
    expect(readSshHostConfig('web', file).hostName).toBe('10.0.0.1');
    expect(readSshHostConfig('web', join(dir, 'missing'))).toEqual({ identityFiles: [] });
  });
});

describe('parseJump', () => {
  it.each([
    ['bastion', { host: 'bastion' }],
    ['ops@bastion', { host: 'bastion', user: 'ops' }],
    ['ops@bastion:2022', { host: 'bastion', user: 'ops', port: 2022 }],
    ['ssh://ops@bastion:2022', { host: 'bastion', user: 'ops', port: 2022 }],
    ['[fe80::1]:22', { host: 'fe80::1', port: 22 }],
  ])('reads %s', (spec, expected) => {
    expect(parseJump(spec)).toEqual(expected);
  });

  it('refuses more than one hop', () => {
    expect(() => parseJump('a,b')).toThrow(/several hops/);
  });
});

describe('parsePort', () => {
  it('accepts 1 to 65535 only', () => {
    expect(parsePort('22', 'port')).toBe(22);
    for (const bad of ['0', '65536', '-1', '22x', '', '2.5']) {
      expect(() => parsePort(bad, 'port')).toThrow(RunbookError);
    }
  });
});
