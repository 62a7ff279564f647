import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, delimiter, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { hasTemplate } from '../template/index.js';
import { blockKeywords, invalidKeywords, stepDrafts, type DraftScope, type PlayLoad } from './blocks.js';
import type { RoleDraft, StepDraft, TaskDraft } from './draft.js';
import { taskFileSteps } from './includes.js';
import { varsFile } from './inventory.js';
import { schemaIssues } from './schema-issues.js';
import { isRecord, issueAt, readYaml, type DataPath, type YamlSource } from './source.js';

/** Ansible's default roles_path, used when ANSIBLE_ROLES_PATH is not set. */
const DEFAULT_ROLES_PATH = ['~/.ansible/roles', '/usr/share/ansible/roles', '/etc/ansible/roles'];
/** Ansible's default collections_path, and where Debian's ansible package installs its collections. */
const DEFAULT_COLLECTIONS_PATH = ['~/.ansible/collections', '/usr/share/ansible/collections', '/usr/lib/python3/dist-packages'];

/** A role as an entry (roles:, a dependency, import_role, include_role) asks for it. */
export interface RoleRequest {
  name: string;
  /** The entry's vars: (below the role's vars/). */
  vars: Record<string, unknown>;
  /** The entry's other keys (role parameters). */
  params: Record<string, unknown>;
  /** The entry's keywords (when, tags, become...), inherited by the role's tasks and its dependencies'. */
  keywords: Record<string, unknown>;
  /** tasks_from, vars_from, defaults_from, handlers_from. */
  from: { tasks?: string | undefined; vars?: string | undefined; defaults?: string | undefined; handlers?: string | undefined };
  /** Runs once per play with the same parameters, unless its meta/main.yml allows duplicates (roles: and dependencies). */
  once: boolean;
  /** Its defaults and vars are seen by the whole play (roles:, dependencies, import_role; not include_role). */
  playWide: boolean;
  /** Where the entry names the role. */
  at: { source: YamlSource; path: DataPath };
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** roles_path: the load option, else ANSIBLE_ROLES_PATH, else Ansible's default. */
export function rolesPathFrom(option: readonly string[] | undefined, env: string | undefined = process.env.ANSIBLE_ROLES_PATH): string[] {
  const paths = option ?? (env === undefined || env === '' ? DEFAULT_ROLES_PATH : env.split(delimiter));
  return paths.filter((path) => path !== '').map(expandHome);
}

/**
 * Where Ansible finds a role (RoleDefinition._load_role_path): a collection's roles/ for
 * ns.collection.role; else the playbook's roles/, roles_path, the dependent role's directory, the
 * playbook's directory, then the name as a path. Returns the directory, or the places searched.
 */
function findRole(name: string, load: PlayLoad, scope: DraftScope): { dir: string } | { searched: string[] } {
  const parts = name.split('.');
  if (parts.length >= 3 && !name.includes('/')) {
    const [namespace, collection, ...role] = parts;
    const env = process.env.ANSIBLE_COLLECTIONS_PATH ?? process.env.ANSIBLE_COLLECTIONS_PATHS;
    const roots = [join(load.playbookDir, 'collections'), ...(env ? env.split(delimiter) : DEFAULT_COLLECTIONS_PATH)].map(expandHome);
    const candidates = roots.map((root) => join(root, 'ansible_collections', namespace!, collection!, 'roles', role.join('.')));
    const dir = candidates.find(isDirectory);
    return dir === undefined ? { searched: roots } : { dir };
  }
  const searched = [join(load.playbookDir, 'roles'), ...load.rolesPath, ...(scope.role === undefined ? [] : [dirname(scope.role.dir)]), load.playbookDir];
  const dir = [...searched.map((path) => resolve(path, name)), resolve(load.playbookDir, expandHome(name))].find(isDirectory);
  return dir === undefined ? { searched } : { dir };
}

/** A role's file of a kind (tasks, handlers, vars, defaults, meta): `main` or the name given, with Ansible's extensions. */
function roleFile(dir: string, kind: string, name = 'main'): string | undefined {
  const base = join(dir, kind, name);
  const candidates = extname(name) === '' ? [base, `${base}.yml`, `${base}.yaml`, `${base}.json`] : [base];
  return candidates.find((path) => existsSync(path) && statSync(path).isFile());
}

/** A role's entry in roles: or meta/main.yml dependencies: the role's name, its vars, keywords and parameters. */
export function roleEntry(raw: unknown, source: YamlSource, path: DataPath, issues: PlayLoad['issues']): Omit<RoleRequest, 'once' | 'playWide' | 'from'> | undefined {
  if (typeof raw === 'string') return { name: raw, vars: {}, params: {}, keywords: {}, at: { source, path } };
  if (!isRecord(raw)) return undefined;
  const nameKey = typeof raw.role === 'string' ? 'role' : 'name';
  const name = raw[nameKey];
  if (typeof name !== 'string') return undefined;
  const keywords = blockKeywords();
  const entryKeywords: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'role' || key === 'name' || key === 'vars') continue;
    if (keywords.has(key)) entryKeywords[key] = value;
    else params[key] = value;
  }
  // Ansible's own role keywords that runbook lacks would otherwise pass for parameters.
  issues.push(
    ...invalidKeywords(source, Object.fromEntries(Object.keys(params).filter((key) => ANSIBLE_ROLE_KEYWORDS.has(key)).map((key) => [key, true])), path, 'a role in runbook'),
  );
  return { name, vars: isRecord(raw.vars) ? raw.vars : {}, params, keywords: entryKeywords, at: { source, path: [...path, nameKey] } };
}

