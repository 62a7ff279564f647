import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { RunbookError, type Issue, type SourcePosition } from '../errors.js';
import { moduleSchemaId } from '../schema/ajv.js';
import { didYouMean, didYouMeanHint } from '../schema/did-you-mean.js';
import { guardedVariables, hasTemplate, rootVariables, templateSyntaxError } from '../template/index.js';
import { listOf, taskKeywords, type PlayDraft, type Rule, type RuleContext, type TaskDraft } from './draft.js';
import { moduleNameTable, refusalHint } from './module-names.js';
import { selectHosts, unmatchedNames } from './patterns.js';
import { pythonPatternProblems } from './python-patterns.js';
import { schemaIssues } from './schema-issues.js';
import { isRecord, issueAt, issueFrom, positionInValue, positionOf, type DataPath, type Target, type YamlSource } from './source.js';

/** Task keywords holding bare Jinja expressions rather than templates. */
const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until']);
/** The engine evaluates these with the task's own result in scope as `result`. */
const RESULT_SCOPED = new Set(['changed_when', 'failed_when']);
/** Variables the engine defines for every task (besides ansible_* facts). */
const ENGINE_VARIABLES = ['inventory_hostname', 'inventory_hostname_short', 'hostvars', 'groups', 'group_names', 'ansible_facts', 'facts', 'play_hosts', 'omit'];

function allTasks(plays: readonly PlayDraft[]): TaskDraft[] {
  return plays.flatMap((play) => [...play.tasks, ...play.handlers]);
}

/** Ansible's task keywords that runbook lacks (besides with_<lookup>): a task keyword is never called a module. */
const ANSIBLE_TASK_KEYWORDS = new Set([
  'action',
  'always',
  'any_errors_fatal',
  'async',
  'become_exe',
  'become_flags',
  'become_method',
  'block',
  'check_mode',
  'collections',
  'connection',
  'debugger',
  'delegate_facts',
  'delegate_to',
  'diff',
  'environment',
  'ignore_unreachable',
  'local_action',
  'module_defaults',
  'poll',
  'port',
  'remote_user',
  'rescue',
  'run_once',
  'throttle',
  'timeout',
]);

/** A module key runbook does not accept: Ansible's name for something runbook lacks or does otherwise, a typo, or a misspelt keyword. */
function unknownModule(source: YamlSource, path: DataPath, key: string, keywords: readonly string[]): Issue {
  if (ANSIBLE_TASK_KEYWORDS.has(key) || key.startsWith('with_')) {
    return issueAt(source, path, 'RB_UNKNOWN_MODULE', `runbook does not support Ansible's task keyword "${key}"`, {
      target: 'key',
      hint: `runbook's task keywords: ${keywords.join(', ')}`,
    });
  }
  const { accepted, refused } = moduleNameTable();
  const ansible = refused.get(key);
  if (ansible !== undefined) {
    return issueAt(source, path, 'RB_UNKNOWN_MODULE', `runbook does not implement Ansible's module "${key}"`, { target: 'key', hint: refusalHint(ansible) });
  }
  // Did-you-mean across runbook's names, Ansible's, and the task keywords.
  const suggestion = didYouMean(key, [...accepted.keys(), ...refused.keys(), ...keywords]);
  const isKeyword = suggestion !== undefined && keywords.includes(suggestion);
  const suggested = suggestion === undefined ? undefined : refused.get(suggestion);
  const hint =
    suggestion === undefined
      ? `known modules: ${[...new Set(accepted.values())].join(', ')}`
      : suggested === undefined
        ? `did you mean "${suggestion}"?`
        : `did you mean "${suggestion}"? That is Ansible's; ${refusalHint(suggested)}`;
  return issueAt(source, path, 'RB_UNKNOWN_MODULE', `unknown ${isKeyword ? 'task keyword' : 'module'} "${key}"`, { target: 'key', hint });
}

