import { afterAll } from 'vitest';
import { sandboxUp } from '../../src/sandbox/sandbox.js';
import { sandboxLeaseToken, sandboxWasUsed } from '../helpers/sandbox.js';

/**
 * Runs with every integration test file: after a file that used the sandbox, the hosts are replaced
 * by freshly booted ones (a few seconds), so no file depends on what an earlier one left behind.
 */
afterAll(async () => {
  if (!sandboxWasUsed()) return;
  const up = await sandboxUp({ kind: 'lab' }, { leaseToken: sandboxLeaseToken() });
  process.stderr.write(`[sandbox] fresh hosts for the next file in ${(up.durationMs / 1000).toFixed(1)} s\n`);
});