/** Keywords Ansible reads on a role's entry (Base, Conditional, Taggable, Role): never role parameters. */
const ANSIBLE_ROLE_KEYWORDS = new Set([
  'connection', 'port', 'remote_user', 'module_defaults', 'environment', 'no_log', 'run_once', 'ignore_errors', 'ignore_unreachable',
  'check_mode', 'diff', 'any_errors_fatal', 'throttle', 'timeout', 'debugger', 'become', 'become_method', 'become_user', 'become_flags',
  'become_exe', 'collections', 'delegate_to', 'delegate_facts', 'when', 'tags',
]);

/**
 * The steps a role entry runs: its dependencies' (meta/main.yml), then its own tasks, all inheriting
 * the entry's keywords. Its handlers join the play's. A role already in the play with the same
 * parameters runs once (unless its meta allows duplicates): then no steps.
 */
export function roleSteps(load: PlayLoad, scope: DraftScope, request: RoleRequest, loaded: RoleDraft[] = []): StepDraft[] {
  const { source, path } = request.at;
  if (hasTemplate(request.name)) {
    load.issues.push(issueAt(source, path, 'RB_ROLE', 'a role name cannot be a template: runbook loads roles before the run'));
    return [];
  }
  const found = findRole(request.name, load, scope);
  if ('searched' in found) {
    load.issues.push(issueAt(source, path, 'RB_ROLE', `the role '${request.name}' was not found in ${found.searched.join(':')}`));
    return [];
  }
  const dir = found.dir;
  if (scope.files.includes(dir)) {
    load.issues.push(issueAt(source, path, 'RB_ROLE', `the role '${request.name}' depends on itself (through ${scope.files.slice(scope.files.indexOf(dir)).join(' -> ')})`));
    return [];
  }
  const meta = roleMeta(dir, load);
  const identity = JSON.stringify([dir, request.vars, request.params, request.keywords, request.from]);
  if (request.once && !meta.allowDuplicates && load.roleKeys.has(identity)) return [];
  load.roleKeys.add(identity);
  const varsFrom = (kind: 'defaults' | 'vars', name: string | undefined): Record<string, unknown> => {
    const file = roleFile(dir, kind, name);
    if (file === undefined && name !== undefined) load.issues.push(issueAt(source, path, 'RB_ROLE', `Could not find specified file in role: ${kind}/${name}`));
    return file === undefined ? {} : varsFile(file, load.issues);
  };
  const role: RoleDraft = {
    name: request.name.includes('/') ? basename(dir) : (request.name.split('.').at(-1) ?? request.name),
    dir,
    defaults: {},
    vars: { ...request.vars, ...varsFrom('vars', request.from.vars) },
    params: request.params,
    steps: [],
    handlers: [],
  };
  const roleScope: DraftScope = { ...scope, role, files: [...scope.files, dir] };
  // Dependencies come first, and their defaults lie under the role's own (Role.get_default_vars).
  const dependencyDefaults: Record<string, unknown> = {};
  const dependencySteps = meta.dependencies.flatMap(({ raw, index }) => {
    const entry = meta.source === undefined ? undefined : roleEntry(raw, meta.source, ['dependencies', index], load.issues);
    if (entry === undefined) return [];
    const dependencies: RoleDraft[] = [];
    const steps = roleSteps(load, roleScope, { ...entry, from: {}, once: true, playWide: request.playWide }, dependencies);
    for (const dependency of dependencies) Object.assign(dependencyDefaults, dependency.defaults);
    return steps;
  });
  role.defaults = { ...dependencyDefaults, ...varsFrom('defaults', request.from.defaults) };
  loaded.push(role);
  if (request.playWide) load.roles.push(role);
  const inside: DraftScope = { ...roleScope, role, handler: false, scopeVars: { ...scope.scopeVars, ...role.defaults, ...role.vars, ...role.params, role_name: role.name, role_path: dir, ansible_role_name: role.name } };
  const tasksFile = roleFile(dir, 'tasks', request.from.tasks);
  if (tasksFile === undefined && request.from.tasks !== undefined) {
    load.issues.push(issueAt(source, path, 'RB_ROLE', `Could not find specified file in role: tasks/${request.from.tasks}`));
  }
  role.steps = tasksFile === undefined ? [] : taskFileSteps(load, inside, tasksFile, request.at);
  role.handlers = roleHandlers(load, { ...inside, handler: true }, roleFile(dir, 'handlers', request.from.handlers));
  if (role.handlers.length === 0 && request.from.handlers !== undefined) {
    load.issues.push(issueAt(source, path, 'RB_ROLE', `Could not find specified file in role: handlers/${request.from.handlers}`));
  }
  return [{ kind: 'import', keywords: request.keywords, role: undefined, steps: [...dependencySteps, { kind: 'import', keywords: {}, role, steps: role.steps }] }];
}

