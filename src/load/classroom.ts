import { stringify } from 'yaml';
import { RunbookError } from '../errors.js';
import { PODS_GROUP } from './inventory-draft.js';
import type { Inventory } from './model.js';

/**
 * A classroom inventory from the inventory of one lab: N pods (pod01…), each a copy of the lab's
 * hosts named `podNN-<host>`, in the same groups. Every IPv4 address in a variable (also inside a
 * network such as 10.10.10.0/24) is rewritten by the pattern, whose {pod} is the pod's number and
 * {octet} the address's last number: `10.10.{pod}.{octet}` puts pod 3's kvm1 (10.10.10.113) at
 * 10.10.3.113 and its lab network at 10.10.3.0/24.
 */
export function classroomInventory(lab: Inventory, pods: number, pattern: string): string {
  if (!pattern.includes('{pod}')) {
    throw new RunbookError('RB_USAGE', `the address pattern ${JSON.stringify(pattern)} has no {pod}: every pod would get the same addresses`, {
      hint: 'e.g. --address 10.10.{pod}.{octet}',
    });
  }
  if (lab.pods.size > 0) throw new RunbookError('RB_USAGE', `${lab.file} is a classroom already (it has ${PODS_GROUP})`);
  const hosts = [...lab.hosts.values()];
  for (const host of hosts) {
    if (!Object.values(host.vars).some((value) => typeof value === 'string' && IPV4.test(value))) {
      throw new RunbookError('RB_USAGE', `${host.name} has no IPv4 address in its variables, so its copies could not be told apart`, {
        hint: `give it ansible_host: <address> in ${lab.file}`,
      });
    }
  }
  // Variables every host shares, with no address in them, are written once for all.
  const shared = Object.fromEntries(
    Object.entries(hosts[0]?.vars ?? {}).filter(
      ([name, value]) => !containsAddress(value) && hosts.every((host) => name in host.vars && sameValue(host.vars[name], value)),
    ),
  );
  const width = Math.max(2, String(pods).length);
  const podGroups: Record<string, { hosts: Record<string, Record<string, unknown>> }> = {};
  const roles = new Map<string, Record<string, null>>();
  for (let number = 1; number <= pods; number += 1) {
    const pod = `pod${String(number).padStart(width, '0')}`;
    const members: Record<string, Record<string, unknown>> = {};
    for (const host of hosts) {
      const name = `${pod}-${host.name}`;
      const own = Object.fromEntries(Object.entries(host.vars).filter(([key]) => !(key in shared)));
      members[name] = rewriteAddresses(own, (address) => podAddress(pattern, number, address)) as Record<string, unknown>;
      for (const group of host.groups.filter((each) => each !== 'all' && each !== 'ungrouped')) {
        if (!roles.has(group)) roles.set(group, {});
        roles.get(group)![name] = null;
      }
    }
    podGroups[pod] = { hosts: members };
  }
  const inventory = {
    all: {
      ...(Object.keys(shared).length > 0 ? { vars: shared } : {}),
      children: { [PODS_GROUP]: { children: podGroups }, ...Object.fromEntries([...roles].map(([group, members]) => [group, { hosts: members }])) },
    },
  };
  return `# A classroom of ${pods} pods, written by \`runbook classroom init\` from ${lab.file} with addresses ${pattern}.\n# Each child group of ${PODS_GROUP} is one student's pod.\n${stringify(inventory)}`;
}

const IPV4 = /\b(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\b/;
const IPV4_ALL = new RegExp(IPV4.source, 'g');

function containsAddress(value: unknown): boolean {
  if (typeof value === 'string') return IPV4.test(value);
  if (Array.isArray(value)) return value.some(containsAddress);
  if (typeof value === 'object' && value !== null) return Object.values(value).some(containsAddress);
  return false;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function rewriteAddresses(value: unknown, rewrite: (address: string) => string): unknown {
  if (typeof value === 'string') return value.replace(IPV4_ALL, rewrite);
  if (Array.isArray(value)) return value.map((item) => rewriteAddresses(item, rewrite));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewriteAddresses(item, rewrite)]));
  }
  return value;
}

function podAddress(pattern: string, pod: number, address: string): string {
  const octet = address.split('.')[3] ?? '';
  const result = pattern.replaceAll('{pod}', String(pod)).replaceAll('{octet}', octet);
  const valid = /^\d{1,3}(\.\d{1,3}){3}$/.test(result) && result.split('.').every((part) => Number(part) <= 255);
  if (!valid) {
    throw new RunbookError('RB_USAGE', `the address pattern ${JSON.stringify(pattern)} gives ${JSON.stringify(result)} for pod ${pod}, not an IPv4 address`, {
      hint: 'each of its four numbers must be 0 to 255 for every pod',
    });
  }
  return result;
}
