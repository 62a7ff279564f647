import type { Issue } from '../errors.js';
import { schemaDocument } from '../schema/ajv.js';
import { writtenArguments, type ArgumentOrigin, type ArgumentProblem } from './arguments.js';
import type { Inventory } from './model.js';
import { moduleNameTable } from './module-names.js';
import type { DataPath, YamlSource } from './source.js';

/** A task as written, with what the rules need to know about it. */
export interface TaskDraft {
  /** Where it is in the playbook data, e.g. [0, 'tasks', 3]. */
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
}

export interface PlayDraft {
  index: number;
  path: DataPath;
  raw: Record<string, unknown>;
  /** The play's vars overridden by its vars_files. */
  vars: Record<string, unknown>;
  /** pre_tasks, tasks and post_tasks, in the order they run. */
  tasks: TaskDraft[];
  /** How many of `tasks` each of pre_tasks, tasks and post_tasks holds: handlers are flushed after each. */
  sectionSizes: [number, number, number];
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

export function taskDraft(source: YamlSource, raw: Record<string, unknown>, path: DataPath, handler: boolean): TaskDraft {
  const keywords = taskKeywords(handler);
  const { accepted } = moduleNameTable();
  const moduleKeys = Object.keys(raw).filter((key) => !keywords.has(key));
  const known = moduleKeys.filter((key) => accepted.has(key));
  const moduleKey = known.length === 1 ? known[0] : undefined;
  const module = moduleKey === undefined ? undefined : accepted.get(moduleKey);
  if (moduleKey === undefined || module === undefined) {
    return { path, raw, handler, moduleKeys, moduleKey: undefined, module: undefined, args: undefined, origins: {}, argumentProblems: [] };
  }
  const { args, origins, problems } = writtenArguments(source, raw, path, moduleKey, module);
  return { path, raw, handler, moduleKeys, moduleKey, module, args, origins, argumentProblems: problems };
}

/** A string or a list of strings, as a list. */
export function listOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
