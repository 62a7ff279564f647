import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ValidationError, type Issue } from '../errors.js';
import { hasTemplate } from '../template/index.js';
import { invalidKeywords, stepDrafts, type DraftScope, type PlayLoad } from './blocks.js';
import { INCLUDE_ACTIONS, type IncludeAction, type PlayDraft, type StepDraft, type TaskDraft } from './draft.js';
import { KeyValueError, parseKeyValue } from './key-value.js';
import { moduleNameTable } from './module-names.js';
import { roleSteps } from './roles.js';
import { RULES } from './rules.js';
import { schemaIssues } from './schema-issues.js';
import { isRecord, issueAt, positionOf, readYaml, type DataPath, type YamlSource } from './source.js';

/** The keywords Ansible accepts on include_tasks and include_role (TaskInclude.VALID_INCLUDE_KEYWORDS); the others must go in apply. */
const INCLUDE_KEYWORDS = new Set(['name', 'args', 'ignore_errors', 'loop', 'loop_control', 'no_log', 'register', 'run_once', 'tags', 'timeout', 'vars', 'when', 'collections', 'debugger']);

const ARGUMENT_SCHEMAS: Readonly<Record<IncludeAction, string>> = {
  import_tasks: 'runbook:playbook#/definitions/importTasksArgs',
  include_tasks: 'runbook:playbook#/definitions/includeTasksArgs',
  import_role: 'runbook:playbook#/definitions/roleArgs',
  include_role: 'runbook:playbook#/definitions/roleArgs',
};

/**
 * The action's arguments, over those of `args:`: a mapping, or key=value words, whose free text is
 * the task file (Ansible's _raw_params; a role is always named by name= or role=).
 */
function actionArguments(task: TaskDraft, key: string, action: IncludeAction): Record<string, unknown> {
  const written = task.raw[key];
  const base = isRecord(task.raw.args) ? task.raw.args : {};
  if (typeof written !== 'string') return { ...base, ...(isRecord(written) ? written : {}) };
  let parsed: { pairs: Array<{ key: string; value: string }>; freeText: string };
  try {
    parsed = parseKeyValue(written);
  } catch (error) {
    if (!(error instanceof KeyValueError)) throw error;
    parsed = { pairs: [], freeText: written };
  }
  const free = parsed.freeText.trim();
  const pairs = Object.fromEntries(parsed.pairs.map((pair) => [pair.key, pair.value]));
  return { ...base, ...pairs, ...(free === '' || action.endsWith('_role') ? {} : { file: free }) };
}

