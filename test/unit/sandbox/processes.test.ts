import { describe, expect, it } from 'vitest';
import { sandboxProcesses } from '../../../src/sandbox/processes.js';

describe('sandboxProcesses', () => {
  it('finds nspawn, the forwarders and the apt proxy by the state directory on their command lines, and nothing else', () => {
    const state = '/root/.local/state/runbook/sandbox';
    const processes = [
      { pid: 10, argv: ['systemd-nspawn', '--quiet', `--directory=${state}/hosts/nfs/merged`, '--machine=nfs'] },
      { pid: 11, argv: ['socat', `UNIX-LISTEN:${state}/sockets/nfs.ssh.sock,fork`, 'TCP:10.77.0.15:22'] },
      { pid: 12, argv: ['/usr/bin/node', '/work/dist/sandbox/apt-proxy.js', '--socket', `${state}/sockets/apt-proxy.sock`] },
      // An ssh client using the sandbox's known_hosts is the user's, not the sandbox's.
      { pid: 13, argv: ['ssh', '-o', `UserKnownHostsFile=${state}/known_hosts`, 'root@127.0.2.15'] },
      { pid: 14, argv: ['socat', 'TCP-LISTEN:8080', 'TCP:example:80'] },
      { pid: 15, argv: ['systemd-nspawn', `--directory=${state}-old/hosts/nfs/merged`] },
    ];
    expect(sandboxProcesses(state, processes).map(({ pid, kind }) => ({ pid, kind }))).toEqual([
      { pid: 10, kind: 'host' },
      { pid: 11, kind: 'forwarder' },
      { pid: 12, kind: 'apt-proxy' },
    ]);
  });
});
