import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError, type Issue } from '../errors.js';
import { hasTemplate } from '../template/index.js';
import { NOTHING_INHERITED, roleScope, StepBuilder, stepDrafts, withInherited, type DraftScope, type Inherited, type PlayLoad } from './blocks.js';
import { listOf, type PlayDraft, type StepDraft, type TaskDraft } from './draft.js';
import { varsFile } from './inventory.js';
import type { BecomeMethod } from '../transport/become.js';
import type { Flag, GradeSpec, Inventory, Play, Playbook, Task } from './model.js';
import { roleEntry, rolesPathFrom, roleSteps } from './roles.js';
import { RULES } from './rules.js';
import { schemaIssues } from './schema-issues.js';
import { inReadingOrder, isRecord, issueAt, positionOf, readYaml, type DataPath, type YamlSource } from './source.js';

export interface LoadPlaybookOptions {
  /** Enables the checks that need hosts and their variables (hosts patterns, undefined variables). */
  inventory?: Inventory;
  extraVars?: Record<string, unknown>;
  /** Where roles are searched after the playbook's roles/ (Ansible's roles_path); default ANSIBLE_ROLES_PATH, else Ansible's default. */
  rolesPath?: readonly string[];
  /** What a play that does not say takes: ansible.cfg's become, become_user and gathering. */
  playDefaults?: PlayDefaults;
}

export interface PlayDefaults {
  become?: boolean;
  becomeUser?: string;
  gatherFacts?: boolean;
}

/** What an import_playbook gives the plays it imports: vars over theirs, tags added, conditions on every task. */
interface PlaybookImport {
  vars: Record<string, unknown>;
  tags: unknown[];
  when: unknown[];
}

/**
 * Load and validate a playbook: YAML (positions, duplicate keys), the playbook schema, each
 * module's argument schema, then the rules (src/load/rules.ts). Throws one ValidationError with
 * every error found (and the warnings); otherwise returns the model and the warnings.
 */
export function loadPlaybook(path: string, options: LoadPlaybookOptions = {}): { playbook: Playbook; warnings: Issue[] } {
  const source = readYaml(path);
  const issues: Issue[] = [...source.issues];
  if (!source.syntaxOk) throw new ValidationError(issues);
  const plays: PlayDraft[] = [];
  const imports = new Map<PlayDraft, PlaybookImport>();
  playDrafts(source, { issues, rolesPath: rolesPathFrom(options.rolesPath), files: [resolve(path)], imported: { vars: {}, tags: [], when: [] }, plays, imports });
  const context = { source, plays, inventory: options.inventory, extraVars: options.extraVars ?? {} };
  for (const rule of RULES) issues.push(...rule(context));
  // A file loaded twice (a role in two entries) would report its problems twice.
  const unique = [...new Map(issues.map((issue) => [JSON.stringify(issue), issue])).values()];
  const errors = inReadingOrder(unique.filter((issue) => issue.severity === 'error'));
  const warnings = inReadingOrder(unique.filter((issue) => issue.severity === 'warning'));
  if (errors.length > 0) throw new ValidationError([...errors, ...warnings]);
  return { playbook: { file: path, plays: plays.map((play) => toPlay(play, imports.get(play), options.playDefaults ?? {})) }, warnings };
}

interface PlaybookLoad {
  issues: Issue[];
  rolesPath: readonly string[];
  /** The playbooks being read, the outermost first: one that imports itself is refused. */
  files: readonly string[];
  imported: PlaybookImport;
  plays: PlayDraft[];
  imports: Map<PlayDraft, PlaybookImport>;
}

/** The plays of a playbook, those of the playbooks it imports (import_playbook) in their place. */
function playDrafts(source: YamlSource, load: PlaybookLoad): void {
  load.issues.push(...schemaIssues(source, 'runbook:playbook', source.data ?? null));
  if (!Array.isArray(source.data)) return;
  source.data.forEach((raw: unknown, index) => {
    if (!isRecord(raw)) return;
    if (typeof raw.import_playbook === 'string') {
      importPlaybook(source, raw, [index], load);
      return;
    }
    const play = playDraft(source, raw, [index], load);
    load.plays.push(play);
    load.imports.set(play, load.imported);
  });
}

