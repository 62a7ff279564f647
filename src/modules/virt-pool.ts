import type { VirtPoolArgs } from '../schema/generated/virt_pool.js';
import { POOL, planEntry, probeEntry, type EntryArgs } from './lib/libvirt-entry.js';
import type { ModuleDefinition } from './types.js';

const entryArgs = (args: VirtPoolArgs): EntryArgs => ({ ...args, name: args.name ?? args.pool });

export const virtPoolModule: ModuleDefinition<VirtPoolArgs> = {
  name: 'virt_pool',
  summary: "A libvirt storage pool present, active, inactive, absent or deleted, built, its autostart, status, XML or the list of pools (Ansible's virt_pool)",
  probe: (args) => probeEntry(POOL, entryArgs(args)),
  plan: (args, probes, context) => planEntry(POOL, entryArgs(args), probes, context),
};
