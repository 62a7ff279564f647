import type { VirtNetArgs } from '../schema/generated/virt_net.js';
import { NETWORK, planEntry, probeEntry, type EntryArgs } from './lib/libvirt-entry.js';
import type { ModuleDefinition } from './types.js';

const entryArgs = (args: VirtNetArgs): EntryArgs => ({ ...args, name: args.name ?? args.network });

export const virtNetModule: ModuleDefinition<VirtNetArgs> = {
  name: 'virt_net',
  summary: "A libvirt network present, active, inactive or absent, its autostart, status, XML or the list of networks (Ansible's virt_net)",
  probe: (args) => probeEntry(NETWORK, entryArgs(args)),
  plan: (args, probes, context) => planEntry(NETWORK, entryArgs(args), probes, context),
};
