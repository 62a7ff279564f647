import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { RunbookError, type Issue, type SourcePosition } from '../errors.js';
import { moduleSchemaId, schemaDocument } from '../schema/ajv.js';
import { didYouMean, didYouMeanHint, didYouMeanVariable } from '../schema/did-you-mean.js';
import { GATHERED_FACTS } from '../facts/ansible.js';
import { guardedVariables, hasTemplate, rootVariables, templateSyntaxError } from '../template/index.js';
import { argumentGrammarProblems } from './argument-grammars.js';
import { listOf, taskKeywords, type PlayDraft, type Rule, type RuleContext, type TaskDraft } from './draft.js';
import { moduleNameTable, refusalHint } from './module-names.js';
import { selectHosts, unmatchedNames } from './patterns.js';
import { schemaIssues } from './schema-issues.js';
import { isRecord, issueAt, issueFrom, positionInValue, positionOf, readYaml, type DataPath, type Target, type YamlSource } from './source.js';

/** Task keywords holding bare Jinja expressions rather than templates. */
const CONDITION_KEYS = new Set(['when', 'changed_when', 'failed_when', 'until']);
/** The engine evaluates these with the task's own result in scope as `result`. */
const RESULT_SCOPED = new Set(['changed_when', 'failed_when']);
/** Variables the engine defines for every task (besides ansible_* facts). */
const ENGINE_VARIABLES = [
  'inventory_hostname',
  'inventory_hostname_short',
  'hostvars',
  'groups',
  'group_names',
  'ansible_facts',
  'facts',
  'play_hosts',
  'omit',
  'playbook_dir',
  'inventory_dir',
  'inventory_file',
  'ansible_play_hosts_all',
  'ansible_play_batch',
  'ansible_check_mode',
  'ansible_version',
  'ansible_loop_var',
];

function allTasks(plays: readonly PlayDraft[]): TaskDraft[] {
  return plays.flatMap((play) => [...play.tasks, ...play.handlers]);
}

/** Ansible's task keywords that runbook lacks (besides with_<lookup>): a task keyword is never called a module. */
const ANSIBLE_TASK_KEYWORDS = new Set([
  'action',
  'async',
  'collections',
  'connection',
  'debugger',
  'local_action',
  'module_defaults',
  'poll',
  'port',
  'throttle',
  'timeout',
]);

