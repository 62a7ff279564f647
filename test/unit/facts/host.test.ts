import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../../../src/facts/host.js';
import { UnreadableFacts } from '../../../src/facts/probe-output.js';
import { quote } from '../../../src/shell/quote.js';

const fixture = (name: string) => ({
  code: 0,
  signal: null,
  stdout: readFileSync(new URL(`fixtures/${name}.txt`, import.meta.url), 'utf8'),
  stderr: '',
});

const cases: Array<[string, Partial<HostFacts>]> = [
  [
    // Captured on the sandbox's kvm1 (Debian 12 under systemd-nspawn).
    'debian-12-sandbox-kvm1',
    {
      hostname: 'kvm1',
      osFamily: 'debian',
      distribution: 'debian',
      distributionVersion: '12',
      packageManager: 'apt',
      initSystem: 'systemd',
      addresses: ['10.77.0.13'],
      selinux: 'absent',
      firewalld: 'absent',
      user: 'root',
      uid: 0,
    },
  ],
  [
    'centos-7.9-selinux-firewalld',
    {
      osFamily: 'redhat',
      distribution: 'centos',
      distributionVersion: '7',
      packageManager: 'yum',
      addresses: ['10.10.10.113', '192.168.122.1'],
      selinux: 'enforcing',
      firewalld: 'running',
    },
  ],
  [
    'rocky-9.3-aarch64-permissive',
    {
      osFamily: 'redhat',
      distribution: 'rocky',
      distributionVersion: '9.3',
      packageManager: 'dnf',
      selinux: 'permissive',
      firewalld: 'stopped',
      user: 'admin',
      uid: 1000,
      architecture: 'aarch64',
    },
  ],
  ['rhel-9.2-selinux-firewalld', { osFamily: 'redhat', packageManager: 'dnf', addresses: ['10.10.10.21', '10.10.10.99'], selinux: 'enforcing', firewalld: 'running', user: 'cloud-user' }],
  // Without the ip program, the addresses come from hostname -I (its IPv6 addresses left out).
  ['ubuntu-22.04-no-ip', { osFamily: 'debian', packageManager: 'apt', addresses: ['192.168.1.20', '172.17.0.1'] }],
];

describe('parseHostFacts', () => {
  it.each(cases)('%s', (name, expected) => {
    expect(parseHostFacts(fixture(name), name)).toMatchObject(expected);
  });

  it('knows nothing it was not told', () => {
    expect(parseHostFacts({ code: 0, signal: null, stdout: 'facts_start=1\narch=x86_64\nfacts_end=1\n', stderr: '' }, 'bare')).toEqual({
      hostname: '',
      osFamily: 'unknown',
      distribution: '',
      distributionVersion: '',
      packageManager: 'unknown',
      initSystem: 'other',
      addresses: [],
      selinux: 'absent',
      firewalld: 'absent',
      user: '',
      uid: -1,
      architecture: 'x86_64',
      ansible: expect.objectContaining({ distribution: 'OtherLinux', distribution_version: 'NA', pkg_mgr: 'unknown', service_mgr: 'service', selinux: { status: 'disabled' } }),
    });
  });
});

