import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { hostFactsCommand, parseHostFacts, type HostFacts } from '../../../src/facts/host.js';

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
  });
});