/** Each task has exactly one module key, and it names a module runbook accepts (its own name, or an Ansible alias). */
export const taskModule: Rule = ({ source, plays }) =>
  allTasks(plays).flatMap((task) => {
    const issues: Issue[] = [];
    const { accepted } = moduleNameTable();
    const keywords = [...taskKeywords(task.handler)];
    let unknown = 0;
    for (const key of task.moduleKeys.filter((candidate) => !accepted.has(candidate))) {
      unknown++;
      if (key === 'listen' && !task.handler) {
        issues.push(issueAt(source, [...task.path, key], 'RB_SCHEMA', '"listen" is only valid in handlers', { target: 'key' }));
        continue;
      }
      issues.push(unknownModule(source, [...task.path, key], key, keywords));
    }
    const known = task.moduleKeys.filter((key) => accepted.has(key));
    if (known.length === 0 && unknown === 0) {
      issues.push(
        issueAt(source, task.path, 'RB_NO_MODULE', 'task has no module', {
          hint: `add one module key, e.g. debug: {msg: hello}; known modules: ${[...new Set(accepted.values())].join(', ')}`,
        }),
      );
    }
    if (known.length > 1) {
      issues.push(
        issueAt(source, [...task.path, known[1] as string], 'RB_MULTIPLE_MODULES', `task has more than one module: ${known.join(', ')}`, {
          target: 'key',
          hint: 'a task runs exactly one module; split it into one task per module',
        }),
      );
    }
    return issues;
  });

/** Where a path inside a task's arguments was written: in its mapping, its `args:`, or a key=value word. */
function argumentPosition(source: YamlSource, task: TaskDraft, path: DataPath, target: Target): SourcePosition {
  const [argument, ...inside] = path;
  const origin = argument === undefined ? undefined : task.origins[String(argument)];
  if (origin === undefined) return positionOf(source, [...task.path, task.moduleKey as string, ...path], target);
  const span = target === 'key' ? origin.key : origin.value;
  return span === undefined ? positionOf(source, [...origin.path, ...inside], target) : positionInValue(source, origin.path, span.offset, span.length);
}

/** Module arguments are written readably and match the module's schema (runbook:module/<name>). */
export const moduleArguments: Rule = ({ source, plays }) =>
  allTasks(plays).flatMap((task) => {
    if (task.module === undefined) return [];
    const problems = task.argumentProblems.map(({ message, hint, path, span }) =>
      issueFrom(span === undefined ? positionOf(source, path) : positionInValue(source, path, span.offset, span.length), 'RB_ARGUMENTS', message, { hint }),
    );
    if (task.args === undefined) return problems;
    // An argument with a problem of its own is left out: its schema issue would only repeat it.
    const flagged = new Set(task.argumentProblems.flatMap(({ argument }) => (argument === undefined ? [] : [argument])));
    const args = isRecord(task.args) ? Object.fromEntries(Object.entries(task.args).filter(([key]) => !flagged.has(key))) : task.args;
    const locate = (path: DataPath, target: Target) => argumentPosition(source, task, path, target);
    return [...problems, ...schemaIssues(source, moduleSchemaId(task.module), args, { allowTemplates: true, locate })];
  });

/** Python regular expressions in module arguments (lineinfile, replace, blockinfile) use only what runbook translates with the same meaning. */
export const pythonPatterns: Rule = ({ source, plays }) =>
  allTasks(plays).flatMap((task) => {
    if (task.module === undefined || !isRecord(task.args)) return [];
    const flagged = new Set(task.argumentProblems.flatMap(({ argument }) => (argument === undefined ? [] : [argument])));
    return pythonPatternProblems(task.module, task.args)
      .filter(({ argument }) => !flagged.has(argument))
      .map(({ argument, message }) =>
        issueFrom(argumentPosition(source, task, [argument], 'value'), 'RB_ARGUMENTS', message, {
          hint: 'runbook translates a common subset of Python regular expressions: see README, Modules',
        }),
      );
  });

/** The directory beside the playbook where Ansible looks first for a relative src (its search path without roles). */
const SEARCHED_FIRST: Readonly<Record<string, string>> = { copy: 'files', template: 'templates' };

/**
 * copy and template read a relative src beside the playbook; Ansible looks in files/ (templates/)
 * there first, and expands a leading ~. Where that would read another file, or where ~ is used, the
 * task is refused with the src that means the same to both.
 */