describe('hostFactsCommand', () => {
  // dash is Debian's sh; bash is RHEL's.
  it.each(['sh', 'bash'])('runs under %s, exits 0 and reports this machine', (shell) => {
    const stdout = execFileSync(shell, ['-c', hostFactsCommand().render()], { encoding: 'utf8' });
    const facts = parseHostFacts({ code: 0, signal: null, stdout, stderr: '' }, 'localhost');
    expect(facts.hostname).toBe(hostname());
    expect(facts.uid).toBe(process.getuid?.());
    expect(facts.architecture).toBe(execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
    expect(facts.addresses.every((address) => !address.startsWith('127.'))).toBe(true);
    expect(facts.ansible).toMatchObject({
      system: execFileSync('uname', ['-s'], { encoding: 'utf8' }).trim(),
      kernel: execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim(),
      kernel_version: execFileSync('uname', ['-v'], { encoding: 'utf8' }).trim(),
    });
    // This machine's own os-release, trusted here, read by a shell.
    const sourced = execFileSync('sh', ['-c', '. /etc/os-release; printf "%s\\n" "$ID" "$VERSION_ID"'], { encoding: 'utf8' }).split('\n');
    expect([facts.distribution, facts.distributionVersion]).toEqual([sourced[0]!.toLowerCase(), sourced[1]]);
  });

  const fakes = mkdtempSync(join(tmpdir(), 'runbook-facts-fakes-'));
  afterAll(() => rmSync(fakes, { recursive: true, force: true }));
  /** Runs the script with `programs` (name -> sh script) ahead of the real ones on PATH. */
  const runWith = (shell: string, programs: Record<string, string>) => {
    const bin = mkdtempSync(join(fakes, 'bin-'));
    for (const [name, body] of Object.entries(programs)) {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    }
    return spawnSync(shell, ['-c', hostFactsCommand().render()], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
  };

  // dash's echo would turn `\c` into the end of its output, joining this line and the next.
  it.each(['sh', 'bash'])('prints values holding backslashes, quotes and $( ) byte for byte under %s', (shell) => {
    const gecos = String.raw`a\cb \n \\ "q" 'q' $(touch pwned) \`id\``;
    const run = runWith(shell, { getent: `printf '%s\\n' ${quote(`me:x:0:0:${gecos}:/home/me:/bin/sh`)}` });
    expect(run.status, run.stderr).toBe(0);
    const facts = parseHostFacts({ code: 0, signal: null, stdout: run.stdout, stderr: '' }, 'localhost');
    expect(facts.ansible).toMatchObject({ user_id: 'me', user_gecos: gecos, user_dir: '/home/me' });
    expect(facts.user).toBe('me');
  });

  it.each(['sh', 'bash'])('under %s, a script killed halfway leaves output read as truncated', (shell) => {
    // `$(uname …)` runs this: it kills the shell running the script.
    const run = runWith(shell, { uname: 'kill -KILL "$PPID"' });
    expect(run.signal).toBe('SIGKILL');
    expect(() => parseHostFacts({ code: null, signal: 'KILL', stdout: run.stdout, stderr: run.stderr }, 'localhost')).toThrow(
      /^facts output from localhost is truncated \(no end marker after \d+ lines; the last: "hostname=/,
    );
  });
});

const whole = fixture('debian-12-sandbox-kvm1').stdout;
const lines = whole.split('\n').slice(0, -1);
const read = (stdout: string) => () => parseHostFacts({ code: 0, signal: null, stdout, stderr: '' }, 'kvm1');

describe('facts output that is not whole', () => {
  it('is truncated without its end marker, with how many lines came and the last', () => {
    expect(read(`${lines.slice(0, 12).join('\n')}\n`)).toThrow(new UnreadableFacts(`facts output from kvm1 is truncated (no end marker after 12 lines; the last: ${JSON.stringify(lines[11])})`));
    expect(read(`${lines.slice(0, -1).join('\n')}\n`)).toThrow(/^facts output from kvm1 is truncated \(no end marker after 51 lines; the last: "\/proc\/self\/status:Cpus_allowed_list:\\t0-1"\)$/);
    // Cut in the middle of the end marker itself.
    expect(read(whole.slice(0, -5))).toThrow(/^facts output from kvm1 is truncated \(no end marker after 52 lines; the last: "facts_e"\)$/);
  });

  it('is truncated when empty', () => {
    expect(read('')).toThrow(new UnreadableFacts('facts output from kvm1 is truncated (no end marker after 0 lines)'));
  });

  it('ignores what a login shell printed before the start marker', () => {
    expect(parseHostFacts({ code: 0, signal: null, stdout: `Welcome!\nno = fact\n${whole}`, stderr: '' }, 'kvm1')).toEqual(
      parseHostFacts({ code: 0, signal: null, stdout: whole, stderr: '' }, 'kvm1'),
    );
  });

  it('is unparsable with a line that is not a fact, named by its number', () => {
    const garbage = (line: string, at = 20) => [...lines.slice(0, at), line, ...lines.slice(at)].join('\n') + '\n';
    expect(read(garbage('garbage'))).toThrow(new UnreadableFacts('facts output from kvm1 is unparsable (line 21 is not a fact: "garbage")'));
    expect(read(garbage('=no key'))).toThrow(/line 21 is not a fact: "=no key"/);
    expect(read(garbage('Key=capital'))).toThrow(/line 21 is not a fact: "Key=capital"/);
    expect(read(garbage(''))).toThrow(/line 21 is not a fact: ""/);
    expect(read(garbage('\u0000\u001b[31m'))).toThrow(/line 21 is not a fact: "\\u0000\\u001b\[31m"/);
    expect(read(garbage('x'.repeat(5000)))).toThrow(new RegExp(`line 21 is not a fact: "${'x'.repeat(200)}…"\\)$`));
    // After the end marker, nothing is the script's.
    expect(read(`${whole}trailing\n`)).toThrow(/^facts output from kvm1 is unparsable \(line 53 is not a fact: "trailing"\)$/);
  });

  it('is unparsable with an end marker but no start marker', () => {
    expect(read(lines.slice(1).join('\n'))).toThrow(new UnreadableFacts('facts output from kvm1 is unparsable (no start marker before its end, line 51)'));
  });

  it('takes no marker from the host: an os-release line "facts_end=1" is a line of the file', () => {
    const cut = `facts_start=1\nosrel=facts_end=1\nosrel=ID=debian\nhostname=kvm1\n`;
    expect(read(cut)).toThrow(/^facts output from kvm1 is truncated \(no end marker after 4 lines/);
  });
});
