import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { secret, sh } from '../../../src/shell/command.js';
import { becomeCommand, becomeFailureMessage } from '../../../src/transport/become.js';
import { fingerprint } from '../../../src/transport/known-hosts.js';
import { createTransport, resolveConnection } from '../../../src/transport/settings.js';
import { SshTransport } from '../../../src/transport/ssh.js';
import type { ConnectionSettings, HostKeyPolicy, Transport } from '../../../src/transport/types.js';
import { HOSTILE_VALUES } from '../../unit/shell/hostile-values.js';
import { startSshd, type TestSshd } from '../../helpers/sshd.js';

let sshd: TestSshd;
const opened: Transport[] = [];

beforeAll(async () => {
  sshd = await startSshd();
});

afterAll(async () => {
  await sshd.stop();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((transport) => transport.close()));
});

function settings(overrides: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return {
    connection: 'ssh',
    name: 'testhost',
    address: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyFiles: [sshd.privateKeyFile],
    knownHostsFile: sshd.knownHostsFile,
    hostKeyPolicy: 'strict',
    connectTimeoutMs: 10_000,
    ...overrides,
  };
}

function transport(overrides: Partial<ConnectionSettings> = {}): SshTransport {
  const created = new SshTransport(settings(overrides));
  opened.push(created);
  return created;
}

async function connectError(overrides: Partial<ConnectionSettings>): Promise<RunbookError> {
  const error = await transport(overrides).connect().then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(RunbookError);
  return error as RunbookError;
}

/** A file in the server's directory, unique per call. */
function scratchFile(name: string): string {
  return join(sshd.dir, `${name}-${randomBytes(4).toString('hex')}`);
}