/** A role's handlers: tasks that join the play's handlers. */
function roleHandlers(load: PlayLoad, scope: DraftScope, file: string | undefined): TaskDraft[] {
  if (file === undefined) return [];
  const source = readYaml(file);
  load.issues.push(...source.issues);
  if (!source.syntaxOk) return [];
  load.issues.push(...schemaIssues(source, 'runbook:playbook#/definitions/taskList', source.data ?? null));
  const before = load.tasks.length;
  stepDrafts(load, { ...scope, source }, source.data, []);
  // stepDrafts files them as tasks; they are handlers.
  const handlers = load.tasks.splice(before).filter((draft) => draft.action === undefined);
  load.handlers.push(...handlers);
  return handlers;
}

interface RoleMeta {
  source: YamlSource | undefined;
  dependencies: Array<{ raw: unknown; index: number }>;
  allowDuplicates: boolean;
}

/** meta/main.yml: the role's dependencies and allow_duplicates. */
function roleMeta(dir: string, load: PlayLoad): RoleMeta {
  const file = roleFile(dir, 'meta');
  if (file === undefined) return { source: undefined, dependencies: [], allowDuplicates: false };
  const source = readYaml(file);
  load.issues.push(...source.issues);
  const data = source.syntaxOk && isRecord(source.data) ? source.data : {};
  const dependencies = Array.isArray(data.dependencies) ? data.dependencies.map((raw: unknown, index) => ({ raw, index })) : [];
  return { source, dependencies, allowDuplicates: data.allow_duplicates === true };
}