/** import_playbook: the file, relative to the importing playbook, read now; its vars, tags and when apply to its plays. */
function importPlaybook(source: YamlSource, raw: Record<string, unknown>, path: DataPath, load: PlaybookLoad): void {
  const file = raw.import_playbook as string;
  const at = [...path, 'import_playbook'];
  if (hasTemplate(file)) {
    load.issues.push(issueAt(source, at, 'RB_INCLUDE', 'import_playbook is read before the run: its file cannot be a template', { hint: 'name the playbook literally' }));
    return;
  }
  const absolute = resolve(dirname(source.file), file);
  if (!existsSync(absolute)) {
    load.issues.push(issueAt(source, at, 'RB_INCLUDE', `playbook not found: ${absolute}`));
    return;
  }
  if (load.files.includes(absolute)) {
    load.issues.push(issueAt(source, at, 'RB_INCLUDE', `${absolute} imports itself (through ${load.files.slice(load.files.indexOf(absolute)).join(' -> ')})`));
    return;
  }
  const imported = readYaml(absolute);
  load.issues.push(...imported.issues);
  if (!imported.syntaxOk) return;
  playDrafts(imported, {
    ...load,
    files: [...load.files, absolute],
    imported: {
      vars: { ...load.imported.vars, ...(isRecord(raw.vars) ? raw.vars : {}) },
      tags: [...load.imported.tags, ...listOf(raw.tags)],
      when: [...load.imported.when, ...listOf(raw.when)],
    },
  });
}

function playDraft(source: YamlSource, raw: Record<string, unknown>, path: DataPath, load: PlaybookLoad): PlayDraft {
  const playLoad: PlayLoad = { playbookDir: dirname(resolve(source.file)), rolesPath: load.rolesPath, issues: load.issues, tasks: [], handlers: [], roles: [], roleKeys: new Set() };
  const scope: DraftScope = { source, role: undefined, files: [resolve(source.file)], handler: false, scopeVars: {} };
  const section = (key: 'pre_tasks' | 'tasks' | 'post_tasks'): StepDraft[] => stepDrafts(playLoad, scope, raw[key], [...path, key]);
  const preTasks = section('pre_tasks');
  // As in Ansible, the roles run after pre_tasks and before tasks, in one section with them.
  const roles = (Array.isArray(raw.roles) ? raw.roles : []).flatMap((entry: unknown, index) => {
    const request = roleEntry(entry, source, [...path, 'roles', index], playLoad.issues);
    return request === undefined ? [] : roleSteps(playLoad, scope, { ...request, from: {}, once: true, playWide: true });
  });
  const tasks = section('tasks');
  const postTasks = section('post_tasks');
  // The roles' handlers come first, as Ansible compiles them.
  const roleHandlers = [...playLoad.handlers];
  const handlers = stepDrafts(playLoad, { ...scope, handler: true }, raw.handlers, [...path, 'handlers']).flatMap((step) => (step.kind === 'task' ? [step.task] : []));
  playLoad.tasks.splice(playLoad.tasks.length - handlers.length, handlers.length);
  return {
    index: load.plays.length,
    source,
    path,
    raw,
    vars: playVars(source, raw, path, load.issues),
    tasks: playLoad.tasks,
    sections: [preTasks, [...roles, ...tasks], postTasks],
    handlers: [...roleHandlers, ...handlers],
    roles: playLoad.roles,
  };
}

/** The play's vars, overridden by its vars_files (paths relative to the playbook). */
function playVars(source: YamlSource, raw: Record<string, unknown>, path: DataPath, issues: Issue[]): Record<string, unknown> {
  const vars: Record<string, unknown> = isRecord(raw.vars) ? { ...raw.vars } : {};
  const files = Array.isArray(raw.vars_files) ? raw.vars_files : [];
  files.forEach((file: unknown, position) => {
    if (typeof file !== 'string') return;
    const at = [...path, 'vars_files', position];
    if (hasTemplate(file)) {
      issues.push(issueAt(source, at, 'RB_VARS_FILE', 'vars_files paths cannot contain templates', { hint: 'name the file literally' }));
      return;
    }
    const absolute = resolve(dirname(source.file), file);
    if (!existsSync(absolute)) {
      issues.push(issueAt(source, at, 'RB_VARS_FILE', `vars file not found: ${absolute}`));
      return;
    }
    Object.assign(vars, varsFile(absolute, issues));
  });
  return vars;
}

