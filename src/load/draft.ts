import type { Issue } from '../errors.js';
import { schemaDocument } from '../schema/ajv.js';
import { writtenArguments, type ArgumentOrigin, type ArgumentProblem } from './arguments.js';
import type { Inventory } from './model.js';
import { moduleNameTable } from './module-names.js';
import type { DataPath, YamlSource } from './source.js';

/** A task as written, with what the rules need to know about it. */
export interface TaskDraft {
  /** The file it is written in: the playbook, an imported or included task file, or a role's. */
  source: YamlSource;
  /** Where it is in that file's data, e.g. [0, 'tasks', 3]. */
  path: DataPath;
  raw: Record<string, unknown>;
  handler: boolean;
  /** Keys that are not task keywords: the module key, or mistakes. */
  moduleKeys: string[];
  /** The module key as written (`ansible.builtin.copy`), when exactly one module key names a module runbook accepts. */
  moduleKey: string | undefined;
  /** The runbook module that key names (`copy`). */
  module: string | undefined;
  /**
   * That module's arguments (see writtenArguments): null becomes {}, free-form `command: ls -l`
   * becomes {cmd: 'ls -l'}, key=value words a mapping; undefined when they cannot be read.
   */
  args: unknown;
  /** Where each argument was written. */
  origins: Record<string, ArgumentOrigin>;
  argumentProblems: ArgumentProblem[];
  /** A block's keywords, or an import or include (as runbook names it): no module's task. */
  action: 'block' | IncludeAction | undefined;
  /** Variables of the blocks, imports, includes and role around it, for the undefined-variable rule. */
  scopeVars: Record<string, unknown>;
}

export type IncludeAction = 'import_tasks' | 'include_tasks' | 'import_role' | 'include_role';

export interface PlayDraft {
  index: number;
  /** The file the play is written in: the playbook, or one it imports (import_playbook). */
  source: YamlSource;
  path: DataPath;
  raw: Record<string, unknown>;
  /** The play's vars overridden by its vars_files. */
  vars: Record<string, unknown>;
  /** Every task the play holds, in any file and at any depth (blocks, imports, roles, includes named literally). */
  tasks: TaskDraft[];
  /** pre_tasks, roles and tasks, post_tasks: handlers are flushed after each. */
  sections: StepDraft[][];
  /** The play's handlers, its roles' included. */
  handlers: TaskDraft[];
  /** The play's roles (its dependencies and imported roles included), for their defaults and vars. */
  roles: RoleDraft[];
}

/** An entry of a task list as loaded: a task, a block, a static import (flattened into its place), or an include. */
export type StepDraft =
  | { kind: 'task'; task: TaskDraft }
  | { kind: 'block'; keywords: TaskDraft; block: StepDraft[]; rescue: StepDraft[]; always: StepDraft[] }
  | { kind: 'import'; keywords: Record<string, unknown>; role: RoleDraft | undefined; steps: StepDraft[] }
  | IncludeDraft;

/** include_tasks or include_role: what it names is loaded before the run when written without a template. */
export interface IncludeDraft {
  kind: 'include';
  task: TaskDraft;
  /** The file or role name as written. */
  target: string;
  /** include_tasks' apply: keywords the included tasks inherit, as a block's. */
  apply: Record<string, unknown>;
  /** What the target names, when written without a template. */
  steps: StepDraft[] | undefined;
  /** Loads what a templated target names, once rendered at run time (include_tasks). */
  load: (target: string) => StepDraft[];
}

/** A role as loaded for one entry (roles:, a dependency, import_role or include_role). */
export interface RoleDraft {
  name: string;
  dir: string;
  /** defaults (its dependencies' first), vars (over the entry's vars:), and the entry's other keys. */
  defaults: Record<string, unknown>;
  vars: Record<string, unknown>;
  params: Record<string, unknown>;
  /** Its own tasks (its dependencies are steps of their own, before them). */
  steps: StepDraft[];
  handlers: TaskDraft[];
}

/** What every rule sees: the parsed playbook and the run's context. */
export interface RuleContext {
  source: YamlSource;
  plays: PlayDraft[];
  inventory: Inventory | undefined;
  extraVars: Record<string, unknown>;
}

/** A named check over the parsed playbook; returns its problems as data. */
export type Rule = (context: RuleContext) => Issue[];

function propertiesOf(definition: string): string[] {
  const definitions = schemaDocument('runbook:playbook')?.definitions as Record<string, { properties?: object }> | undefined;
  return Object.keys(definitions?.[definition]?.properties ?? {});
}

/** Task keywords, read from the playbook schema (the single source of truth). */
export function taskKeywords(handler: boolean): Set<string> {
  return new Set([...propertiesOf('taskKeywords'), ...(handler ? propertiesOf('handler') : [])]);
}

/** Every spelling of the include and import actions (short, ansible.builtin., ansible.legacy.) -> the action. */
export const INCLUDE_ACTIONS: ReadonlyMap<string, IncludeAction> = new Map(
  (['import_tasks', 'include_tasks', 'import_role', 'include_role'] as const).flatMap((action) =>
    [action, `ansible.builtin.${action}`, `ansible.legacy.${action}`].map((spelling) => [spelling, action] as const),
  ),
);

export function taskDraft(source: YamlSource, raw: Record<string, unknown>, path: DataPath, handler: boolean, scopeVars: Record<string, unknown> = {}): TaskDraft {
  const keywords = taskKeywords(handler);
  const { accepted } = moduleNameTable();
  const actionKey = Object.keys(raw).find((key) => INCLUDE_ACTIONS.has(key));
  const action = actionKey === undefined ? undefined : INCLUDE_ACTIONS.get(actionKey);
  const moduleKeys = Object.keys(raw).filter((key) => !keywords.has(key) && key !== actionKey);
  const known = moduleKeys.filter((key) => accepted.has(key));
  const moduleKey = action === undefined && known.length === 1 ? known[0] : undefined;
  const module = moduleKey === undefined ? undefined : accepted.get(moduleKey);
  const base = { source, path, raw, handler, moduleKeys, action, scopeVars };
  if (moduleKey === undefined || module === undefined) {
    return { ...base, moduleKey: undefined, module: undefined, args: undefined, origins: {}, argumentProblems: [] };
  }
  const { args, origins, problems } = writtenArguments(source, raw, path, moduleKey, module);
  return { ...base, moduleKey, module, args, origins, argumentProblems: problems };
}

/** A string or a list of strings, as a list. */
export function listOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