/** A module key runbook does not accept: Ansible's name for something runbook lacks or does otherwise, a typo, or a misspelt keyword. */
function unknownModule(source: YamlSource, path: DataPath, key: string, keywords: readonly string[]): Issue {
  // `with_item` is a slip for with_items, not a with_<lookup> loop runbook lacks.
  const misspeltKeyword = ANSIBLE_TASK_KEYWORDS.has(key) ? undefined : didYouMean(key, keywords);
  if (ANSIBLE_TASK_KEYWORDS.has(key) || (key.startsWith('with_') && misspeltKeyword === undefined)) {
    return issueAt(source, path, 'RB_UNSUPPORTED_KEYWORD', `runbook does not support Ansible's task keyword "${key}"`, {
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
export const taskModule: Rule = ({ plays }) =>
  allTasks(plays).flatMap((task) => {
    const issues: Issue[] = [];
    const { accepted } = moduleNameTable();
    const keywords = [...taskKeywords(task.handler)];
    let unknown = 0;
    for (const key of task.moduleKeys.filter((candidate) => !accepted.has(candidate))) {
      unknown++;
      if (key === 'listen' && !task.handler) {
        issues.push(issueAt(task.source, [...task.path, key], 'RB_SCHEMA', '"listen" is only valid in handlers', { target: 'key' }));
        continue;
      }
      issues.push(unknownModule(task.source, [...task.path, key], key, keywords));
    }
    const known = task.moduleKeys.filter((key) => accepted.has(key));
    // A block, an import or an include is no module's task.
    if (known.length === 0 && unknown === 0 && task.action === undefined) {
      issues.push(
        issueAt(task.source, task.path, 'RB_NO_MODULE', 'task has no module', {
          hint: `add one module key, e.g. debug: {msg: hello}; known modules: ${[...new Set(accepted.values())].join(', ')}`,
        }),
      );
    }
    if (known.length > 1) {
      issues.push(
        issueAt(task.source, [...task.path, known[1] as string], 'RB_MULTIPLE_MODULES', `task has more than one module: ${known.join(', ')}`, {
          target: 'key',
          hint: 'a task runs exactly one module; split it into one task per module',
        }),
      );
    }
    return issues;
  });

/** Where a path inside a task's arguments was written: in its mapping, its `args:`, or a key=value word. */
function argumentPosition(task: TaskDraft, path: DataPath, target: Target): SourcePosition {
  const source = task.source;
  const [argument, ...inside] = path;
  const origin = argument === undefined ? undefined : task.origins[String(argument)];
  if (origin === undefined) return positionOf(source, [...task.path, task.moduleKey as string, ...path], target);
  const span = target === 'key' ? origin.key : origin.value;
  return span === undefined ? positionOf(source, [...origin.path, ...inside], target) : positionInValue(source, origin.path, span.offset, span.length);
}

/** Module arguments are written readably and match the module's schema (runbook:module/<name>). */
export const moduleArguments: Rule = ({ plays }) =>
  allTasks(plays).flatMap((task) => {
    if (task.module === undefined) return [];
    const problems = task.argumentProblems.map(({ message, hint, path, span }) =>
      issueFrom(span === undefined ? positionOf(task.source, path) : positionInValue(task.source, path, span.offset, span.length), 'RB_ARGUMENTS', message, { hint }),
    );
    if (task.args === undefined) return problems;
    // An argument with a problem of its own is left out: its schema issue would only repeat it.
    const flagged = new Set(task.argumentProblems.flatMap(({ argument }) => (argument === undefined ? [] : [argument])));
    const misplaced = misplacedKeywords(task.module, task.args);
    misplaced.forEach((key) => flagged.add(key));
    const args = isRecord(task.args) ? Object.fromEntries(Object.entries(task.args).filter(([key]) => !flagged.has(key))) : task.args;
    const locate = (path: DataPath, target: Target) => argumentPosition(task, path, target);
    const keywordIssues = misplaced.map((key) =>
      issueFrom(argumentPosition(task, [key], 'key'), 'RB_KEYWORD_IN_ARGUMENTS', `"${key}" is a task keyword, not an argument of ${task.module}`, {
        hint: `indent ${key}: as far as the module's name (${task.moduleKey ?? task.module}:), so that it belongs to the task`,
      }),
    );
    return [...problems, ...keywordIssues, ...schemaIssues(task.source, moduleSchemaId(task.module), args, { allowTemplates: true, locate })];
  });

/** Arguments that are task keywords (`when:` indented under `mount:`), unless the module has an argument of that name. */
function misplacedKeywords(module: string, args: unknown): string[] {
  if (!isRecord(args)) return [];
  const properties = schemaDocument(moduleSchemaId(module))?.properties as Record<string, unknown> | undefined;
  const keywords = taskKeywords(false);
  return Object.keys(args).filter((key) => (keywords.has(key) || ANSIBLE_TASK_KEYWORDS.has(key)) && properties?.[key] === undefined);
}

/**
 * Arguments with a grammar of their own read as the module reads them: Python regular expressions
 * (lineinfile, replace, blockinfile) use only what runbook translates with the same meaning, and
 * authorized_key's key holds only public keys.
 */
export const argumentGrammars: Rule = ({ plays }) =>
  allTasks(plays).flatMap((task) => {
    if (task.module === undefined || !isRecord(task.args)) return [];
    const flagged = new Set(task.argumentProblems.flatMap(({ argument }) => (argument === undefined ? [] : [argument])));
    return argumentGrammarProblems(task.module, task.args)
      .filter(({ argument }) => !flagged.has(argument))
      .map(({ argument, message, hint }) => issueFrom(argumentPosition(task, [argument], 'value'), 'RB_ARGUMENTS', message, { hint }));
  });

/** Every notify names a handler (or a listen topic) of the same play. */
export const notifiedHandlersExist: Rule = ({ plays }) =>
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
        return [issueAt(task.source, path, 'RB_UNKNOWN_HANDLER', `no handler named "${name}" in this play`, { hint })];
      });
    });
  });