/** `tags: a,b` or a list, like Ansible. */
function tagsOf(value: unknown): string[] {
  return listOf(value).flatMap((tag) => tag.split(',').map((part) => part.trim()).filter(Boolean));
}

/** Conditions as expression strings; YAML booleans become `true`/`false`. */
function conditions(value: unknown): string[] | undefined {
  return value === undefined || value === null ? undefined : listOf(value);
}

function toPlay(draft: PlayDraft, imported: PlaybookImport | undefined, defaults: PlayDefaults): Play {
  const raw = draft.raw;
  const hosts = Array.isArray(raw.hosts) ? raw.hosts.map(String).join(',') : String(raw.hosts);
  const builder = new StepBuilder(`p${draft.index}`, toTask);
  const inherited: Inherited = { ...NOTHING_INHERITED, when: imported?.when ?? [] };
  const sections = draft.sections.map((section) => builder.steps(section, inherited));
  const roleOf = new Map(draft.roles.flatMap((role) => role.handlers.map((handler) => [handler, role] as const)));
  const handlers = draft.handlers.map((handler, index) => {
    const role = roleOf.get(handler);
    return toTask(handler, `p${draft.index}.h${index}`, role === undefined ? NOTHING_INHERITED : { ...NOTHING_INHERITED, role: roleScope(role) });
  });
  return {
    index: draft.index,
    name: typeof raw.name === 'string' ? raw.name : hosts,
    hosts,
    vars: { ...draft.vars, ...imported?.vars },
    become: flagOf(raw.become) ?? defaults.become ?? false,
    becomeUser: typeof raw.become_user === 'string' ? raw.become_user : (defaults.becomeUser ?? 'root'),
    becomeMethod: { method: 'sudo', ...becomeMethodOf(raw) },
    connection: raw.connection === 'ssh' || raw.connection === 'local' ? raw.connection : undefined,
    remoteUser: typeof raw.remote_user === 'string' ? raw.remote_user : undefined,
    gatherFacts: flagOf(raw.gather_facts) ?? defaults.gatherFacts ?? true,
    serial: raw.serial === undefined ? [] : (Array.isArray(raw.serial) ? raw.serial : [raw.serial]).map((size) => (typeof size === 'number' ? size : String(size))),
    anyErrorsFatal: flagOf(raw.any_errors_fatal) ?? false,
    maxFailPercentage: typeof raw.max_fail_percentage === 'number' ? raw.max_fail_percentage : undefined,
    ignoreUnreachable: flagOf(raw.ignore_unreachable) ?? false,
    environment: raw.environment === undefined || raw.environment === null ? [] : [raw.environment],
    checkMode: flagOf(raw.check_mode),
    diff: flagOf(raw.diff),
    ...(raw.gather_subset === undefined ? {} : { gatherSubset: Array.isArray(raw.gather_subset) ? raw.gather_subset.map(String) : [String(raw.gather_subset)] }),
    tags: [...tagsOf(raw.tags), ...tagsOf(imported?.tags)],
    tasks: builder.tasks,
    sections,
    handlers,
    roleDefaults: Object.assign({}, ...draft.roles.map((role) => role.defaults)),
    roleVars: Object.assign({}, ...draft.roles.map((role) => role.vars)),
    position: positionOf(draft.source, draft.path),
  };
}

/** `loop`, or the one `with_<lookup>` keyword (the schema and a rule allow one loop keyword per task). */
function loopOf(raw: Record<string, unknown>): Pick<Task, 'loop' | 'loopWith'> {
  const withKey = Object.keys(raw).find((key) => key.startsWith('with_'));
  return withKey === undefined ? { loop: raw.loop, loopWith: undefined } : { loop: raw[withKey], loopWith: withKey.slice('with_'.length) };
}

