import type { Issue } from '../errors.js';
import { schemaDocument } from '../schema/ajv.js';
import type { Inventory } from './model.js';
import type { DataPath, YamlSource } from './source.js';

/** A task as written, with what the rules need to know about it. */
export interface TaskDraft {
  /** Where it is in the playbook data, e.g. [0, 'tasks', 3]. */
  path: DataPath;
  raw: Record<string, unknown>;
  handler: boolean;
  /** Keys that are not task keywords: the module key, or mistakes. */
  moduleKeys: string[];
  /** The module, when exactly one module key names a known module. */
  module: string | undefined;
  /** That module's arguments: null becomes {}, free-form `command: ls -l` becomes {cmd: 'ls -l'}. */
  args: unknown;
}

export interface PlayDraft {
  index: number;
  path: DataPath;
  raw: Record<string, unknown>;
  /** The play's vars overridden by its vars_files. */
  vars: Record<string, unknown>;
  tasks: TaskDraft[];
  handlers: TaskDraft[];
}

/** What every rule sees: the parsed playbook and the run's context. */
export interface RuleContext {
  source: YamlSource;
  plays: PlayDraft[];
  inventory: Inventory | undefined;
  extraVars: Record<string, unknown>;
  moduleNames: readonly string[];
}

/** A named check over the parsed playbook; returns its problems as data. */
export type Rule = (context: RuleContext) => Issue[];

/** Modules whose arguments may be one free-form string, the command line. */
const FREE_FORM_MODULES = new Set(['command', 'shell']);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function propertiesOf(definition: string): string[] {
  const definitions = schemaDocument('runbook:playbook')?.definitions as Record<string, { properties?: object }> | undefined;
  return Object.keys(definitions?.[definition]?.properties ?? {});
}

/** Task keywords, read from the playbook schema (the single source of truth). */
export function taskKeywords(handler: boolean): Set<string> {
  return new Set([...propertiesOf('taskKeywords'), ...(handler ? propertiesOf('handler') : [])]);
}

export function taskDraft(raw: Record<string, unknown>, path: DataPath, handler: boolean, moduleNames: readonly string[]): TaskDraft {
  const keywords = taskKeywords(handler);
  const moduleKeys = Object.keys(raw).filter((key) => !keywords.has(key));
  const known = moduleKeys.filter((key) => moduleNames.includes(key));
  const module = known.length === 1 ? known[0] : undefined;
  const written = module === undefined ? undefined : raw[module];
  const args =
    module === undefined
      ? undefined
      : written === null || written === undefined
        ? {}
        : typeof written === 'string' && FREE_FORM_MODULES.has(module)
          ? { cmd: written }
          : written;
  return { path, raw, handler, moduleKeys, module, args };
}

/** A string or a list of strings, as a list. */
export function listOf(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