/** With an inventory, every play's hosts pattern selects at least one host. */
export const hostsMatchInventory: Rule = ({ plays, inventory }) => {
  if (inventory === undefined) return [];
  const candidates = [...inventory.groups.keys(), ...inventory.hosts.keys()];
  return plays.flatMap((play) => {
    const hosts = play.raw.hosts;
    const pattern = Array.isArray(hosts) ? hosts.map(String).join(',') : hosts;
    if (typeof pattern !== 'string' || pattern === '' || hasTemplate(pattern)) return [];
    const path = [...play.path, 'hosts'];
    const source = play.source;
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
    // A close match of a real group or host is a typo: an error. Otherwise the play is skipped with a
    // warning, as Ansible skips it (a group made at run time, or optional in this inventory).
    if (suggestion) {
      return [
        issueAt(source, path, 'RB_HOSTS_NO_MATCH', `hosts pattern "${pattern}" matches no host in ${inventory.file}`, {
          hint: `"${suggestion[0]}" is not a group or host; did you mean "${suggestion[1]}"?`,
          severity,
        }),
      ];
    }
    return [
      issueAt(source, path, 'RB_HOSTS_NO_MATCH', `hosts pattern "${pattern}" matches no host in ${inventory.file}: the play will be skipped`, {
        hint: unmatched.length > 0 ? `not a group or host: ${unmatched.map((name) => `"${name}"`).join(', ')}` : undefined,
        severity: 'warning',
      }),
    ];
  });
};

interface TemplateText {
  /** The file it is written in. */
  source: YamlSource;
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
  const templates = (source: YamlSource, value: unknown, path: DataPath): void => {
    for (const [at, text] of stringsIn(value, path)) if (hasTemplate(text)) texts.push({ source, path: at, text, mode: 'template', condition: undefined });
  };
  for (const play of plays) {
    // vars_files are never rendered (loadPlaybook rejects templated paths).
    for (const [key, value] of Object.entries(play.raw)) {
      if (key !== 'tasks' && key !== 'handlers' && key !== 'vars_files') templates(play.source, value, [...play.path, key]);
    }
    for (const task of [...play.tasks, ...play.handlers]) {
      for (const [key, value] of Object.entries(task.raw)) {
        if (!CONDITION_KEYS.has(key)) {
          templates(task.source, value, [...task.path, key]);
          continue;
        }
        for (const [at, text] of stringsIn(value, [...task.path, key])) {
          texts.push({ source: task.source, path: at, text, mode: hasTemplate(text) ? 'template' : 'expression', condition: key });
        }
      }
    }
  }
  return texts;
}

