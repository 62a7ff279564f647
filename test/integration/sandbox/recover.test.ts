import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandboxPaths } from '../../../src/sandbox/paths.js';
import { sandboxProcesses, signal, waitForExit } from '../../../src/sandbox/processes.js';
import { sandboxUp } from '../../../src/sandbox/sandbox.js';
import { sh } from '../../../src/shell/command.js';
import { sandboxLeaseToken, sshToHost } from '../../helpers/sandbox.js';

const paths = sandboxPaths();

describe('runbook sandbox up after a crash', () => {
  it('removes what the crashed sandbox left running and starts a complete new one', async () => {
    // What a runner crash in the middle of things leaves: hosts still running, some forwarders and
    // the proxy gone, no state file.
    const before = sandboxProcesses(paths.stateDir);
    const killed = before.filter((info) => info.kind === 'apt-proxy' || info.argv.some((arg) => arg.includes('kvm1.ssh.sock'))).map((info) => info.pid);
    for (const pid of killed) signal(pid, 'SIGKILL');
    expect(await waitForExit(killed, 5_000)).toEqual([]);
    rmSync(paths.stateFile);

    await sandboxUp({ kind: 'lab' }, { leaseToken: sandboxLeaseToken() });

    const after = sandboxProcesses(paths.stateDir);
    // Distinct command lines: a forwarder forks a child with its own per open connection.
    const count = (kind: string) => new Set(after.filter((info) => info.kind === kind).map((info) => info.argv.join(' '))).size;
    // Three hosts; per host two ssh forwarders, plus the apt proxy and its forwarder.
    expect({ hosts: count('host'), forwarders: count('forwarder'), proxies: count('apt-proxy') }).toEqual({ hosts: 3, forwarders: 7, proxies: 1 });
    expect(after.some((info) => before.some((old) => old.pid === info.pid))).toBe(false);
    for (const name of ['nfs', 'kvm1', 'kvm2']) expect(await sshToHost(name, sh`hostname`)).toMatchObject({ code: 0, stdout: `${name}\n` });
  });
});