/** A known_hosts line for this server with another, freshly generated ed25519 key. */
function otherHostKeyLine(): { line: string; fingerprint: string } {
  const keyFile = scratchFile('other-host-key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const publicKey = readFileSync(`${keyFile}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const blob = Buffer.from(publicKey.split(' ')[1] ?? '', 'base64');
  return { line: `[${sshd.host}]:${sshd.port} ${publicKey}`, fingerprint: fingerprint(blob) };
}

const serverFingerprint = (): string => fingerprint(Buffer.from(sshd.hostPublicKey.split(' ')[1] ?? '', 'base64'));

describe('exec over a real sshd', () => {
  it('returns exact stdout, stderr and exit status', async () => {
    const ssh = transport();
    const result = await ssh.exec(sh`printf 'out\\n'; printf 'err\\n' >&2; exit 3`);
    expect(result).toEqual({ code: 3, signal: null, stdout: 'out\n', stderr: 'err\n' });
    expect(await ssh.exec(sh`true`)).toEqual({ code: 0, signal: null, stdout: '', stderr: '' });
  });

  it('runs as the configured user with a clean login environment', async () => {
    const result = await transport().exec(sh`id -un; echo "$HOME"; echo "$SHELL"`);
    const [user, home, shell] = result.stdout.trim().split('\n');
    expect(user).toBe(sshd.user);
    expect(home).toMatch(/runbook-test-home\/rbtest$/);
    expect(shell).toBe('/bin/sh');
  });

  it('reports a command killed by a signal, with the signal name', async () => {
    const result = await transport().exec(sh`kill -9 $$`);
    expect(result.code).toBeNull();
    expect(result.signal).toBe('SIGKILL');
  });

  it('passes binary stdin through unchanged', async () => {
    const input = Buffer.concat([randomBytes(64 * 1024), Buffer.from([0, 255, 10, 13, 0])]);
    const result = await transport().exec(sh`base64`, { stdin: input });
    expect(result.code).toBe(0);
    expect(Buffer.from(result.stdout, 'base64').equals(input)).toBe(true);
  });

  it('gives a command that reads stdin an immediate end of file when there is none', async () => {
    expect(await transport().exec(sh`cat; echo done`)).toMatchObject({ code: 0, stdout: 'done\n' });
  });

  it('streams output chunks as they arrive', async () => {
    const chunks: string[] = [];
    const result = await transport().exec(sh`for i in 1 2 3; do echo "line $i"; sleep 0.05; done`, {
      onStdout: (chunk) => chunks.push(chunk),
    });
    expect(chunks.join('')).toBe(result.stdout);
    expect(result.stdout).toBe('line 1\nline 2\nline 3\n');
    expect(chunks.length).toBeGreaterThan(1);
  });

  it('kills a command that outlives its timeout and fails with RB_TIMEOUT; the connection stays usable', async () => {
    const ssh = transport();
    const marker = `runbook-timeout-${randomBytes(6).toString('hex')}`;
    const error = await ssh.exec(sh`sleep 30; echo ${marker}`, { timeoutMs: 300 }).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RunbookError);
    expect((error as RunbookError).code).toBe('RB_TIMEOUT');
    expect((error as RunbookError).message).toContain(`sleep 30; echo ${marker}`);
    // The kill travels asynchronously; poll until the command's processes are gone. The bracket
    // keeps pgrep from matching the shell that runs it, whose arguments hold the pattern.
    const pattern = `[${marker.slice(0, 1)}]${marker.slice(1)}`;
    let survivors = 'not checked';
    for (let attempt = 0; attempt < 50 && survivors !== ''; attempt += 1) {
      survivors = (await ssh.exec(sh`pgrep -f -- ${pattern} || true`)).stdout;
    }
    expect(survivors).toBe('');
    expect(ssh.stats.connections).toBe(1);
  });

  it('never shows a secret in a timeout message', async () => {
    const error = await transport()
      .exec(sh`sleep 30; echo ${secret('hunter2-secret')}`, { timeoutMs: 200 })
      .catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RunbookError);
    expect((error as RunbookError).code).toBe('RB_TIMEOUT');
    expect((error as RunbookError).message).toContain("echo '********'");
    expect((error as RunbookError).message).not.toContain('hunter2-secret');
  });

  it('stops a command when its signal aborts', async () => {
    const controller = new AbortController();
    const running = transport().exec(sh`sleep 30`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await running.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RunbookError);
    expect((error as RunbookError).message).toContain('interrupted');
  });

  it('fails a command whose connection drops with RB_CONNECT, then reconnects for the next one', async () => {
    const ssh = transport();
    // The command's parent is the session's sshd process: killing it ends the connection.
    const error = await ssh.exec(sh`kill -9 $PPID; sleep 1`).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(RunbookError);
    expect((error as RunbookError).code).toBe('RB_CONNECT');
    expect((error as RunbookError).message).toContain('was lost');
    expect((await ssh.exec(sh`echo back`)).stdout).toBe('back\n');
    expect(ssh.stats.connections).toBe(2);
  });

  it('reuses one connection for every exec', async () => {
    const ssh = transport();
    const before = sshd.connectionCount();
    for (let index = 0; index < 20; index += 1) {
      expect((await ssh.exec(sh`echo ${index}`)).stdout).toBe(`${index}\n`);
    }
    expect(ssh.stats).toEqual({ connections: 1, execs: 20 });
    expect(sshd.connectionCount() - before).toBe(1);
  });

  it('does not ask the server to prove the host keys it announces after login', async () => {
    // ssh2 would, on every connection: a signature per host key on the server, for keys runbook
    // never learns.
    const log = (): string => readFileSync(join(sshd.dir, 'sshd.log'), 'utf8');
    const before = log().length;
    const ssh = transport();
    expect((await ssh.exec(sh`echo ready`)).stdout).toBe('ready\n');
    await ssh.close();
    // This session is the one accepted after `before`; once the server has logged its end, it has
    // handled everything the client sent.
    const port = /Accepted \S+ for \S+ from \S+ port (\d+) /.exec(log().slice(before))?.[1];
    expect(port).toBeDefined();
    const ended = (): boolean => new RegExp(`Disconnected from user \\S+ \\S+ port ${port}\\b`).test(log());
    for (let waited = 0; !ended() && waited < 5000; waited += 50) await sleep(50);
    expect(ended()).toBe(true);
    expect(sshd.globalRequests()).not.toContain('hostkeys-prove-00@openssh.com');
  });

  it('round-trips every hostile value through a remote shell byte for byte', async () => {
    const ssh = transport();
    for (const value of HOSTILE_VALUES) {
      const result = await ssh.exec(sh`printf %s ${value}`);
      expect(result, JSON.stringify(value)).toEqual({ code: 0, signal: null, stdout: value, stderr: '' });
    }
  });
});

