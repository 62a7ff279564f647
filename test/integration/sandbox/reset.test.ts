import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { resetHost, sshToHost } from '../../helpers/sandbox.js';

describe('runbook sandbox reset', () => {
  it('replaces one host by a fresh one that every other host and the runner trust, keeping the shared storage', async () => {
    const marker = `/root/before-reset-${randomBytes(4).toString('hex')}`;
    const shared = `/var/lib/runbook-sandbox/shared/kept-${randomBytes(4).toString('hex')}`;
    const before = await sshToHost('kvm2', sh`touch ${marker} ${shared} && cat /etc/ssh/ssh_host_ed25519_key.pub`);
    expect(before.code, before.stderr).toBe(0);
    const untouched = await sshToHost('kvm1', sh`cat /etc/ssh/ssh_host_ed25519_key.pub`);

    await resetHost('kvm2');

    const after = await sshToHost('kvm2', sh`test ! -e ${marker} && test -e ${shared} && cat /etc/ssh/ssh_host_ed25519_key.pub`);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).not.toBe(before.stdout);
    // Host keys are checked strictly between hosts too: both directions work with the new key.
    expect(await sshToHost('kvm1', sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes kvm2 hostname`)).toMatchObject({ code: 0, stdout: 'kvm2\n' });
    expect(await sshToHost('kvm2', sh`ssh -o BatchMode=yes -o StrictHostKeyChecking=yes kvm1 hostname`)).toMatchObject({ code: 0, stdout: 'kvm1\n' });
    expect((await sshToHost('kvm1', sh`cat /etc/ssh/ssh_host_ed25519_key.pub`)).stdout).toBe(untouched.stdout);
  });
});
