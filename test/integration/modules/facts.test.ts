import { describe, expect, it } from 'vitest';
import { hostFactsCommand, parseHostFacts } from '../../../src/facts/host.js';
import { sandboxHost, sshToHost } from '../../helpers/sandbox.js';

describe('host facts on the sandbox hosts', () => {
  it.each(['nfs', 'kvm1', 'kvm2'])('%s: Debian 12, apt, systemd, its lab address, no SELinux, no firewalld; one command', async (name) => {
    const result = await sshToHost(name, hostFactsCommand());
    expect(result.code, result.stderr).toBe(0);
    expect(parseHostFacts({ code: result.code, signal: null, stdout: result.stdout, stderr: result.stderr }, name)).toEqual({
      hostname: name,
      osFamily: 'debian',
      distribution: 'debian',
      distributionVersion: '12',
      packageManager: 'apt',
      initSystem: 'systemd',
      addresses: [sandboxHost(name).labAddress],
      selinux: 'absent',
      firewalld: 'absent',
      user: 'root',
      uid: 0,
      architecture: expect.stringMatching(/^(x86_64|aarch64)$/),
      ansible: expect.objectContaining({ distribution: 'Debian', os_family: 'Debian' }),
    });
  });
});