describe('authentication', () => {
  it('authenticates with a password', async () => {
    const ssh = transport({ user: sshd.noSudoUser, privateKeyFiles: [], password: sshd.noSudoPassword });
    expect((await ssh.exec(sh`id -un`)).stdout).toBe(`${sshd.noSudoUser}\n`);
  });

  it('authenticates with a key held by ssh-agent (SSH_AUTH_SOCK)', async () => {
    const socketPath = scratchFile('agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socketPath], { stdio: 'ignore' });
    const previous = process.env.SSH_AUTH_SOCK;
    try {
      for (let attempt = 0; attempt < 100 && !existsSync(socketPath); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 20));
      execFileSync('ssh-add', ['-q', sshd.privateKeyFile], { env: { ...process.env, SSH_AUTH_SOCK: socketPath }, stdio: 'ignore' });
      process.env.SSH_AUTH_SOCK = socketPath;
      expect((await transport({ privateKeyFiles: [] }).exec(sh`id -un`)).stdout).toBe(`${sshd.user}\n`);
    } finally {
      if (previous === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = previous;
      agent.kill();
    }
  });

  it('moves past an unusable ssh-agent to the next method', async () => {
    const previous = process.env.SSH_AUTH_SOCK;
    process.env.SSH_AUTH_SOCK = scratchFile('no-agent.sock');
    try {
      const ssh = transport({ user: sshd.noSudoUser, privateKeyFiles: [], password: sshd.noSudoPassword });
      expect((await ssh.exec(sh`id -un`)).stdout).toBe(`${sshd.noSudoUser}\n`);
    } finally {
      if (previous === undefined) delete process.env.SSH_AUTH_SOCK;
      else process.env.SSH_AUTH_SOCK = previous;
    }
  });

  it('fails with RB_AUTH listing the methods tried when no key is accepted', async () => {
    const strangerKey = scratchFile('stranger-key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', strangerKey]);
    const error = await connectError({ privateKeyFiles: [strangerKey, join(sshd.dir, 'missing-key')], password: 'wrong' });
    expect(error.code).toBe('RB_AUTH');
    expect(error.message).toContain(`${sshd.user}@${sshd.host}:${sshd.port}`);
    expect(error.message).toContain(`publickey ${strangerKey}`);
    expect(error.message).toContain('password');
    expect(error.message).toContain(`publickey ${join(sshd.dir, 'missing-key')} (cannot read: ENOENT)`);
    expect(error.message).not.toContain('wrong');
  });

});

describe('connection failures', () => {
  it('fails with RB_CONNECT naming host:port when nothing listens', async () => {
    const error = await connectError({ port: 1 });
    expect(error.code).toBe('RB_CONNECT');
    expect(error.message).toContain(`${sshd.host}:1`);
    expect(error.message).toContain('connection refused');
  });

  it('fails with RB_CONNECT naming both ends when the jump host cannot reach the target', async () => {
    const jump = settings({ name: 'jump', user: sshd.noSudoUser });
    const error = await connectError({ port: 1, jump });
    expect(error.code).toBe('RB_CONNECT');
    expect(error.message).toMatch(new RegExp(`^cannot reach ${sshd.host}:1 through jump host ${sshd.host}:${sshd.port}: `));
  });

  let silent: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('fails with RB_CONNECT when the peer accepts TCP but never speaks SSH', async () => {
    const address = silent.address() as AddressInfo;
    const error = await connectError({ port: address.port, connectTimeoutMs: 300 });
    expect(error.code).toBe('RB_CONNECT');
    expect(error.message).toBe(`cannot connect to 127.0.0.1:${address.port}: no SSH handshake within 300 ms`);
  });
});

