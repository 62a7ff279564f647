import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Issue } from '../errors.js';
import { varsFileCandidates } from '../modules/include-vars.js';
import { hasTemplate } from '../template/index.js';
import { taskDraft, taskKeywords, type RoleDraft, type StepDraft, type TaskDraft } from './draft.js';
import { includeDraft } from './includes.js';
import type { RoleScope, Step, Task } from './model.js';
import { isRecord, issueAt, positionOf, readYaml, type DataPath, type YamlSource } from './source.js';

/** A block's task lists; a mapping with any of them is a block (Ansible's Block.is_block). */
const BLOCK_SECTIONS = ['block', 'rescue', 'always'] as const;

/**
 * Task keywords that belong to one task: Ansible refuses them on a block and does not count them as
 * keywords of a role's entry (there they would be role parameters).
 */
const TASK_ONLY_KEYWORDS = new Set(['loop', 'loop_control', 'register', 'until', 'retries', 'delay', 'changed_when', 'failed_when', 'args', 'action', 'local_action', 'async', 'poll', 'listen', 'grade']);

export function isBlock(raw: Record<string, unknown>): boolean {
  return BLOCK_SECTIONS.some((key) => key in raw);
}

/** The keywords a block, a role's entry and `apply` may have: the tasks inside inherit them. */
export function blockKeywords(): Set<string> {
  return new Set([...taskKeywords(false)].filter((key) => !TASK_ONLY_KEYWORDS.has(key) && !key.startsWith('with_')));
}

/** What loading one play's task lists shares: where files are searched, and what it collects. */
export interface PlayLoad {
  playbookDir: string;
  /** Directories searched for roles after the playbook's roles/ (ANSIBLE_ROLES_PATH, the rolesPath option). */
  rolesPath: readonly string[];
  issues: Issue[];
  /** Every task draft, in the order loaded (for the rules). */
  tasks: TaskDraft[];
  handlers: TaskDraft[];
  roles: RoleDraft[];
  /** Roles of the play's roles: section and their dependencies, by what makes them the same (each runs once). */
  roleKeys: Set<string>;
}

/** Where the steps being read are written, and what they are part of. */
export interface DraftScope {
  source: YamlSource;
  /** The role whose files these are. */
  role: RoleDraft | undefined;
  /** The files being read, the outermost first: a file that includes itself is refused. */
  files: readonly string[];
  handler: boolean;
  /** Variables of the blocks, imports, includes and role around (for the undefined-variable rule). */
  scopeVars: Record<string, unknown>;
}

/** The steps of a task list (a play's section, a block's, a task file). */
export function stepDrafts(load: PlayLoad, scope: DraftScope, items: unknown, path: DataPath): StepDraft[] {
  if (!Array.isArray(items)) return [];
  return items.flatMap((raw: unknown, index) => (isRecord(raw) ? [stepDraft(load, scope, raw, [...path, index])] : []));
}

function stepDraft(load: PlayLoad, scope: DraftScope, raw: Record<string, unknown>, path: DataPath): StepDraft {
  if (isBlock(raw)) return blockDraft(load, scope, raw, path);
  const task = withIncludedNames(load, scope, taskDraft(scope.source, raw, path, scope.handler, scope.scopeVars));
  load.tasks.push(task);
  return task.action === undefined ? { kind: 'task', task } : includeDraft(load, scope, task);
}

/**
 * The variables an include_vars of a file named without a template will define, as the rules'
 * known names: read now from the file it will find (the run reads it again).
 */