export const localSources: Rule = ({ source, plays }) =>
  allTasks(plays).flatMap((task) => {
    const first = task.module === undefined ? undefined : SEARCHED_FIRST[task.module];
    const src = isRecord(task.args) ? task.args.src : undefined;
    if (first === undefined || typeof src !== 'string' || hasTemplate(src) || isAbsolute(src) || src.split('/')[0] === first) return [];
    const at = argumentPosition(source, task, ['src'], 'value');
    if (src.startsWith('~')) {
      return [issueFrom(at, 'RB_ARGUMENTS', `Ansible expands the ~ in src: ${src}; runbook does not`, { hint: 'write the absolute path' })];
    }
    if (!existsSync(join(dirname(source.file), first, src))) return [];
    return [
      issueFrom(at, 'RB_ARGUMENTS', `Ansible reads src: ${src} from ${first}/${src}, which exists; runbook would read ${src} beside the playbook`, {
        hint: `write src: ${first}/${src}, which both read`,
      }),
    ];
  });

/** Every notify names a handler (or a listen topic) of the same play. */
export const notifiedHandlersExist: Rule = ({ source, plays }) =>
  plays.flatMap((play) => {
    const names = new Set(play.handlers.flatMap((handler) => [...listOf(handler.raw.name), ...listOf(handler.raw.listen)]));
    return [...play.tasks, ...play.handlers].flatMap((task) => {
      const notify = task.raw.notify;
      const entries: Array<[DataPath, unknown]> = Array.isArray(notify)
        ? notify.map((name, index) => [[...task.path, 'notify', index], name])
        : [[[...task.path, 'notify'], notify]];
      return entries.flatMap(([path, name]) => {
        if (typeof name !== 'string' || hasTemplate(name) || names.has(name)) return [];
        const hint = didYouMeanHint(name, names) ?? (names.size === 0 ? 'this play has no handlers' : `handlers of this play: ${[...names].join(', ')}`);
        return [issueAt(source, path, 'RB_UNKNOWN_HANDLER', `no handler named "${name}" in this play`, { hint })];
      });
    });
  });

/** With an inventory, every play's hosts pattern selects at least one host. */
export const hostsMatchInventory: Rule = ({ source, plays, inventory }) => {
  if (inventory === undefined) return [];
  const candidates = [...inventory.groups.keys(), ...inventory.hosts.keys()];
  return plays.flatMap((play) => {
    const hosts = play.raw.hosts;
    const pattern = Array.isArray(hosts) ? hosts.map(String).join(',') : hosts;
    if (typeof pattern !== 'string' || pattern === '' || hasTemplate(pattern)) return [];
    const path = [...play.path, 'hosts'];
    // Without -i only localhost exists, so a miss is expected there: a warning, not an error.
    const severity = inventory.file === undefined ? 'warning' : 'error';
    let selected: string[];
    try {
      selected = selectHosts(inventory, pattern);
    } catch (error) {
      if (!(error instanceof RunbookError)) throw error;
      return [issueAt(source, path, 'RB_HOSTS_NO_MATCH', error.message, { severity })];
    }
    if (selected.length > 0) return [];
    if (inventory.file === undefined) {
      return [
        issueAt(source, path, 'RB_HOSTS_NO_MATCH', `hosts pattern "${pattern}" matches no host: without an inventory only localhost exists`, {
          hint: 'pass the inventory with -i',
          severity,
        }),
      ];
    }
    const unmatched = unmatchedNames(inventory, pattern);
    const suggestion = unmatched.map((name) => [name, didYouMean(name, candidates)] as const).find(([, match]) => match !== undefined);
    const hint = suggestion
      ? `"${suggestion[0]}" is not a group or host; did you mean "${suggestion[1]}"?`
      : unmatched.length > 0
        ? `not a group or host: ${unmatched.map((name) => `"${name}"`).join(', ')}`
        : undefined;
    return [issueAt(source, path, 'RB_HOSTS_NO_MATCH', `hosts pattern "${pattern}" matches no host in ${inventory.file}`, { hint, severity })];
  });
};

interface TemplateText {
  path: DataPath;
  text: string;
  mode: 'template' | 'expression';
  /** The task keyword when this is a condition. */
  condition: string | undefined;
}

function* stringsIn(value: unknown, path: DataPath): Generator<[DataPath, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* stringsIn(item, [...path, index]);
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) yield* stringsIn(item, [...path, key]);
}

