import type { SourcePosition } from '../errors.js';
import type { Inventory, InventoryHost } from './model.js';

/** An inventory as written, before variables merge: the same shape from YAML and from INI. */
export interface InventoryDraft {
  /** In the order first mentioned. */
  groups: Map<string, GroupDraft>;
  /** Host name -> its inline variables, in inventory order. */
  hosts: Map<string, Record<string, unknown>>;
  /** Where each host is listed in each group, and each child in its parent: for errors about membership. */
  places: Map<string, SourcePosition>;
}

/** The key of a member's place in `InventoryDraft.places`. */
export function placeKey(group: string, member: string): string {
  return `${group}\u0000${member}`;
}

/** The group whose child groups are a classroom's pods (one student's hosts each). */
export const PODS_GROUP = 'runbook_pods';

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

export function addGroupChild(draft: InventoryDraft, parent: string, child: string, place?: SourcePosition): void {
  const group = ensureGroup(draft, parent);
  ensureGroup(draft, child);
  if (!group.children.includes(child)) group.children.push(child);
  if (place && !draft.places.has(placeKey(parent, child))) draft.places.set(placeKey(parent, child), place);
}

/** A host mentioned again (in another group) keeps its place; its inline variables accumulate. */
export function addHost(draft: InventoryDraft, group: string, name: string, vars: Record<string, unknown>, place?: SourcePosition): void {
  const members = ensureGroup(draft, group).hosts;
  if (!members.includes(name)) members.push(name);
  draft.hosts.set(name, { ...draft.hosts.get(name), ...vars });
  if (place && !draft.places.has(placeKey(group, name))) draft.places.set(placeKey(group, name), place);
}

/** A host that two pods claim, with the place it is listed in the second. */
export interface PodConflict {
  host: string;
  pods: [string, string];
  place: SourcePosition | undefined;
}

/** Variables from group_vars/ and host_vars/ files, by group or host name. */
export interface VarsFiles {
  groups: Map<string, Record<string, unknown>>;
  hosts: Map<string, Record<string, unknown>>;
}

const ALL = 'all';
const UNGROUPED = 'ungrouped';

/**
 * Merge variables like Ansible ("Understanding variable precedence", levels 3 to 10): inline group
 * vars (groups by depth, then name: all first, parents before children), group_vars/all beside the
 * inventory, then beside the playbook, the other group_vars files beside the inventory, then beside
 * the playbook, the host's inline vars, its host_vars file beside the inventory, then beside the
 * playbook. Every group without a parent is a child of all; hosts in no group are ungrouped.
 * Returns the inventory and the groups that are their own ancestors (those links are ignored).
 */
export function buildInventory(
  file: string | undefined,
  draft: InventoryDraft,
  varsFiles: VarsFiles,
  playbookVarsFiles: VarsFiles = { groups: new Map(), hosts: new Map() },
): { inventory: Inventory; cycles: string[]; podConflicts: PodConflict[] } {
  const all = ensureGroup(draft, ALL);
  const ungrouped = ensureGroup(draft, UNGROUPED);
  const grouped = new Set<string>();
  for (const [name, group] of draft.groups) if (name !== ALL && name !== UNGROUPED) group.hosts.forEach((host) => grouped.add(host));
  // As in Ansible, a host listed before the first INI section and also in a group is not ungrouped.
  ungrouped.hosts = ungrouped.hosts.filter((host) => !grouped.has(host));
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

  const { pods, podOf, podConflicts } = classroomPods(draft, groups);
  const hosts = new Map<string, InventoryHost>();
  for (const name of order) {
    const hostGroups = groupNames.filter((group) => groups.get(group)?.includes(name)).sort(byPrecedence);
    const others = hostGroups.filter((group) => group !== ALL);
    const vars = Object.assign(
      {},
      ...hostGroups.map((group) => draft.groups.get(group)?.vars ?? {}),
      varsFiles.groups.get(ALL),
      playbookVarsFiles.groups.get(ALL),
      ...others.map((group) => varsFiles.groups.get(group) ?? {}),
      ...others.map((group) => playbookVarsFiles.groups.get(group) ?? {}),
      draft.hosts.get(name),
      varsFiles.hosts.get(name),
      playbookVarsFiles.hosts.get(name),
    ) as Record<string, unknown>;
    hosts.set(name, { name, vars, groups: hostGroups, pod: podOf.get(name) });
  }
  return { inventory: { file, hosts, groups, pods }, cycles: [...new Set(cycles)], podConflicts };
}

/** The child groups of runbook_pods, each a pod; a host may belong to one pod only. */
function classroomPods(
  draft: InventoryDraft,
  groups: ReadonlyMap<string, readonly string[]>,
): { pods: Map<string, string[]>; podOf: Map<string, string>; podConflicts: PodConflict[] } {
  const pods = new Map<string, string[]>();
  const podOf = new Map<string, string>();
  const podConflicts: PodConflict[] = [];
  for (const pod of draft.groups.get(PODS_GROUP)?.children ?? []) {
    const members: string[] = [];
    for (const host of groups.get(pod) ?? []) {
      const first = podOf.get(host);
      if (first === undefined) {
        podOf.set(host, pod);
        members.push(host);
      } else {
        podConflicts.push({ host, pods: [first, pod], place: placeInGroup(draft, pod, host) });
      }
    }
    pods.set(pod, members);
  }
  return { pods, podOf, podConflicts };
}

/** Where `host` is listed in `group` or in one of its descendants. */
function placeInGroup(draft: InventoryDraft, group: string, host: string, seen = new Set<string>()): SourcePosition | undefined {
  if (seen.has(group)) return undefined;
  seen.add(group);
  const direct = draft.places.get(placeKey(group, host));
  if (direct) return direct;
  for (const child of draft.groups.get(group)?.children ?? []) {
    const found = placeInGroup(draft, child, host, seen);
    if (found) return found;
  }
  return undefined;
}