describe('host key verification', () => {
  it('refuses an unknown host key under strict, saying how to accept it', async () => {
    const knownHostsFile = scratchFile('empty_known_hosts');
    writeFileSync(knownHostsFile, '');
    const before = sshd.connectionCount();
    const error = await connectError({ knownHostsFile });
    expect(error.code).toBe('RB_HOSTKEY');
    expect(error.message).toContain('is not known');
    expect(error.message).toContain(serverFingerprint());
    expect(error.message).toContain(`ssh-keyscan -p ${sshd.port} ${sshd.host} >> ${knownHostsFile}`);
    expect(error.message).toContain('--host-key-policy accept-new');
    expect(readFileSync(knownHostsFile, 'utf8')).toBe('');
    expect(sshd.connectionCount() - before).toBe(1);
  });

  it('records an unknown key under accept-new (creating the file 0600), then strict accepts it', async () => {
    const knownHostsFile = join(scratchFile('new-ssh-dir'), 'known_hosts');
    await transport({ knownHostsFile, hostKeyPolicy: 'accept-new' }).connect();
    expect(readFileSync(knownHostsFile, 'utf8')).toBe(`[${sshd.host}]:${sshd.port} ${sshd.hostPublicKey}\n`);
    expect(statSync(knownHostsFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(knownHostsFile, '..')).mode & 0o777).toBe(0o700);
    const strict = transport({ knownHostsFile, hostKeyPolicy: 'strict' });
    expect((await strict.exec(sh`echo ok`)).stdout).toBe('ok\n');
    expect(readFileSync(knownHostsFile, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
  });

  it.each<HostKeyPolicy>(['strict', 'accept-new'])('refuses a changed host key under %s, with both fingerprints and the line to fix', async (policy) => {
    const other = otherHostKeyLine();
    const knownHostsFile = scratchFile('changed_known_hosts');
    writeFileSync(knownHostsFile, `# first line is a comment\n${other.line}\n`);
    const error = await connectError({ knownHostsFile, hostKeyPolicy: policy });
    expect(error.code).toBe('RB_HOSTKEY');
    expect(error.message).toContain('CHANGED');
    expect(error.message).toContain(`expected ssh-ed25519 ${other.fingerprint} (${knownHostsFile}:2)`);
    expect(error.message).toContain(`received ssh-ed25519 ${serverFingerprint()}`);
    expect(readFileSync(knownHostsFile, 'utf8')).toBe(`# first line is a comment\n${other.line}\n`);
  });

  it('accepts a hashed known_hosts entry', async () => {
    const knownHostsFile = scratchFile('hashed_known_hosts');
    writeFileSync(knownHostsFile, readFileSync(sshd.knownHostsFile));
    execFileSync('ssh-keygen', ['-H', '-f', knownHostsFile], { stdio: 'ignore' });
    expect(readFileSync(knownHostsFile, 'utf8')).toMatch(/^\|1\|/);
    expect((await transport({ knownHostsFile }).exec(sh`echo hashed`)).stdout).toBe('hashed\n');
  });
});

describe('become through sudo', () => {
  it('runs a command as root with sudo -n', async () => {
    const result = await transport().exec(becomeCommand(sh`whoami; printf %s ${"it's $HOME"}`, 'root'));
    expect(result).toEqual({ code: 0, signal: null, stdout: "root\nit's $HOME", stderr: '' });
  });

  it('fails fast with a clear message for a user without sudo rights', async () => {
    const ssh = transport({ user: sshd.noSudoUser });
    const result = await ssh.exec(becomeCommand(sh`whoami`, 'root'), { timeoutMs: 30_000 });
    expect(result.code).not.toBe(0);
    expect(becomeFailureMessage(result)).toMatch(/^privilege escalation failed: sudo asked for a password/);
  });

  it('passes stdin through sudo', async () => {
    const result = await transport().exec(becomeCommand(sh`cat`, 'root'), { stdin: 'через sudo\n' });
    expect(result.stdout).toBe('через sudo\n');
  });
});

describe('settings', () => {
  it('resolves inventory vars and an ssh config alias into a working transport', async () => {
    const configFile = scratchFile('ssh_config');
    writeFileSync(configFile, `Host lab-alias\n  HostName ${sshd.host}\n  Port ${sshd.port}\n  User ${sshd.noSudoUser}\n  IdentityFile ${sshd.privateKeyFile}\n`);
    const resolved = resolveConnection(
      'web1',
      { ansible_host: 'lab-alias', ansible_user: sshd.user, runbook_known_hosts_file: sshd.knownHostsFile },
      { hostKeyPolicy: 'strict', sshConfigPath: configFile },
    );
    const created = createTransport(resolved);
    opened.push(created);
    expect(created).toBeInstanceOf(SshTransport);
    expect((await created.exec(sh`id -un`)).stdout).toBe(`${sshd.user}\n`);
  });

  it('connects through a ProxyJump host', async () => {
    const configFile = scratchFile('ssh_config');
    writeFileSync(
      configFile,
      [
        'Host target',
        `  HostName ${sshd.host}`,
        `  ProxyJump bastion`,
        'Host bastion',
        `  HostName ${sshd.host}`,
        `  Port ${sshd.port}`,
        `  User ${sshd.noSudoUser}`,
        `  IdentityFile ${sshd.privateKeyFile}`,
        '',
      ].join('\n'),
    );
    const resolved = resolveConnection(
      'target',
      { ansible_port: sshd.port, ansible_user: sshd.user, ansible_ssh_private_key_file: sshd.privateKeyFile },
      { hostKeyPolicy: 'strict', sshConfigPath: configFile, knownHostsFile: sshd.knownHostsFile },
    );
    expect(resolved.jump).toMatchObject({ address: sshd.host, port: sshd.port, user: sshd.noSudoUser });
    const before = sshd.connectionCount();
    const created = createTransport(resolved);
    opened.push(created);
    const result = await created.exec(sh`id -un; echo "$SSH_CONNECTION"`);
    const [user, connection] = result.stdout.trim().split('\n');
    expect(user).toBe(sshd.user);
    // The target session's client is the jump host's sshd, forwarding from the same loopback address.
    expect(connection).toMatch(new RegExp(`^${sshd.host.replaceAll('.', '\\.')} \\d+ ${sshd.host.replaceAll('.', '\\.')} ${sshd.port}$`));
    expect(sshd.connectionCount() - before).toBe(2);
  });
});