/** Every template in the playbook, and every condition (a bare expression, or a template by mistake). */
function templateTexts(plays: readonly PlayDraft[]): TemplateText[] {
  const texts: TemplateText[] = [];
  const templates = (value: unknown, path: DataPath): void => {
    for (const [at, text] of stringsIn(value, path)) if (hasTemplate(text)) texts.push({ path: at, text, mode: 'template', condition: undefined });
  };
  for (const play of plays) {
    // vars_files are never rendered (loadPlaybook rejects templated paths).
    for (const [key, value] of Object.entries(play.raw)) {
      if (key !== 'tasks' && key !== 'handlers' && key !== 'vars_files') templates(value, [...play.path, key]);
    }
    for (const task of [...play.tasks, ...play.handlers]) {
      for (const [key, value] of Object.entries(task.raw)) {
        if (!CONDITION_KEYS.has(key)) {
          templates(value, [...task.path, key]);
          continue;
        }
        for (const [at, text] of stringsIn(value, [...task.path, key])) {
          texts.push({ path: at, text, mode: hasTemplate(text) ? 'template' : 'expression', condition: key });
        }
      }
    }
  }
  return texts;
}

/** Templates and conditions parse, and use only known filters and tests. */
export const templateSyntax: Rule = ({ source, plays }) =>
  templateTexts(plays).flatMap(({ path, text, mode, condition }) => {
    const issues: Issue[] = [];
    if (condition !== undefined && mode === 'template') {
      issues.push(
        issueAt(source, path, 'RB_CONDITION_TEMPLATE', `${condition} is a bare expression; it should not contain {{ }}`, {
          severity: 'warning',
          hint: `write e.g. ${condition}: result.rc == 0`,
        }),
      );
    }
    const error = templateSyntaxError(text, mode);
    if (error !== undefined) issues.push(issueAt(source, path, 'RB_TEMPLATE_SYNTAX', error));
    return issues;
  });

/** Names a playbook can rely on being defined somewhere, for the undefined-variable rule. */
function definedNames({ plays, inventory, extraVars }: RuleContext): Set<string> {
  const names = new Set<string>([...ENGINE_VARIABLES, 'item', ...Object.keys(extraVars)]);
  for (const host of inventory?.hosts.values() ?? []) Object.keys(host.vars).forEach((name) => names.add(name));
  for (const play of plays) {
    Object.keys(play.vars).forEach((name) => names.add(name));
    for (const task of [...play.tasks, ...play.handlers]) {
      if (isRecord(task.raw.vars)) Object.keys(task.raw.vars).forEach((name) => names.add(name));
      if (typeof task.raw.register === 'string') names.add(task.raw.register);
      const loopVar = isRecord(task.raw.loop_control) ? task.raw.loop_control.loop_var : undefined;
      if (typeof loopVar === 'string') names.add(loopVar);
      if (task.module === 'set_fact' && isRecord(task.args)) Object.keys(task.args).forEach((name) => names.add(name));
    }
  }
  return names;
}

/** Where `name` is first read inside the template parts of `text`, for a precise column. */
function offsetOf(name: string, text: string): number | undefined {
  const word = new RegExp(`(?<![\\w.'"])${name}\\b`);
  for (const block of text.matchAll(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g)) {
    const found = word.exec(block[0]);
    if (found) return (block.index ?? 0) + found.index;
  }
  const bare = word.exec(text);
  return bare?.index;
}

/**
 * Template variables are defined somewhere: play, task or file vars, the inventory, extra vars, a
 * register, a set_fact, a loop variable, or the engine's own. Conservative: skipped without an
 * inventory file (its variables are unknown), and silent for names used anywhere with `is defined`
 * or `| default`, and for ansible_* (facts).
 */