function toTask(draft: TaskDraft, id: string, inherited: Inherited = NOTHING_INHERITED): Task {
  const raw = withInherited(draft.raw, inherited);
  const source = draft.source;
  // An include's task is named after its action.
  const module = (draft.module ?? draft.action) as string;
  const until = conditions(raw.until);
  const loopControl = isRecord(raw.loop_control) ? raw.loop_control : {};
  return {
    id,
    name: typeof raw.name === 'string' ? raw.name : module,
    module,
    args: draft.args,
    when: conditions(raw.when) ?? [],
    ...loopOf(raw),
    loopVar: typeof loopControl.loop_var === 'string' ? loopControl.loop_var : 'item',
    loopControl: {
      label: loopControl.label,
      indexVar: typeof loopControl.index_var === 'string' ? loopControl.index_var : undefined,
      pause: typeof loopControl.pause === 'number' ? loopControl.pause : 0,
      extended: loopControl.extended === true,
      extendedAllitems: loopControl.extended_allitems !== false,
    },
    register: typeof raw.register === 'string' ? raw.register : undefined,
    notify: listOf(raw.notify),
    listen: listOf(raw.listen),
    tags: tagsOf(raw.tags),
    become: flagOf(raw.become),
    becomeUser: typeof raw.become_user === 'string' ? raw.become_user : undefined,
    becomeMethod: becomeMethodOf(raw),
    remoteUser: typeof raw.remote_user === 'string' ? raw.remote_user : undefined,
    ignoreErrors: flagOf(raw.ignore_errors) ?? false,
    ignoreUnreachable: flagOf(raw.ignore_unreachable),
    delegateTo: typeof raw.delegate_to === 'string' ? raw.delegate_to : undefined,
    delegateFacts: flagOf(raw.delegate_facts) ?? false,
    runOnce: flagOf(raw.run_once) ?? false,
    // As Ansible's environment keyword (extend, prepend): the enclosing block's first, the task's last.
    environment: [inherited.keywords.environment, draft.raw.environment].filter((each) => each !== undefined && each !== null),
    checkMode: flagOf(raw.check_mode),
    diff: flagOf(raw.diff),
    anyErrorsFatal: flagOf(raw.any_errors_fatal),
    changedWhen: conditions(raw.changed_when),
    failedWhen: conditions(raw.failed_when),
    until,
    // Ansible's defaults: with until, 3 more tries 5 seconds apart.
    retries: typeof raw.retries === 'number' ? raw.retries : until === undefined ? 0 : 3,
    delayS: typeof raw.delay === 'number' ? raw.delay : 5,
    noLog: raw.no_log === true,
    vars: isRecord(raw.vars) ? raw.vars : {},
    grade: gradeSpec(raw.grade, typeof raw.name === 'string' ? raw.name : module),
    role: inherited.role,
    includeParams: inherited.includeParams,
    position: positionOf(source, draft.path),
  };
}

/** become_method, become_exe and become_flags as written (validated by the schema). */
function becomeMethodOf(raw: Record<string, unknown>): Partial<BecomeMethod> {
  return {
    ...(raw.become_method === 'sudo' || raw.become_method === 'su' ? { method: raw.become_method } : {}),
    ...(typeof raw.become_exe === 'string' ? { exe: raw.become_exe } : {}),
    ...(typeof raw.become_flags === 'string' ? { flags: raw.become_flags } : {}),
  };
}

/** A boolean keyword (validated by the schema: a boolean, a boolean word or a template); undefined when not written. */
function flagOf(written: unknown): Flag | undefined {
  return typeof written === 'boolean' || typeof written === 'string' ? written : undefined;
}

/** The `grade` keyword (validated by the schema): false, a step name, or a mapping. */
function gradeSpec(written: unknown, taskName: string): false | GradeSpec {
  if (written === false) return false;
  const spec = isRecord(written) ? written : { step: written };
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    step: text(spec.step) ?? taskName,
    weight: typeof spec.weight === 'number' ? spec.weight : undefined,
    message: text(spec.message),
    hint: text(spec.hint),
  };
}
