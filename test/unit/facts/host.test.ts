import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../../../src/facts/host.js';
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
    expect(parseHostFacts(fixture(name))).toMatchObject(expected);
  });

  it('knows nothing it was not told', () => {
    expect(parseHostFacts({ code: 0, signal: null, stdout: 'arch=x86_64\n', stderr: '' })).toEqual({
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
    const facts = parseHostFacts({ code: 0, signal: null, stdout, stderr: '' });
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
    const facts = parseHostFacts({ code: 0, signal: null, stdout: run.stdout, stderr: '' });
    expect(facts.ansible).toMatchObject({ user_id: 'me', user_gecos: gecos, user_dir: '/home/me' });
    expect(facts.user).toBe('me');
  });
});