function withIncludedNames(load: PlayLoad, scope: DraftScope, task: TaskDraft): TaskDraft {
  if (task.module !== 'include_vars' || !isRecord(task.args)) return task;
  const { file, dir, name } = task.args;
  // Ansible reads a relative dir beside the file the task is written in; the module knows only the playbook's directory.
  if (typeof dir === 'string' && !isAbsolute(dir) && scope.role === undefined && dirname(resolve(scope.source.file)) !== load.playbookDir) {
    load.issues.push(
      issueAt(scope.source, [...task.path, task.moduleKey as string], 'RB_ARGUMENTS', `include_vars: Ansible reads dir: ${dir} beside ${scope.source.file}; runbook would read it beside the playbook`, {
        hint: 'write the directory as an absolute path, or relative to the playbook in a task of the playbook',
      }),
    );
  }
  if (typeof name === 'string') return { ...task, scopeVars: { ...task.scopeVars, [name]: {} } };
  const paths =
    typeof file === 'string' && !hasTemplate(file)
      ? varsFileCandidates(file, { roleDir: scope.role?.dir, playbookDir: load.playbookDir }).filter((path) => existsSync(path) && statSync(path).isFile()).slice(0, 1)
      : typeof dir === 'string' && !hasTemplate(dir)
        ? varsFilesUnder(resolve(scope.role === undefined ? dirname(scope.source.file) : join(scope.role.dir, 'vars'), dir))
        : [];
  const names = Object.assign({}, ...paths.map((path) => readYaml(path).data).filter(isRecord));
  return { ...task, scopeVars: { ...task.scopeVars, ...names } };
}

/** Every YAML or JSON file under a directory (the names they define are known; which ones the run reads depends on its filters). */
function varsFilesUnder(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? varsFilesUnder(join(dir, entry.name)) : /\.(ya?ml|json)$/.test(entry.name) ? [join(dir, entry.name)] : [],
  );
}

/** Keywords of a block, apply or role entry that are not allowed there, as issues. */
export function invalidKeywords(source: YamlSource, raw: Record<string, unknown>, path: DataPath, what: string, ignored: readonly string[] = []): Issue[] {
  const allowed = blockKeywords();
  return Object.keys(raw)
    .filter((key) => !allowed.has(key) && !ignored.includes(key))
    .map((key) =>
      issueAt(source, [...path, key], 'RB_SCHEMA', `"${key}" is not a valid attribute for ${what}`, {
        target: 'key',
        hint: TASK_ONLY_KEYWORDS.has(key) || key.startsWith('with_') ? `${key} belongs to a task: write it on the tasks inside` : `valid here: ${[...allowed].sort().join(', ')}`,
      }),
    );
}

function blockDraft(load: PlayLoad, scope: DraftScope, raw: Record<string, unknown>, path: DataPath): StepDraft {
  if (scope.handler) {
    load.issues.push(issueAt(scope.source, path, 'RB_SCHEMA', 'runbook does not run blocks among handlers', { hint: 'list each handler as a task' }));
  }
  load.issues.push(...invalidKeywords(scope.source, raw, path, 'a block', BLOCK_SECTIONS));
  const allowed = blockKeywords();
  const keywords = Object.fromEntries(Object.entries(raw).filter(([key]) => allowed.has(key)));
  // The block's keywords, checked by the rules as a task's are (templates, notify, variables).
  const draft: TaskDraft = { ...taskDraft(scope.source, keywords, path, false, scope.scopeVars), action: 'block' };
  load.tasks.push(draft);
  const inner: DraftScope = { ...scope, scopeVars: { ...scope.scopeVars, ...(isRecord(raw.vars) ? raw.vars : {}) } };
  const section = (key: (typeof BLOCK_SECTIONS)[number]) => stepDrafts(load, inner, raw[key], [...path, key]);
  return { kind: 'block', keywords: draft, block: section('block'), rescue: section('rescue'), always: section('always') };
}

/** What a task inherits from the blocks, static imports and role around it (Ansible's parent chain). */
export interface Inherited {
  /** become, ignore_errors, notify...: the nearest one written wins. */
  keywords: Record<string, unknown>;
  /** Conditions and tags add up, the outermost first. */
  when: unknown[];
  tags: unknown[];
  vars: Record<string, unknown>;
  role: RoleScope | undefined;
  /** Variables of the dynamic includes (include_tasks, include_role) around it. */
  includeParams: Record<string, unknown>;
}

