import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { LocalTransport } from '../../../src/transport/local.js';
import { createTransport, DEFAULT_CONNECT_TIMEOUT_MS, resolveConnection } from '../../../src/transport/settings.js';
import { SshTransport } from '../../../src/transport/ssh.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sshConfigPath = join(dir, 'config');
writeFileSync(
  sshConfigPath,
  `
Host lab-*
  User configuser
  Port 2200
  IdentityFile /keys/config_key
  UserKnownHostsFile /keys/config_known_hosts

Host lab-behind
  HostName 10.77.0.12
  ProxyJump ops@gateway:2022

Host gateway
  HostName 127.0.0.9
  IdentityFile /keys/gateway_key

Host lab-chain
  ProxyJump lab-behind
`,
);
const options = { hostKeyPolicy: 'strict' as const, sshConfigPath };
const emptyConfig = { hostKeyPolicy: 'strict' as const, sshConfigPath: join(dir, 'missing') };

function refusal(action: () => unknown): RunbookError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(RunbookError);
    return error as RunbookError;
  }
  throw new Error('expected a RunbookError');
}

describe('resolveConnection', () => {
  it('defaults to the inventory name, port 22, the current user and ~/.ssh/known_hosts', () => {
    const defaultKeys = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((file) => join(homedir(), '.ssh', file)).filter((file) => existsSync(file));
    expect(resolveConnection('web1', {}, emptyConfig)).toEqual({
      connection: 'ssh',
      name: 'web1',
      address: 'web1',
      port: 22,
      user: userInfo().username,
      privateKeyFiles: defaultKeys,
      knownHostsFile: join(homedir(), '.ssh', 'known_hosts'),
      hostKeyPolicy: 'strict',
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    });
  });

  it('takes ssh config values for the ansible_host alias', () => {
    expect(resolveConnection('db', { ansible_host: 'lab-behind' }, options)).toMatchObject({
      address: '10.77.0.12',
      port: 2200,
      user: 'configuser',
      privateKeyFiles: ['/keys/config_key'],
      knownHostsFile: '/keys/config_known_hosts',
    });
  });

  it('lets inventory vars win over ssh config', () => {
    const settings = resolveConnection(
      'lab-one',
      {
        ansible_port: '2201',
        ansible_user: 'inventoryuser',
        ansible_ssh_private_key_file: '~/.ssh/inventory_key',
        ansible_password: 'pw',
        runbook_known_hosts_file: '/inventory/known_hosts',
      },
      { ...options, knownHostsFile: '/cli/known_hosts', connectTimeoutMs: 1234 },
    );
    expect(settings).toMatchObject({
      address: 'lab-one',
      port: 2201,
      user: 'inventoryuser',
      privateKeyFiles: [join(homedir(), '.ssh/inventory_key')],
      password: 'pw',
      knownHostsFile: '/inventory/known_hosts',
      connectTimeoutMs: 1234,
    });
  });

  it('matches the inventory name in ssh config when there is no ansible_host', () => {
    expect(resolveConnection('lab-two', {}, options)).toMatchObject({ address: 'lab-two', port: 2200, user: 'configuser' });
  });

  it('prefers the caller-given known_hosts file to the ssh config one', () => {
    expect(resolveConnection('lab-two', {}, { ...options, knownHostsFile: '/cli/known_hosts' }).knownHostsFile).toBe('/cli/known_hosts');
  });

  it('resolves a ProxyJump from ssh config into jump settings, looking the jump host up too', () => {
    const settings = resolveConnection('db', { ansible_host: 'lab-behind' }, { ...options, hostKeyPolicy: 'accept-new' });
    expect(settings.jump).toEqual({
      connection: 'ssh',
      name: 'db (jump host gateway)',
      address: '127.0.0.9',
      port: 2022,
      user: 'ops',
      privateKeyFiles: ['/keys/gateway_key'],
      knownHostsFile: '/keys/config_known_hosts',
      hostKeyPolicy: 'accept-new',
      connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
    });
  });

  it('refuses a jump host that needs a jump host itself', () => {
    expect(refusal(() => resolveConnection('x', { ansible_host: 'lab-chain' }, options)).message).toMatch(/one jump host/);
  });

  it('runs localhost locally unless told otherwise', () => {
    expect(resolveConnection('localhost', {}, emptyConfig).connection).toBe('local');
    expect(resolveConnection('localhost', { ansible_host: '127.0.0.1' }, emptyConfig).connection).toBe('ssh');
    expect(resolveConnection('localhost', { ansible_connection: 'ssh' }, emptyConfig).connection).toBe('ssh');
    expect(resolveConnection('web1', { ansible_connection: 'local' }, emptyConfig).connection).toBe('local');
  });

  it('refuses settings it cannot honour', () => {
    expect(refusal(() => resolveConnection('web1', { ansible_ssh_common_args: '-o ProxyJump=x' }, emptyConfig)).hint).toMatch(/~\/\.ssh\/config/);
    expect(refusal(() => resolveConnection('web1', { ansible_connection: 'winrm' }, emptyConfig)).message).toMatch(/winrm is not supported/);
    expect(refusal(() => resolveConnection('web1', { ansible_port: 'ssh' }, emptyConfig)).message).toMatch(/ansible_port: ssh is not a port/);
    expect(refusal(() => resolveConnection('web1', { ansible_user: ['a'] }, emptyConfig)).message).toMatch(/ansible_user must be a string, not a list/);
  });
});

describe('createTransport', () => {
  it('picks the transport for the connection type', () => {
    expect(createTransport(resolveConnection('localhost', {}, emptyConfig))).toBeInstanceOf(LocalTransport);
    expect(createTransport(resolveConnection('web1', {}, emptyConfig))).toBeInstanceOf(SshTransport);
  });
});
