import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RunbookError, ValidationError, type Issue } from '../errors.js';
import { expandHostRange } from './host-range.js';
import { parseIniInventory } from './inventory-ini.js';
import { addGroupChild, addHost, buildInventory, ensureGroup, PODS_GROUP, type InventoryDraft, type VarsFiles } from './inventory-draft.js';
import type { Inventory } from './model.js';
import { schemaIssues } from './schema-issues.js';
import { inReadingOrder, issueAt, parseYaml, positionOf, readYaml, type DataPath, type YamlSource } from './source.js';

/**
 * Load an Ansible inventory, YAML or INI (told apart by content), plus group_vars/ and host_vars/
 * beside it and, given the playbook's directory, beside the playbook (which win, as in Ansible).
 * Throws a ValidationError listing every problem, each with file:line:col.
 */
export function loadInventory(path: string, options: { playbookDir?: string } = {}): Inventory {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RunbookError('RB_USAGE', `cannot read inventory ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, {
      cause: error,
    });
  }
  const issues: Issue[] = [];
  const draft = looksLikeYaml(text) ? yamlDraft(parseYaml(path, text), issues) : iniDraft(path, text, issues);
  const varsFiles = readVarsFiles(dirname(path), draft, issues);
  const { inventory, cycles, podConflicts } = buildInventory(path, draft, varsFiles, playbookVarsFiles(options.playbookDir, dirname(path), draft, issues));
  for (const cycle of cycles) {
    issues.push({ file: path, line: 1, col: 1, code: 'RB_INVENTORY_CYCLE', message: `groups contain each other: ${cycle}`, severity: 'error' });
  }
  for (const { host, pods, place } of podConflicts) {
    issues.push({
      ...(place ?? { file: path, line: 1, col: 1 }),
      code: 'RB_POD_OVERLAP',
      message: `host ${host} is in two pods, ${pods[0]} and ${pods[1]}: a pod is one student's hosts`,
      hint: `list ${host} in one child group of ${PODS_GROUP} only`,
      severity: 'error',
    });
  }
  if (issues.some((issue) => issue.severity === 'error')) throw new ValidationError(inReadingOrder(issues));
  return inventory;
}

/** The inventory of a run without -i: localhost only, reached without SSH (with the playbook's group_vars/ and host_vars/). */
export function localInventory(options: { playbookDir?: string } = {}): Inventory {
  const draft: InventoryDraft = { groups: new Map(), hosts: new Map(), places: new Map() };
  addHost(draft, 'ungrouped', 'localhost', { ansible_connection: 'local' });
  const issues: Issue[] = [];
  const none: VarsFiles = { groups: new Map(), hosts: new Map() };
  const { inventory } = buildInventory(undefined, draft, none, playbookVarsFiles(options.playbookDir, undefined, draft, issues));
  if (issues.some((issue) => issue.severity === 'error')) throw new ValidationError(inReadingOrder(issues));
  return inventory;
}

/** group_vars/ and host_vars/ beside the playbook, unless that is the inventory's directory (read once). */
function playbookVarsFiles(playbookDir: string | undefined, inventoryDir: string | undefined, draft: InventoryDraft, issues: Issue[]): VarsFiles | undefined {
  if (playbookDir === undefined || (inventoryDir !== undefined && resolve(playbookDir) === resolve(inventoryDir))) return undefined;
  return readVarsFiles(playbookDir, draft, issues);
}

/**
 * YAML when the first meaningful line is a document marker, a flow collection or a `key:` line;
 * INI lines are `[section]`, `host key=value` or `host:port`, none of which fits.
 */
function looksLikeYaml(text: string): boolean {
  const first = text.split(/\r?\n/).find((line) => line.trim() !== '' && !/^\s*[#;]/.test(line));
  if (first === undefined) return true;
  const line = first.trim();
  if (line.startsWith('---') || line.startsWith('%') || line.startsWith('{')) return true;
  return /^[^\s=[][^=]*?:(\s|$)/.test(line);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function yamlDraft(source: YamlSource, issues: Issue[]): InventoryDraft {
  const draft: InventoryDraft = { groups: new Map(), hosts: new Map(), places: new Map() };
  issues.push(...source.issues);
  if (!source.syntaxOk) return draft;
  issues.push(...schemaIssues(source, 'runbook:inventory', source.data ?? {}));
  if (!isRecord(source.data)) return draft;
  const readGroup = (name: string, value: unknown, path: DataPath): void => {
    const group = ensureGroup(draft, name);
    if (!isRecord(value)) return;
    for (const [pattern, vars] of Object.entries(isRecord(value.hosts) ? value.hosts : {})) {
      const names = expandHostRange(pattern);
      if (typeof names === 'string') {
        issues.push(issueAt(source, [...path, 'hosts', pattern], 'RB_INVENTORY_SYNTAX', names, { target: 'key' }));
        continue;
      }
      const place = positionOf(source, [...path, 'hosts', pattern], 'key');
      for (const host of names) addHost(draft, name, host, isRecord(vars) ? vars : {}, place);
    }
    if (isRecord(value.vars)) Object.assign(group.vars, value.vars);
    for (const [child, childValue] of Object.entries(isRecord(value.children) ? value.children : {})) {
      addGroupChild(draft, name, child, positionOf(source, [...path, 'children', child], 'key'));
      readGroup(child, childValue, [...path, 'children', child]);
    }
  };
  for (const [name, value] of Object.entries(source.data)) readGroup(name, value, [name]);
  return draft;
}

function iniDraft(path: string, text: string, issues: Issue[]): InventoryDraft {
  const parsed = parseIniInventory(path, text);
  issues.push(...parsed.issues);
  return parsed.draft;
}

const VARS_EXTENSIONS = ['.yml', '.yaml', '.json', ''];

/**
 * group_vars/<group> and host_vars/<host>: a file (.yml, .yaml, .json or no extension) or a
 * directory of such files, merged in name order.
 */
function readVarsFiles(directory: string, draft: InventoryDraft, issues: Issue[]): VarsFiles {
  const read = (kind: 'group_vars' | 'host_vars', name: string): Record<string, unknown> | undefined => {
    const base = join(directory, kind, name);
    const files = VARS_EXTENSIONS.map((extension) => `${base}${extension}`).filter((file) => existsSync(file) && statSync(file).isFile());
    if (existsSync(base) && statSync(base).isDirectory()) {
      files.push(
        ...readdirSync(base)
          .filter((entry) => /\.(ya?ml|json)$/.test(entry))
          .sort()
          .map((entry) => join(base, entry)),
      );
    }
    if (files.length === 0) return undefined;
    return Object.assign({}, ...files.map((file) => varsFile(file, issues))) as Record<string, unknown>;
  };
  const groupNames = new Set(['all', 'ungrouped', ...draft.groups.keys()]);
  const entries = (kind: 'group_vars' | 'host_vars', names: Iterable<string>) =>
    new Map([...names].flatMap((name) => {
      const vars = read(kind, name);
      return vars === undefined ? [] : [[name, vars] as const];
    }));
  return { groups: entries('group_vars', groupNames), hosts: entries('host_vars', draft.hosts.keys()) };
}

/** One variables file: a mapping of variable names (empty is fine). */
export function varsFile(file: string, issues: Issue[]): Record<string, unknown> {
  const source = readYaml(file);
  issues.push(...source.issues);
  if (!source.syntaxOk) return {};
  issues.push(...schemaIssues(source, 'runbook:inventory#/definitions/vars', source.data ?? null));
  return isRecord(source.data) ? source.data : {};
}