/** Templates and conditions parse, and use only known filters and tests. */
export const templateSyntax: Rule = ({ plays }) =>
  templateTexts(plays).flatMap(({ source, path, text, mode, condition }) => {
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

function didYouMeanVariableHint(name: string, known: Iterable<string>): string | undefined {
  const suggestion = didYouMeanVariable(name, known);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}

/** Names a playbook can rely on being defined somewhere, for the undefined-variable rule. */
function definedNames({ plays, inventory, extraVars }: RuleContext): Set<string> {
  const names = new Set<string>([...ENGINE_VARIABLES, 'item', ...Object.keys(extraVars)]);
  for (const host of inventory?.hosts.values() ?? []) Object.keys(host.vars).forEach((name) => names.add(name));
  for (const play of plays) {
    Object.keys(play.vars).forEach((name) => names.add(name));
    for (const role of play.roles) Object.keys({ ...role.defaults, ...role.vars, ...role.params }).forEach((name) => names.add(name));
    for (const task of [...play.tasks, ...play.handlers]) {
      Object.keys(task.scopeVars).forEach((name) => names.add(name));
      if (isRecord(task.raw.vars)) Object.keys(task.raw.vars).forEach((name) => names.add(name));
      if (typeof task.raw.register === 'string') names.add(task.raw.register);
      const loopControl = isRecord(task.raw.loop_control) ? task.raw.loop_control : {};
      if (typeof loopControl.loop_var === 'string') names.add(loopControl.loop_var);
      if (typeof loopControl.index_var === 'string') names.add(loopControl.index_var).add('ansible_index_var');
      if (loopControl.extended === true) names.add('ansible_loop');
      if (task.module === 'set_fact' && isRecord(task.args)) Object.keys(task.args).forEach((name) => names.add(name));
      if (task.module === 'include_vars') includedVariableNames(task, play).forEach((name) => names.add(name));
    }
  }
  return names;
}

const VARIABLE_FILE = /\.(ya?ml|json)$/;

/**
 * The names an include_vars task may define: its `name`, else the keys of the file it names or, when
 * that is a template, a directory or a first_found list, of every variable file it may pick: those
 * in the role's vars/, in vars/ beside the task's file and beside the playbook, and in the literal
 * directory a templated path starts with (vars/{{ ansible_os_family }}.yml).
 */
function includedVariableNames(task: TaskDraft, play: PlayDraft): string[] {
  const args = isRecord(task.args) ? task.args : {};
  if (typeof args.name === 'string') return [args.name];
  const taskDir = dirname(task.source.file);
  const role = play.roles.find((candidate) => task.source.file.startsWith(`${candidate.dir}/`));
  const file = typeof args.file === 'string' ? args.file : undefined;
  const directories = [role ? join(role.dir, 'vars') : undefined, join(taskDir, 'vars'), join(dirname(play.source.file), 'vars')];
  if (file !== undefined && hasTemplate(file)) {
    const literal = file.slice(0, file.search(/\{[{%]/));
    const base = literal.includes('/') ? literal.slice(0, literal.lastIndexOf('/')) : '';
    if (base !== '') directories.push(...[role?.dir, taskDir, dirname(play.source.file)].flatMap((root) => (root === undefined ? [] : [isAbsolute(base) ? base : join(root, base)])));
  }
  if (typeof args.dir === 'string' && !hasTemplate(args.dir)) directories.push(isAbsolute(args.dir) ? args.dir : join(role?.dir ?? taskDir, args.dir));
  const files =
    file !== undefined && !hasTemplate(file)
      ? [file, ...directories.flatMap((directory) => (directory === undefined ? [] : [join(directory, file)]))].map((path) => (isAbsolute(path) ? path : join(taskDir, path)))
      : directories.flatMap((directory) => (directory === undefined || !existsSync(directory) ? [] : readdirSync(directory).filter((name) => VARIABLE_FILE.test(name)).map((name) => join(directory, name))));
  return files.filter((path) => existsSync(path)).flatMap((path) => {
    try {
      const data = readYaml(path).data;
      return isRecord(data) ? Object.keys(data) : [];
    } catch {
      return [];
    }
  });
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
 * register, a set_fact, a loop variable, or the engine's own. Conservative: only a warning without an
 * inventory file (the inventory used later may define it), and silent for names used anywhere with
 * `is defined` or `| default`, and for ansible_* (facts).
 */
export const variablesDefined: Rule = (context) => {
  const inventoryKnown = context.inventory?.file !== undefined;
  const known = definedNames(context);
  const texts = templateTexts(context.plays);
  const guarded = new Set(texts.flatMap(({ text, mode }) => guardedVariables(text, mode)));
  return texts.flatMap(({ source, path, text, mode, condition }) =>
    rootVariables(text, mode)
      .filter((name) => !known.has(name) && !guarded.has(name) && !name.startsWith('ansible_'))
      .filter((name) => !(name === 'result' && condition !== undefined && RESULT_SCOPED.has(condition)))
      .map((name) => {
        const offset = offsetOf(name, text);
        const position = offset === undefined ? undefined : positionInValue(source, path, offset, name.length);
        const issue = issueAt(source, path, 'RB_UNDEFINED_VARIABLE', `undefined variable "${name}"${inventoryKnown ? '' : ' (unless the inventory defines it)'}`, {
          hint: didYouMeanVariableHint(name, known) ?? 'define it in vars, vars_files, the inventory, or with -e name=value',
          ...(inventoryKnown ? {} : { severity: 'warning' as const }),
        });
        return position === undefined ? issue : { ...issue, ...position };
      }),
  );
};

/** Ansible's connection and privilege variables: inventory settings, not facts (ansible_ssh_*, ansible_become*, …). */
const CONNECTION_VARIABLE = /^ansible_(host|port|user|password|connection|private_key_file|python_interpreter|shell_type|shell_executable|timeout|pipelining|(ssh|become|paramiko|winrm|psrp|docker|netconf|network)(_\w*)?)$/;

/** Magic variables the engine sets only where they apply (a block's rescue). */
const SCOPED_MAGIC_VARIABLES = new Set(['ansible_failed_task', 'ansible_failed_result']);

/** `ansible_facts.name` or `ansible_facts['name']`: the fact a template reads through ansible_facts. */
const FACT_ACCESS = /(?<![\w.'"])ansible_facts(?:\.(\w+)|\[\s*['"](\w+)['"]\s*\])/g;

/**
 * A fact runbook does not gather (ansible_mounts, ansible_facts.env, …) would be undefined where
 * Ansible has it, even behind `| default`: a warning naming it, wherever it is read. Names the
 * playbook, the inventory or the engine define, and Ansible's connection variables, are no facts.
 */
export const factsGathered: Rule = (context) => {
  const known = definedNames(context);
  const facts = new Set([...GATHERED_FACTS].map((name) => `ansible_${name}`));
  return templateTexts(context.plays).flatMap(({ source, path, text, mode }) => {
    const read = [...rootVariables(text, mode), ...guardedVariables(text, mode)]
      .filter((name) => name.startsWith('ansible_') && !known.has(name) && !SCOPED_MAGIC_VARIABLES.has(name) && !CONNECTION_VARIABLE.test(name) && !facts.has(name))
      .map((name) => ({ name, shown: name }));
    const throughFacts = [...text.matchAll(FACT_ACCESS)]
      .map((match) => match[1] ?? match[2] ?? '')
      // service_facts sets ansible_facts.services.
      .filter((name) => !GATHERED_FACTS.has(name) && name !== 'services')
      .map((name) => ({ name: `ansible_${name}`, shown: `ansible_facts.${name}` }));
    return [...new Map([...read, ...throughFacts].map((fact) => [fact.shown, fact])).values()].map(({ name, shown }) => {
      const offset = offsetOf(shown.split('.')[0]!, text);
      const position = offset === undefined ? undefined : positionInValue(source, path, offset, shown.split('.')[0]!.length);
      const issue = issueAt(source, path, 'RB_FACT_NOT_GATHERED', `runbook does not gather or set "${shown}"`, {
        severity: 'warning',
        hint: didYouMeanHint(name, [...facts]) ?? 'runbook gathers the facts listed in README (Facts); set_fact or vars can define it',
      });
      return position === undefined ? issue : { ...issue, ...position };
    });
  });
};

/** `groups['kvm_hosts'][1]` or `groups.kvm_hosts[1]`: a template that needs that many hosts in a group. */
const GROUP_INDEX = /\bgroups(?:\[\s*['"]([\w.-]+)['"]\s*\]|\.(\w+))\s*\[\s*(\d+)\s*\]/g;

/**
 * In a classroom, every pod has what the playbook needs: a host for each play that runs on some pod,
 * and as many hosts in a group as templates index into (`groups['kvm_hosts'][1]` needs two).
 */
export const podsHaveRoles: Rule = ({ plays, inventory }) => {
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
        issueAt(play.source, [...play.path, 'hosts'], 'RB_POD_MISSING_ROLE', `pod${lacking.length === 1 ? '' : 's'} ${lacking.join(', ')} ha${lacking.length === 1 ? 's' : 've'} no host matching "${pattern}", which this play runs on in every other pod`, {
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
        issueAt(play.source, at, 'RB_POD_MISSING_ROLE', `pod${short.length === 1 ? '' : 's'} ${short.join(', ')} ha${short.length === 1 ? 's' : 've'} fewer than ${needed} host${needed === 1 ? '' : 's'} in group ${group}, which this play's variables index into (groups['${group}'][${needed - 1}])`, {
          hint: `give every pod ${needed} host${needed === 1 ? '' : 's'} in ${group}`,
          target: 'key',
        }),
      );
    }
  }
  return issues;
};

/** The rules, in the order their problems are listed. */
/**
 * A task has one loop, as in Ansible: `loop` or one `with_<lookup>` (the schema already refuses the
 * pair loop and with_items, so that pair alone is not reported twice).
 */
export const oneLoop: Rule = ({ plays }) =>
  allTasks(plays).flatMap((task) => {
    const keys = Object.keys(task.raw).filter((key) => key === 'loop' || key.startsWith('with_'));
    if (keys.length < 2 || (keys.length === 2 && keys.includes('loop') && keys.includes('with_items'))) return [];
    return [issueAt(task.source, [...task.path, keys[1]!], 'RB_SCHEMA', `${keys.map((key) => `"${key}"`).join(' and ')} cannot be used together`, { target: 'key', hint: 'a task has one loop: loop or one with_<lookup>' })];
  });

export const RULES: readonly Rule[] = [taskModule, moduleArguments, argumentGrammars, notifiedHandlersExist, hostsMatchInventory, podsHaveRoles, templateSyntax, variablesDefined, factsGathered, oneLoop];
