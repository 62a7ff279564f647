import { RunbookError } from '../errors.js';
import type { Inventory } from '../load/model.js';

/** A pod name must be one of the classroom's. */
export function assertPod(inventory: Inventory, pod: string): void {
  if (inventory.pods.has(pod)) return;
  const known = [...inventory.pods.keys()];
  throw new RunbookError('RB_USAGE', `${inventory.file ?? 'the inventory'} has no pod ${pod}`, {
    hint: known.length === 0 ? 'pods are the child groups of runbook_pods in a classroom inventory' : `its pods: ${known.join(', ')}`,
  });
}

/** --limit narrowed to one pod: the pod is a group, so `LIMIT:&POD`. */
export function podLimit(limit: string | undefined, pod: string | undefined): string | undefined {
  if (pod === undefined) return limit;
  return limit === undefined ? pod : `${limit}:&${pod}`;
}