export const variablesDefined: Rule = (context) => {
  if (context.inventory?.file === undefined) return [];
  const known = definedNames(context);
  const texts = templateTexts(context.plays);
  const guarded = new Set(texts.flatMap(({ text, mode }) => guardedVariables(text, mode)));
  return texts.flatMap(({ path, text, mode, condition }) =>
    rootVariables(text, mode)
      .filter((name) => !known.has(name) && !guarded.has(name) && !name.startsWith('ansible_'))
      .filter((name) => !(name === 'result' && condition !== undefined && RESULT_SCOPED.has(condition)))
      .map((name) => {
        const offset = offsetOf(name, text);
        const position = offset === undefined ? undefined : positionInValue(context.source, path, offset, name.length);
        const issue = issueAt(context.source, path, 'RB_UNDEFINED_VARIABLE', `undefined variable "${name}"`, {
          hint: didYouMeanHint(name, known) ?? 'define it in vars, vars_files, the inventory, or with -e name=value',
        });
        return position === undefined ? issue : { ...issue, ...position };
      }),
  );
};

/** `groups['kvm_hosts'][1]` or `groups.kvm_hosts[1]`: a template that needs that many hosts in a group. */
const GROUP_INDEX = /\bgroups(?:\[\s*['"]([\w.-]+)['"]\s*\]|\.(\w+))\s*\[\s*(\d+)\s*\]/g;

/**
 * In a classroom, every pod has what the playbook needs: a host for each play that runs on some pod,
 * and as many hosts in a group as templates index into (`groups['kvm_hosts'][1]` needs two).
 */
export const podsHaveRoles: Rule = ({ source, plays, inventory }) => {
  if (inventory === undefined || inventory.pods.size === 0) return [];
  const inPod = (hosts: readonly string[], members: readonly string[]) => hosts.filter((host) => members.includes(host)).length;
  const issues: Issue[] = [];
  const reported = new Set<string>();
  for (const play of plays) {
    const pattern = Array.isArray(play.raw.hosts) ? play.raw.hosts.map(String).join(',') : play.raw.hosts;
    if (typeof pattern !== 'string' || pattern === '' || hasTemplate(pattern)) continue;
    let selected: string[];
    try {
      selected = selectHosts(inventory, pattern);
    } catch {
      continue; // hostsMatchInventory reports it
    }
    const used = [...inventory.pods].filter(([, members]) => inPod(selected, members) > 0);
    if (used.length === 0) continue;
    const lacking = [...inventory.pods.keys()].filter((pod) => !used.some(([name]) => name === pod));
    if (lacking.length > 0) {
      issues.push(
        issueAt(source, [...play.path, 'hosts'], 'RB_POD_MISSING_ROLE', `pod${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')} ha${lacking.length === 1 ? 's' : 've'} no host matching "${pattern}", which this play runs on in every other pod`, {
          hint: `add the host to ${lacking.length === 1 ? 'that pod' : 'those pods'} and to the play's groups in the inventory`,
        }),
      );
    }
    const wanted = new Map<string, number>();
    for (const [, text] of stringsIn(play.vars, [])) {
      for (const match of text.matchAll(GROUP_INDEX)) {
        const group = match[1] ?? match[2] ?? '';
        wanted.set(group, Math.max(wanted.get(group) ?? 0, Number(match[3]) + 1));
      }
    }
    for (const [group, needed] of wanted) {
      const members = inventory.groups.get(group) ?? [];
      const short = [...inventory.pods].filter(([, hosts]) => inPod(members, hosts) < needed).map(([pod]) => pod);
      // Once per group: every play of a playbook often reads the same vars_files.
      if (short.length === 0 || short.length === inventory.pods.size || reported.has(group)) continue;
      reported.add(group);
      const at = play.raw.vars_files === undefined ? [...play.path, 'vars'] : [...play.path, 'vars_files'];
      issues.push(
        issueAt(source, at, 'RB_POD_MISSING_ROLE', `pod${short.length === 1 ? '' : 's'} ${short.join(', ')} ha${short.length === 1 ? 's' : 've'} fewer than ${needed} host${needed === 1 ? '' : 's'} in group ${group}, which this play's variables index into (groups['${group}'][${needed - 1}])`, {
          hint: `give every pod ${needed} host${needed === 1 ? '' : 's'} in ${group}`,
          target: 'key',
        }),
      );
    }
  }
  return issues;
};

/** The rules, in the order their problems are listed. */
export const RULES: readonly Rule[] = [taskModule, moduleArguments, pythonPatterns, localSources, notifiedHandlersExist, hostsMatchInventory, podsHaveRoles, templateSyntax, variablesDefined];
