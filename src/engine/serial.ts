import type { BatchSize } from '../load/model.js';

/**
 * The play's hosts in batches, as Ansible's `serial` cuts them: each size in turn (a percentage of
 * all the play's hosts, rounded down but at least one host), the last size repeating until every
 * host has a batch; no sizes, or a size of 0, takes all the hosts left.
 */
export function playBatches(hosts: readonly string[], serial: readonly BatchSize[]): string[][] {
  const left = [...hosts];
  const batches: string[][] = [];
  for (let index = 0; left.length > 0; index = Math.min(index + 1, serial.length - 1)) {
    const size = serial.length === 0 ? 0 : batchSize(serial[index]!, hosts.length);
    batches.push(left.splice(0, size <= 0 ? left.length : size));
  }
  return batches;
}

/** A number of hosts, or "30%" of `total` (at least one). */
function batchSize(size: BatchSize, total: number): number {
  if (typeof size === 'number') return size;
  const percent = Number.parseInt(size.replace('%', '').trim(), 10);
  return Math.floor((percent / 100) * total) || 1;
}

/** max_fail_percentage: whether more than that share of the batch's hosts has failed. */
export function tooManyFailed(failed: number, batchSize: number, maxFailPercentage: number | undefined): boolean {
  return maxFailPercentage !== undefined && batchSize > 0 && failed / batchSize > maxFailPercentage / 100;
}
