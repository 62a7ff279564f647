import type { TestProject } from 'vitest/node';
import { acquireSandboxLease, sandboxDown, sandboxUp } from '../../src/sandbox/sandbox.js';

/**
 * Brings the lab sandbox (nfs, kvm1, kvm2) up once for the integration project and down at the end.
 * If it cannot start, this throws and the run fails with the reason: integration tests never skip.
 * While the run lasts it holds the sandbox lease, so another run on this machine cannot tear the
 * hosts down underneath it; the lease token lets test files bring the sandbox down and up themselves.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    sandboxInventory: string;
    sandboxLeaseToken: string;
  }
}

const LEASE_WAIT_MS = 15 * 60_000;

const log = (message: string): void => {
  process.stderr.write(`[sandbox] ${message}\n`);
};

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // On a machine shared by several people, another run may hold the sandbox: wait for it.
  const lease = await acquireSandboxLease('an integration test run (vitest)', {
    waitMs: LEASE_WAIT_MS,
    onWait: (holder) => log(`${holder}; waiting up to ${LEASE_WAIT_MS / 60_000} min`),
  });
  try {
    const up = await sandboxUp({ kind: 'lab' }, { leaseToken: lease.token, progress: log });
    log(`up in ${(up.durationMs / 1000).toFixed(1)} s: ${up.hosts.map((host) => host.name).join(', ')}; inventory ${up.inventoryFile}`);
    project.provide('sandboxInventory', up.inventoryFile);
    project.provide('sandboxLeaseToken', lease.token);
  } catch (error) {
    lease.release();
    throw error;
  }
  return async () => {
    try {
      const down = await sandboxDown({ leaseToken: lease.token });
      log(`down in ${(down.durationMs / 1000).toFixed(1)} s`);
    } finally {
      lease.release();
    }
  };
}