/** Where a relative task file is found: beside the including file, in the role's tasks/, then beside the playbook. */
function taskFileCandidates(file: string, load: PlayLoad, scope: DraftScope): string[] {
  if (isAbsolute(file)) return [file];
  const dirs = [dirname(scope.source.file), ...(scope.role === undefined ? [] : [join(scope.role.dir, 'tasks')]), load.playbookDir];
  return [...new Set(dirs.map((dir) => resolve(dir, file)))];
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

/** The steps of a task file (import_tasks, include_tasks, a role's tasks/), its problems added to the load's. */
export function taskFileSteps(load: PlayLoad, scope: DraftScope, file: string, at: { source: YamlSource; path: DataPath }): StepDraft[] {
  if (scope.files.includes(file)) {
    load.issues.push(issueAt(at.source, at.path, 'RB_INCLUDE', `${file} includes itself (through ${scope.files.slice(scope.files.indexOf(file)).join(' -> ')})`));
    return [];
  }
  const source = readYaml(file);
  load.issues.push(...source.issues);
  if (!source.syntaxOk) return [];
  load.issues.push(...schemaIssues(source, 'runbook:playbook#/definitions/taskList', source.data ?? null));
  return stepDrafts(load, { ...scope, source, files: [...scope.files, file] }, source.data, []);
}

/** The file a task file name stands for, or an issue naming where it was searched. */
function findTaskFile(file: string, load: PlayLoad, scope: DraftScope, action: string, at: { source: YamlSource; path: DataPath }): string | Issue {
  const candidates = taskFileCandidates(file, load, scope);
  const found = candidates.find(isFile);
  return found ?? issueAt(at.source, at.path, 'RB_INCLUDE', `${action}: file not found: ${file}`, { hint: `searched ${candidates.join(', ')}` });
}

/**
 * An import or include: import_tasks and import_role take their tasks' place before the run, with
 * their keywords inherited; include_tasks and include_role run at their place for the hosts that
 * reach them, and what they name is loaded now when written without a template.
 */
export function includeDraft(load: PlayLoad, scope: DraftScope, task: TaskDraft): StepDraft {
  const key = Object.keys(task.raw).find((candidate) => INCLUDE_ACTIONS.has(candidate)) as string;
  const action = task.action as IncludeAction;
  const issue = (path: DataPath, message: string, hint?: string, target: 'key' | 'value' = 'value') =>
    load.issues.push(issueAt(task.source, path, 'RB_INCLUDE', message, { hint, target }));
  const { accepted } = moduleNameTable();
  for (const other of task.moduleKeys.filter((candidate) => accepted.has(candidate))) {
    issue([...task.path, other], `task has more than one action: ${key} and ${other}`, 'a task runs exactly one module or include; split it', 'key');
  }
  if (scope.handler) issue([...task.path, key], `runbook does not run ${key} among handlers`, 'list each handler as a task', 'key');
  const dynamic = action === 'include_tasks' || action === 'include_role';
  for (const keyword of Object.keys(task.raw).filter((candidate) => candidate !== key)) {
    if (dynamic && !INCLUDE_KEYWORDS.has(keyword)) {
      issue([...task.path, keyword], `"${keyword}" is not a valid attribute for ${action}`, `keywords for the included tasks go in apply: {${keyword}: ...}`, 'key');
    }
    if (!dynamic && (keyword === 'loop' || keyword.startsWith('with_'))) {
      issue([...task.path, keyword], `You cannot use loops on '${action}' statements. You should use '${action.replace('import', 'include')}' instead.`, undefined, 'key');
    }
  }
  const args = actionArguments(task, key, action);
  const path = [...task.path, key];
  const written = task.raw[key];
  const locate = (inside: DataPath, target: 'key' | 'value') => {
    const argument = String(inside[0]);
    if (isRecord(written) && argument in written) return positionOf(task.source, [...path, ...inside], target);
    if (isRecord(task.raw.args) && argument in task.raw.args) return positionOf(task.source, [...task.path, 'args', ...inside], target);
    return positionOf(task.source, path, target);
  };
  load.issues.push(...schemaIssues(task.source, ARGUMENT_SCHEMAS[action], args, { locate }));
  const apply = isRecord(args.apply) ? args.apply : {};
  load.issues.push(...invalidKeywords(task.source, apply, [...path, 'apply'], 'apply'));
  const keywords = Object.fromEntries(Object.entries(task.raw).filter(([name]) => name !== key && name !== 'args'));
  const at = { source: task.source, path };
  if (action.endsWith('_role')) return roleInclude(load, scope, task, action, args, keywords, apply, at);
  const file = typeof args.file === 'string' ? args.file : '';
  if (file === '') return { kind: 'import', keywords, role: undefined, steps: [] };
  if (action === 'import_tasks') {
    if (hasTemplate(file)) {
      issue(path, 'import_tasks is read before the run: its file cannot be a template', 'use include_tasks, which renders the file name on each host');
      return { kind: 'import', keywords, role: undefined, steps: [] };
    }
    const found = findTaskFile(file, load, scope, action, at);
    if (typeof found !== 'string') {
      load.issues.push(found);
      return { kind: 'import', keywords, role: undefined, steps: [] };
    }
    return { kind: 'import', keywords, role: undefined, steps: taskFileSteps(load, scope, found, at) };
  }
  let steps: StepDraft[] | undefined;
  if (!hasTemplate(file)) {
    const found = findTaskFile(file, load, scope, action, at);
    if (typeof found === 'string') steps = taskFileSteps(load, scope, found, at);
    else load.issues.push(found);
  }
  return { kind: 'include', task, target: file, apply, steps, load: (target) => loadAtRunTime(load, scope, target, at) };
}

function roleInclude(
  load: PlayLoad,
  scope: DraftScope,
  task: TaskDraft,
  action: IncludeAction,
  args: Record<string, unknown>,
  keywords: Record<string, unknown>,
  apply: Record<string, unknown>,
  at: { source: YamlSource; path: DataPath },
): StepDraft {
  const name = typeof args.name === 'string' ? args.name : typeof args.role === 'string' ? args.role : '';
  const from = (kind: string) => (typeof args[`${kind}_from`] === 'string' ? (args[`${kind}_from`] as string) : undefined);
  if (hasTemplate(name)) {
    load.issues.push(issueAt(at.source, [...at.path, 'name'], 'RB_INCLUDE', `${action}: runbook loads roles before the run, so the role's name cannot be a template`, { hint: 'name the role' }));
  }
  if (args.public === true) {
    load.issues.push(
      issueAt(at.source, [...at.path, 'public'], 'RB_INCLUDE', 'include_role with public: true is not supported', {
        hint: "use import_role, whose defaults and vars the whole play sees",
      }),
    );
  }
  const vars = isRecord(task.raw.vars) ? task.raw.vars : {};
  const steps =
    name === '' || hasTemplate(name)
      ? []
      : roleSteps(load, scope, {
          name,
          vars,
          params: {},
          keywords: {},
          from: { tasks: from('tasks'), vars: from('vars'), defaults: from('defaults'), handlers: from('handlers') },
          once: args.allow_duplicates === false,
          playWide: action === 'import_role',
          at: { source: at.source, path: [...at.path, args.name === undefined ? 'role' : 'name'] },
        });
  if (action === 'import_role') return { kind: 'import', keywords, role: undefined, steps };
  return { kind: 'include', task, target: name, apply, steps, load: () => steps };
}

/** include_tasks with a templated file, once rendered on a host: loaded and validated then (throws ValidationError). */
function loadAtRunTime(load: PlayLoad, scope: DraftScope, target: string, at: { source: YamlSource; path: DataPath }): StepDraft[] {
  const issues: Issue[] = [];
  const runtime: PlayLoad = { ...load, issues, tasks: [] };
  const found = findTaskFile(target, runtime, scope, 'include_tasks', at);
  if (typeof found !== 'string') throw new ValidationError([found]);
  const steps = taskFileSteps(runtime, scope, found, at);
  const play: PlayDraft = { index: 0, source: scope.source, path: [], raw: {}, vars: {}, tasks: runtime.tasks, sections: [], handlers: load.handlers, roles: [] };
  for (const rule of RULES) issues.push(...rule({ source: scope.source, plays: [play], inventory: undefined, extraVars: {} }));
  const errors = issues.filter((problem) => problem.severity === 'error');
  if (errors.length > 0) throw new ValidationError(errors);
  return steps;
}
