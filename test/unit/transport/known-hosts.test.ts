import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import {
  checkHostKey,
  fingerprint,
  hostFieldMatches,
  hostKeyAlgorithms,
  keyTypeOf,
  KnownHostsVerifier,
  knownHostsName,
  parseKnownHosts,
} from '../../../src/transport/known-hosts.js';

const dir = mkdtempSync(join(tmpdir(), 'runbook-known-hosts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TestKey {
  /** `type base64`, as in a known_hosts line. */
  publicKey: string;
  blob: Buffer;
  /** ssh-keygen's own fingerprint, the oracle for ours. */
  sshKeygenFingerprint: string;
}

let keyCount = 0;
function generateKey(type: 'ed25519' | 'ecdsa' | 'rsa'): TestKey {
  keyCount += 1;
  const file = join(dir, `key${keyCount}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-f', file]);
  const publicKey = readFileSync(`${file}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  const sshKeygenFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? '';
  return { publicKey, blob: Buffer.from(publicKey.split(' ')[1] ?? '', 'base64'), sshKeygenFingerprint };
}

const ed25519 = generateKey('ed25519');
const ecdsa = generateKey('ecdsa');
const rsa = generateKey('rsa');
const otherEd25519 = generateKey('ed25519');

describe('known_hosts names and patterns', () => {
  it('names a host as ssh does: bare on port 22, [host]:port otherwise, lower case', () => {
    expect(knownHostsName('Web1.Example', 22)).toBe('web1.example');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('matches plain names, [host]:port, comma lists, wildcards and negations', () => {
    expect(hostFieldMatches('web1', 'web1')).toBe(true);
    expect(hostFieldMatches('web1', '[web1]:2222')).toBe(false);
    expect(hostFieldMatches('[web1]:2222', '[web1]:2222')).toBe(true);
    expect(hostFieldMatches('[web1]:2222', 'web1')).toBe(false);
    expect(hostFieldMatches('web1,10.0.0.5,[web1]:2222', '10.0.0.5')).toBe(true);
    expect(hostFieldMatches('WEB1', 'web1')).toBe(true);
    expect(hostFieldMatches('*.example.org', 'a.example.org')).toBe(true);
    expect(hostFieldMatches('web?', 'web12')).toBe(false);
    expect(hostFieldMatches('*.example.org,!bad.example.org', 'bad.example.org')).toBe(false);
    expect(hostFieldMatches('web.1', 'webx1')).toBe(false);
  });

  it('matches hashed names made by ssh-keygen -H', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `[10.1.2.3]:2200 ${ed25519.publicKey}\nplainhost ${ed25519.publicKey}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const [first, second] = parseKnownHosts(readFileSync(file, 'utf8'));
    expect(first?.hosts).toMatch(/^\|1\|[^|]+\|[^|]+$/);
    expect(hostFieldMatches(first?.hosts ?? '', '[10.1.2.3]:2200')).toBe(true);
    expect(hostFieldMatches(first?.hosts ?? '', '10.1.2.3')).toBe(false);
    expect(hostFieldMatches(second?.hosts ?? '', 'plainhost')).toBe(true);
    expect(hostFieldMatches(second?.hosts ?? '', 'otherhost')).toBe(false);
  });
});

describe('parseKnownHosts', () => {
  it('reads key lines with their line numbers and markers, skipping comments and blanks', () => {
    const entries = parseKnownHosts(
      ['# comment', '', `web1,web1.lan ${ed25519.publicKey} a comment`, `@revoked * ${rsa.publicKey}`, `@cert-authority *.lan ${ecdsa.publicKey}`, 'broken-line'].join('\n'),
    );
    expect(entries).toEqual([
      { line: 3, marker: undefined, hosts: 'web1,web1.lan', keyType: 'ssh-ed25519', key: ed25519.publicKey.split(' ')[1] },
      { line: 4, marker: 'revoked', hosts: '*', keyType: 'ssh-rsa', key: rsa.publicKey.split(' ')[1] },
      { line: 5, marker: 'cert-authority', hosts: '*.lan', keyType: ecdsa.publicKey.split(' ')[0], key: ecdsa.publicKey.split(' ')[1] },
    ]);
  });
});

describe('fingerprints and key types', () => {
  it.each([
    ['ed25519', ed25519, 'ssh-ed25519'],
    ['ecdsa', ecdsa, 'ecdsa-sha2-nistp256'],
    ['rsa', rsa, 'ssh-rsa'],
  ] as const)('agree with ssh-keygen for %s', (_name, key, type) => {
    expect(fingerprint(key.blob)).toBe(key.sshKeygenFingerprint);
    expect(keyTypeOf(key.blob)).toBe(type);
  });
});

describe('checkHostKey', () => {
  const name = '[10.0.0.5]:2222';
  const entries = parseKnownHosts(
    [`${name} ${ed25519.publicKey}`, `${name} ${rsa.publicKey}`, `other ${otherEd25519.publicKey}`].join('\n'),
  );

  it('knows a key listed for the host, whatever other keys it has', () => {
    expect(checkHostKey(entries, name, ed25519.blob)).toEqual({ status: 'known' });
    expect(checkHostKey(entries, name, rsa.blob)).toEqual({ status: 'known' });
  });

  it('calls a host without entries unknown', () => {
    expect(checkHostKey(entries, '[10.0.0.5]:22', ed25519.blob)).toEqual({ status: 'unknown' });
  });

  it('calls a different key of a listed type changed, naming the expected entry', () => {
    const check = checkHostKey(entries, name, otherEd25519.blob);
    expect(check.status).toBe('changed');
    expect(check.status === 'changed' && check.expected.map((entry) => entry.line)).toEqual([1]);
  });

  it('calls a key of a type the host never had changed too, naming every entry', () => {
    const check = checkHostKey(entries, name, ecdsa.blob);
    expect(check.status === 'changed' && check.expected.map((entry) => entry.line)).toEqual([1, 2]);
  });

  it('refuses a revoked key even for a host listed with it', () => {
    const withRevoked = parseKnownHosts(`${name} ${ed25519.publicKey}\n@revoked * ${ed25519.publicKey}\n`);
    expect(checkHostKey(withRevoked, name, ed25519.blob)).toMatchObject({ status: 'revoked', entry: { line: 2 } });
  });

  it('does not treat a cert-authority line as the host key', () => {
    const authorityOnly = parseKnownHosts(`@cert-authority ${name} ${ed25519.publicKey}\n`);
    expect(checkHostKey(authorityOnly, name, ed25519.blob)).toEqual({ status: 'unknown' });
  });
});

describe('hostKeyAlgorithms', () => {
  it('asks first for the algorithms of the keys known for the host', () => {
    const entries = parseKnownHosts(`web1 ${rsa.publicKey}\nweb2 ${ecdsa.publicKey}\n`);
    expect(hostKeyAlgorithms(entries, 'web1').slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms(entries, 'web2')[0]).toBe('ecdsa-sha2-nistp256');
    expect(hostKeyAlgorithms(entries, 'web3')[0]).toBe('ssh-ed25519');
    expect(new Set(hostKeyAlgorithms(entries, 'web1'))).toEqual(new Set(hostKeyAlgorithms(entries, 'web3')));
  });
});

describe('KnownHostsVerifier', () => {
  const verifyError = async (verifier: KnownHostsVerifier, blob: Buffer): Promise<RunbookError> => {
    const error = await verifier.verify(blob).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(RunbookError);
    expect((error as RunbookError).code).toBe('RB_HOSTKEY');
    return error as RunbookError;
  };

  it('under strict, refuses an unknown key and names the fingerprint and both ways to accept it', async () => {
    const file = join(dir, 'strict_known_hosts');
    const error = await verifyError(new KnownHostsVerifier({ file, host: 'web1', port: 22, policy: 'strict' }), ed25519.blob);
    expect(error.message).toContain(`ssh-ed25519 ${ed25519.sshKeygenFingerprint}`);
    expect(error.message).toContain(`ssh-keyscan web1 >> ${file}`);
    expect(error.message).toContain('--host-key-policy accept-new');
  });

  it('under accept-new, records an unknown key once, in a new 0600 file in a new 0700 directory', async () => {
    const file = join(dir, 'fresh', '.ssh', 'known_hosts');
    const verifier = new KnownHostsVerifier({ file, host: '10.9.8.7', port: 2200, policy: 'accept-new' });
    await verifier.verify(ed25519.blob);
    await verifier.verify(ed25519.blob);
    expect(readFileSync(file, 'utf8')).toBe(`[10.9.8.7]:2200 ${ed25519.publicKey}\n`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'fresh', '.ssh')).mode & 0o777).toBe(0o700);
  });

  it('appends after a last line that lacks its newline', async () => {
    const file = join(dir, 'no_trailing_newline');
    writeFileSync(file, `other ${rsa.publicKey}`);
    await new KnownHostsVerifier({ file, host: 'web1', port: 22, policy: 'accept-new' }).verify(ed25519.blob);
    expect(readFileSync(file, 'utf8')).toBe(`other ${rsa.publicKey}\nweb1 ${ed25519.publicKey}\n`);
  });

  it('refuses a changed key even under accept-new, with both fingerprints and the file:line to fix', async () => {
    const file = join(dir, 'changed_known_hosts');
    const content = `# managed by hand\nweb1 ${ed25519.publicKey}\n`;
    writeFileSync(file, content);
    const error = await verifyError(new KnownHostsVerifier({ file, host: 'web1', port: 22, policy: 'accept-new' }), otherEd25519.blob);
    expect(error.message).toContain('CHANGED');
    expect(error.message).toContain(`expected ssh-ed25519 ${ed25519.sshKeygenFingerprint} (${file}:2)`);
    expect(error.message).toContain(`received ssh-ed25519 ${otherEd25519.sshKeygenFingerprint}`);
    expect(error.message).toContain(`ssh-keygen -R web1 -f ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('finds a host in a comma list among wildcard, negated and hashed lines, each host its own', async () => {
    const file = join(dir, 'many_known_hosts');
    writeFileSync(file, `hashed1 ${rsa.publicKey}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const hashed = readFileSync(file, 'utf8').trim();
    writeFileSync(
      file,
      [`*.lab,!web9.lab ${rsa.publicKey}`, hashed, `db1,WEB2,web3 ${ed25519.publicKey}`, `web4 ${otherEd25519.publicKey}`, `web5,web6 ${ecdsa.publicKey}`, ''].join('\n'),
    );
    const verifier = (host: string): KnownHostsVerifier => new KnownHostsVerifier({ file, host, port: 22, policy: 'strict' });
    await verifier('web2').verify(ed25519.blob);
    await verifier('kvm1.lab').verify(rsa.blob);
    await verifier('hashed1').verify(rsa.blob);
    expect((await verifyError(verifier('web4'), ed25519.blob)).message).toContain(`(${file}:4)`);
    expect((await verifyError(verifier('web9.lab'), rsa.blob)).message).toContain('is not known');
    await verifier('web6').verify(ecdsa.blob);
    expect((await verifier('web6').hostKeyAlgorithms())[0]).toBe('ecdsa-sha2-nistp256');
    expect((await verifier('kvm1.lab').hostKeyAlgorithms()).slice(0, 3)).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
  });

  it('reads the file again once it changes, even to a line of the same length at once', async () => {
    const file = join(dir, 'rewritten_known_hosts');
    writeFileSync(file, `web1 ${ed25519.publicKey}\n`);
    await new KnownHostsVerifier({ file, host: 'web1', port: 22, policy: 'strict' }).verify(ed25519.blob);
    writeFileSync(file, `web1 ${otherEd25519.publicKey}\n`);
    const error = await verifyError(new KnownHostsVerifier({ file, host: 'web1', port: 22, policy: 'strict' }), ed25519.blob);
    expect(error.message).toContain('CHANGED');
  });

  it('refuses a revoked key', async () => {
    const file = join(dir, 'revoked_known_hosts');
    writeFileSync(file, `web1 ${ed25519.publicKey}\n@revoked * ${ed25519.publicKey}\n`);
    const error = await verifyError(new KnownHostsVerifier({ file, host: 'web1', port: 22, policy: 'accept-new' }), ed25519.blob);
    expect(error.message).toContain('@revoked');
  });
});
