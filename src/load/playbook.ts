import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ValidationError, type Issue } from '../errors.js';
import { hasTemplate } from '../template/index.js';
import { listOf, taskDraft, type PlayDraft, type TaskDraft } from './draft.js';
import { varsFile } from './inventory.js';
import type { GradeSpec, Inventory, Play, Playbook, Task } from './model.js';
import { RULES } from './rules.js';
import { schemaIssues } from './schema-issues.js';
import { inReadingOrder, isRecord, issueAt, positionOf, readYaml, type YamlSource } from './source.js';

export interface LoadPlaybookOptions {
  /** Enables the checks that need hosts and their variables (hosts patterns, undefined variables). */
  inventory?: Inventory;
  extraVars?: Record<string, unknown>;
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
  issues.push(...schemaIssues(source, 'runbook:playbook', source.data ?? null));
  const plays = playDrafts(source, issues);
  const context = { source, plays, inventory: options.inventory, extraVars: options.extraVars ?? {} };
  for (const rule of RULES) issues.push(...rule(context));
  const errors = inReadingOrder(issues.filter((issue) => issue.severity === 'error'));
  const warnings = inReadingOrder(issues.filter((issue) => issue.severity === 'warning'));
  if (errors.length > 0) throw new ValidationError([...errors, ...warnings]);
  return { playbook: { file: path, plays: plays.map((play) => toPlay(source, play)) }, warnings };
}

function playDrafts(source: YamlSource, issues: Issue[]): PlayDraft[] {
  if (!Array.isArray(source.data)) return [];
  return source.data.flatMap((raw: unknown, index): PlayDraft[] => {
    if (!isRecord(raw)) return [];
    const path = [index];
    const tasks = (key: 'pre_tasks' | 'tasks' | 'post_tasks' | 'handlers'): TaskDraft[] =>
      (Array.isArray(raw[key]) ? raw[key] : []).flatMap((task: unknown, position) =>
        isRecord(task) ? [taskDraft(source, task, [...path, key, position], key === 'handlers')] : [],
      );
    const sections = [tasks('pre_tasks'), tasks('tasks'), tasks('post_tasks')] as const;
    return [
      {
        index,
        path,
        raw,
        vars: playVars(source, raw, index, issues),
        tasks: sections.flat(),
        sectionSizes: [sections[0].length, sections[1].length, sections[2].length],
        handlers: tasks('handlers'),
      },
    ];
  });
}

/** The play's vars, overridden by its vars_files (paths relative to the playbook). */
function playVars(source: YamlSource, raw: Record<string, unknown>, index: number, issues: Issue[]): Record<string, unknown> {
  const vars: Record<string, unknown> = isRecord(raw.vars) ? { ...raw.vars } : {};
  const files = Array.isArray(raw.vars_files) ? raw.vars_files : [];
  files.forEach((file: unknown, position) => {
    if (typeof file !== 'string') return;
    const at = [index, 'vars_files', position];
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

function toPlay(source: YamlSource, draft: PlayDraft): Play {
  const raw = draft.raw;
  const hosts = Array.isArray(raw.hosts) ? raw.hosts.map(String).join(',') : String(raw.hosts);
  return {
    index: draft.index,
    name: typeof raw.name === 'string' ? raw.name : hosts,
    hosts,
    vars: draft.vars,
    become: raw.become === true,
    becomeUser: typeof raw.become_user === 'string' ? raw.become_user : 'root',
    connection: raw.connection === 'ssh' || raw.connection === 'local' ? raw.connection : undefined,
    gatherFacts: raw.gather_facts !== false,
    tags: tagsOf(raw.tags),
    tasks: draft.tasks.map((task, index) => toTask(source, task, `p${draft.index}.t${index}`)),
    handlerFlushes: sectionEnds(draft.sectionSizes).map((end) => `p${draft.index}.t${end}`),
    handlers: draft.handlers.map((task, index) => toTask(source, task, `p${draft.index}.h${index}`)),
    position: positionOf(source, draft.path),
  };
}

/** Indexes of the last task of each non-empty section (pre_tasks, tasks, post_tasks). */
function sectionEnds(sizes: readonly number[]): number[] {
  const ends: number[] = [];
  let count = 0;
  for (const size of sizes) {
    count += size;
    if (size > 0) ends.push(count - 1);
  }
  return ends;
}

function toTask(source: YamlSource, draft: TaskDraft, id: string): Task {
  const raw = draft.raw;
  const module = draft.module as string;
  const until = conditions(raw.until);
  const loopControl = isRecord(raw.loop_control) ? raw.loop_control : {};
  return {
    id,
    name: typeof raw.name === 'string' ? raw.name : module,
    module,
    args: draft.args,
    when: conditions(raw.when) ?? [],
    loop: raw.loop ?? raw.with_items,
    flattenLoop: raw.loop === undefined && raw.with_items !== undefined,
    loopVar: typeof loopControl.loop_var === 'string' ? loopControl.loop_var : 'item',
    register: typeof raw.register === 'string' ? raw.register : undefined,
    notify: listOf(raw.notify),
    listen: listOf(raw.listen),
    tags: tagsOf(raw.tags),
    become: typeof raw.become === 'boolean' ? raw.become : undefined,
    becomeUser: typeof raw.become_user === 'string' ? raw.become_user : undefined,
    ignoreErrors: raw.ignore_errors === true,
    changedWhen: conditions(raw.changed_when),
    failedWhen: conditions(raw.failed_when),
    until,
    // Ansible's defaults: with until, 3 more tries 5 seconds apart.
    retries: typeof raw.retries === 'number' ? raw.retries : until === undefined ? 0 : 3,
    delayS: typeof raw.delay === 'number' ? raw.delay : 5,
    noLog: raw.no_log === true,
    vars: isRecord(raw.vars) ? raw.vars : {},
    grade: gradeSpec(raw.grade, typeof raw.name === 'string' ? raw.name : module),
    position: positionOf(source, draft.path),
  };
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