export const NOTHING_INHERITED: Inherited = { keywords: {}, when: [], tags: [], vars: {}, role: undefined, includeParams: {} };

function asList(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/** What the tasks inside inherit from a block, import, role entry or apply with these keywords. */
export function inheritFrom(inherited: Inherited, keywords: Record<string, unknown>): Inherited {
  const { name: _label, when, tags, vars, ...rest } = keywords;
  return {
    ...inherited,
    keywords: { ...inherited.keywords, ...rest },
    when: [...inherited.when, ...asList(when)],
    tags: [...inherited.tags, ...asList(tags)],
    vars: { ...inherited.vars, ...(isRecord(vars) ? vars : {}) },
  };
}

/** A task's keywords as it runs: its own over what it inherits; conditions and tags added to the inherited ones. */
export function withInherited(raw: Record<string, unknown>, inherited: Inherited): Record<string, unknown> {
  const when = [...inherited.when, ...asList(raw.when)];
  const tags = [...inherited.tags, ...asList(raw.tags)];
  return {
    ...inherited.keywords,
    ...raw,
    ...(when.length > 0 ? { when } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    vars: { ...inherited.vars, ...(isRecord(raw.vars) ? raw.vars : {}) },
  };
}

/** The scope a role's tasks run in. */
export function roleScope(role: RoleDraft): RoleScope {
  return { name: role.name, dir: role.dir, defaults: role.defaults, vars: role.vars, params: role.params };
}

/** Turns a task draft into the model's task, given its id and what it inherits. */
export type TaskBuilder = (draft: TaskDraft, id: string, inherited: Inherited) => Task;

/** Turns step drafts into the model's steps, numbering tasks and blocks under one prefix (`p0`). */
export class StepBuilder {
  /** Every task built, in order. */
  readonly tasks: Task[] = [];
  private taskCount = 0;
  private blockCount = 0;
  private loadCount = 0;

  constructor(
    private readonly prefix: string,
    private readonly buildTask: TaskBuilder,
  ) {}

  steps(drafts: readonly StepDraft[], inherited: Inherited): Step[] {
    return drafts.flatMap((draft) => this.step(draft, inherited));
  }

  task(draft: TaskDraft, inherited: Inherited, id = `${this.prefix}.t${this.taskCount++}`): Task {
    const task = this.buildTask(draft, id, inherited);
    this.tasks.push(task);
    return task;
  }

  private step(draft: StepDraft, inherited: Inherited): Step[] {
    switch (draft.kind) {
      case 'task':
        return [{ kind: 'task', task: this.task(draft.task, inherited) }];
      case 'block': {
        const inside = inheritFrom(inherited, draft.keywords.raw);
        const name = draft.keywords.raw.name;
        return [
          {
            kind: 'block',
            id: `${this.prefix}.b${this.blockCount++}`,
            name: typeof name === 'string' ? name : 'block',
            block: this.steps(draft.block, inside),
            rescue: this.steps(draft.rescue, inside),
            always: this.steps(draft.always, inside),
            position: positionOf(draft.keywords.source, draft.keywords.path),
          },
        ];
      }
      case 'import': {
        const scoped = draft.role === undefined ? inherited : { ...inherited, role: roleScope(draft.role) };
        return this.steps(draft.steps, inheritFrom(scoped, draft.keywords));
      }
      case 'include': {
        const task = this.task(draft.task, inherited);
        // A dynamic include's keywords apply to itself only (Ansible skips it in the parent chain):
        // its tasks inherit what it inherits, apply's keywords, and its vars as include params.
        const own = isRecord(draft.task.raw.vars) ? draft.task.raw.vars : {};
        const inside = inheritFrom({ ...inherited, includeParams: { ...inherited.includeParams, ...own } }, draft.apply);
        const load = (target: string) => new StepBuilder(`${task.id}#${this.loadCount++}`, this.buildTask).steps(draft.load(target), inside);
        return [{ kind: 'include', task, target: draft.target, steps: draft.steps === undefined ? undefined : this.steps(draft.steps, inside), load }];
      }
    }
  }
}
