import type { Inventory, InventoryHost } from './model.js';

/** An inventory as written, before variables merge: the same shape from YAML and from INI. */
export interface InventoryDraft {
  /** In the order first mentioned. */
  groups: Map<string, GroupDraft>;
  /** Host name -> its inline variables, in inventory order. */
  hosts: Map<string, Record<string, unknown>>;
}

export interface GroupDraft {
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
}

export function ensureGroup(draft: InventoryDraft, name: string): GroupDraft {
  let group = draft.groups.get(name);
  if (group === undefined) {
    group = { hosts: [], children: [], vars: {} };
    draft.groups.set(name, group);
  }
  return group;
}

export function addGroupChild(draft: InventoryDraft, parent: string, child: string): void {
  const group = ensureGroup(draft, parent);
  ensureGroup(draft, child);
  if (!group.children.includes(child)) group.children.push(child);
}

/** A host mentioned again (in another group) keeps its place; its inline variables accumulate. */
export function addHost(draft: InventoryDraft, group: string, name: string, vars: Record<string, unknown>): void {
  const members = ensureGroup(draft, group).hosts;
  if (!members.includes(name)) members.push(name);
  draft.hosts.set(name, { ...draft.hosts.get(name), ...vars });
}

/** Variables from group_vars/ and host_vars/ files, by group or host name. */
export interface VarsFiles {
  groups: Map<string, Record<string, unknown>>;
  hosts: Map<string, Record<string, unknown>>;
}

const ALL = 'all';
const UNGROUPED = 'ungrouped';

/**
 * Merge variables like Ansible: inline group vars (groups by depth, then name: all first, parents
 * before children), then group_vars files in the same order, then the host's inline vars, then its
 * host_vars file. Every group without a parent is a child of all; hosts in no group are ungrouped.
 * Returns the inventory and the groups that are their own ancestors (those links are ignored).
 */
export function buildInventory(file: string | undefined, draft: InventoryDraft, varsFiles: VarsFiles): { inventory: Inventory; cycles: string[] } {
  const all = ensureGroup(draft, ALL);
  const ungrouped = ensureGroup(draft, UNGROUPED);
  const grouped = new Set<string>();
  for (const [name, group] of draft.groups) if (name !== ALL && name !== UNGROUPED) group.hosts.forEach((host) => grouped.add(host));
  for (const host of draft.hosts.keys()) if (!grouped.has(host) && !ungrouped.hosts.includes(host)) ungrouped.hosts.push(host);
  const parented = new Set(all.children);
  for (const [name, group] of draft.groups) if (name !== ALL) group.children.forEach((child) => parented.add(child));
  for (const name of draft.groups.keys()) if (name !== ALL && !parented.has(name)) all.children.push(name);

  const depth = new Map<string, number>();
  const cycles: string[] = [];
  const visit = (name: string, level: number, path: readonly string[]): void => {
    if (path.includes(name)) {
      cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
      return;
    }
    if ((depth.get(name) ?? -1) >= level) return;
    depth.set(name, level);
    for (const child of draft.groups.get(name)?.children ?? []) visit(child, level + 1, [...path, name]);
  };
  visit(ALL, 0, []);
  // Groups that only have each other as parents are unreachable from all: a cycle.
  for (const name of draft.groups.keys()) if (!depth.has(name)) visit(name, 1, [ALL]);

  const memberCache = new Map<string, Set<string>>();
  const members = (name: string, path: readonly string[] = []): Set<string> => {
    const cached = memberCache.get(name);
    if (cached) return cached;
    const group = draft.groups.get(name);
    const result = new Set(group?.hosts ?? []);
    for (const child of group?.children ?? []) {
      if (!path.includes(child)) members(child, [...path, name]).forEach((host) => result.add(host));
    }
    if (name === ALL) draft.hosts.forEach((_vars, host) => result.add(host));
    memberCache.set(name, result);
    return result;
  };

  const order = [...draft.hosts.keys()];
  const groupNames = [ALL, ...[...draft.groups.keys()].filter((name) => name !== ALL && name !== UNGROUPED), UNGROUPED];
  const groups = new Map(groupNames.map((name) => [name, order.filter((host) => members(name).has(host))] as const));
  const byPrecedence = (a: string, b: string): number => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b);

  const hosts = new Map<string, InventoryHost>();
  for (const name of order) {
    const hostGroups = groupNames.filter((group) => groups.get(group)?.includes(name)).sort(byPrecedence);
    const vars = Object.assign(
      {},
      ...hostGroups.map((group) => draft.groups.get(group)?.vars ?? {}),
      ...hostGroups.map((group) => varsFiles.groups.get(group) ?? {}),
      draft.hosts.get(name),
      varsFiles.hosts.get(name),
    ) as Record<string, unknown>;
    hosts.set(name, { name, vars, groups: hostGroups });
  }
  return { inventory: { file, hosts, groups }, cycles: [...new Set(cycles)] };
}
