import { types } from 'node:util';
import nunjucks from 'nunjucks';
import { RunbookError } from '../errors.js';
import { didYouMeanHint } from '../schema/did-you-mean.js';
import { call, children, compileAst, isNode, output, parseTemplate, singleExpression, type AstNode } from './ast.js';
import { environment, memberLookup, THROW_ON_UNDEFINED, variablesFrame, type Frame } from './environment.js';
import { REFUSED_FILTERS } from './data-filters.js';
import { PYTHON_STRING_METHODS } from './filters.js';
import { pythonModulo, pythonStr } from './python.js';
import { lookupFunctions, lookupProblem } from './lookups.js';
import { parserWords, unbalancedProblem } from './syntax-error.js';
import { CAPTURE, GUARD_ATTRIBUTE, GUARD_VARIABLE, guardUndefined, PYTHON_ADD, PYTHON_CONCAT, PYTHON_MOD, RESOLVE_LENIENT } from './strict.js';
import { variableUsage } from './variables.js';

/**
 * Jinja for Ansible users, on nunjucks: undefined is an error that names the variable, `{{ x }}`
 * alone yields x's own value (list, number, ...), variables whose values are templates resolve
 * recursively, and Ansible's common filters and `is succeeded/failed/changed/skipped` tests exist
 * (see environment.ts and filters.ts).
 */

/** Ansible's `omit`: an argument whose value renders to this is dropped from the arguments. */
const OMIT = `__omit_place_holder__${Math.random().toString(16).slice(2)}`;

const TEMPLATE_MARK = /\{\{|\{%/;

export function hasTemplate(text: string): boolean {
  return TEMPLATE_MARK.test(text);
}

interface Prepared {
  template: nunjucks.Template;
  /** True when the template is one expression whose value is captured rather than printed. */
  native: boolean;
  /**
   * True when the template defines a macro: nunjucks runs a macro's body in a frame of its own,
   * which sees the render context but not the caller's frames, so the variables go into the context.
   */
  hasMacro: boolean;
}

const cache = new Map<string, Prepared>();
const CACHE_LIMIT = 2000;

function syntaxError(error: unknown, mode: 'template' | 'expression'): string {
  // nunjucks' parser reports an unfinished expression with a TypeError from inside itself.
  if (!(error instanceof Error) || error instanceof TypeError) return 'unexpected end of template';
  return parserWords(error.message.replace(/^\(unknown path\)\s*(\[Line \d+, Column \d+\])?\s*/, '').trim(), mode);
}

/** Parse a template, or a bare expression (`when:`) as the single expression of `{{ }}`. */
function parse(text: string, mode: 'template' | 'expression'): { ast: AstNode; expression: AstNode | undefined } {
  let ast: AstNode;
  const parsed = mode === 'expression' ? `{{ ${text} }}` : text;
  const shift = mode === 'expression' ? 3 : 0;
  const unbalanced = unbalancedProblem(parsed, shift);
  if (unbalanced !== undefined) throw new RunbookError('RB_TEMPLATE', `template syntax error: ${unbalanced}`);
  try {
    ast = parseTemplate(parsed);
  } catch (error) {
    throw new RunbookError('RB_TEMPLATE', `template syntax error: ${syntaxError(error, mode)}`);
  }
  if (containsNode(ast, 'For', (node) => (node.arr as AstNode).typename === 'InlineIf' && (node.arr as AstNode).else_ == null)) {
    throw new RunbookError('RB_TEMPLATE', "template syntax error: Jinja's loop filter `{% for x in items if condition %}` is not supported", {
      hint: "filter the list first: {% for x in items | select('defined') %}, selectattr(...), or an {% if %} inside the loop",
    });
  }
  const expression = singleExpression(ast);
  if (mode === 'expression' && expression === undefined) {
    throw new RunbookError('RB_TEMPLATE', `${JSON.stringify(text)} is not a single expression`, {
      hint: 'conditions are bare expressions without {{ }}, e.g. when: result.rc == 0',
    });
  }
  return { ast, expression };
}

function prepare(text: string, mode: 'template' | 'expression'): Prepared {
  const key = `${mode}\0${text}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const { ast, expression } = parse(text, mode);
  if (expression !== undefined) ast.children = [output(call(CAPTURE, [guardUndefined(expression)], expression))];
  else guardUndefined(ast);
  const code = compileAst(ast, 'template', THROW_ON_UNDEFINED);
  const properties: unknown = new Function(code)();
  const template = new nunjucks.Template({ type: 'code', obj: properties } as unknown as string, environment);
  const prepared = { template, native: expression !== undefined, hasMacro: containsNode(ast, 'Macro') };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, prepared);
  return prepared;
}

function containsNode(node: AstNode, typename: string, matches: (found: AstNode) => boolean = () => true): boolean {
  return (
    (node.typename === typename && matches(node)) ||
    node.fields.some((field) => [node[field]].flat().some((value) => isNode(value) && containsNode(value, typename, matches)))
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || types.isProxy(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Names nunjucks reads as literals or operators, never as variables; `__proto__` it looks up differently. */
const RESERVED = new Set(['true', 'false', 'none', 'null', 'True', 'False', 'None', 'and', 'or', 'not', 'in', 'is', 'if', 'else', '__proto__']);
// nunjucks' whitespace is these five characters, not all that \s matches.
const SIMPLE_PART = /\{\{[ \t\n\r\u00a0]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n\r\u00a0]*\}\}/g;
const COMMENT_MARK = '{#';

/** Literal text, and variables (objects, to tell them from the text). */
type SimpleTemplate = Array<string | { name: string }>;
const simpleCache = new Map<string, SimpleTemplate | null>();

/**
 * A template made only of text and `{{ name }}` parts (`{{ root }}/app/motd`), split into them;
 * undefined for any other. Most templates in playbooks are like this, and each is rendered for
 * every host: see Renderer.renderSimple.
 */
function simpleTemplate(text: string): SimpleTemplate | undefined {
  let parts = simpleCache.get(text);
  if (parts === undefined) {
    parts = [];
    let last = 0;
    for (const match of text.matchAll(SIMPLE_PART)) {
      parts.push(text.slice(last, match.index), { name: match[1]! });
      last = match.index + match[0].length;
    }
    parts.push(text.slice(last));
    // A `{` just before `{{` would make nunjucks read `{{{` differently.
    const literalsPlain = parts.every(
      (part, index, all) =>
        typeof part !== 'string' || (!hasTemplate(part) && !part.includes(COMMENT_MARK) && !(index < all.length - 1 && part.endsWith('{'))),
    );
    const namesPlain = parts.every((part) => typeof part === 'string' || !RESERVED.has(part.name));
    if (!literalsPlain || !namesPlain) parts = null;
    if (simpleCache.size >= CACHE_LIMIT) simpleCache.clear();
    simpleCache.set(text, parts);
  }
  return parts ?? undefined;
}

/** One top-level render: the context (vars plus guards) and the variables being resolved, for cycles. */
class Renderer {
  private built: Record<string, unknown> | undefined;
  private builtWithVariables: Record<string, unknown> | undefined;
  private frame: Frame | undefined;
  private readonly resolving = new Set<string>();
  private captured: unknown;

  /** With `withOmit`, `omit` is Ansible's placeholder unless the variables define it. */
  constructor(
    private readonly vars: Record<string, unknown>,
    private readonly withOmit = false,
  ) {}

  /**
   * Built on the first render: values without templates never need it. The variables are not
   * copied in: they are read through a frame (`frame`), which nunjucks consults first, so a variable
   * named `omit` still wins over the placeholder.
   */
  private get context(): Record<string, unknown> {
    return (this.built ??= {
      ...(this.withOmit ? { omit: OMIT } : {}),
      ...this.guards(),
    });
  }

  /** The context with the variables copied in, for templates whose macros cannot see the frame. */
  private get contextWithVariables(): Record<string, unknown> {
    return (this.builtWithVariables ??= {
      ...(this.withOmit ? { omit: OMIT } : {}),
      ...this.vars,
      ...this.guards(),
    });
  }

  /** The functions the compiled templates call (see strict.ts). */
  private guards(): Record<string, unknown> {
    return {
      [GUARD_VARIABLE]: (name: string, value: unknown) => {
        if (value === undefined) throw new RunbookError('RB_TEMPLATE', `undefined variable "${name}"`);
        return this.resolve(name, value);
      },
      [RESOLVE_LENIENT]: (name: string, value: unknown) => (value === undefined ? undefined : this.resolve(name, value)),
      [GUARD_ATTRIBUTE]: (target: unknown, key: unknown, targetName: string) => this.attribute(target, key, targetName),
      [PYTHON_ADD]: (left: unknown, right: unknown) =>
        Array.isArray(left) && Array.isArray(right) ? [...left, ...right] : (left as number) + (right as number),
      [PYTHON_MOD]: pythonModulo,
      [PYTHON_CONCAT]: (left: unknown, right: unknown) => pythonStr(left) + pythonStr(right),
      [CAPTURE]: (value: unknown) => {
        this.captured = value;
        return '';
      },
      ...lookupFunctions({ vars: this.vars, render: (value, vars) => (vars === this.vars ? this : new Renderer(vars)).deep(value) }),
    };
  }

  /** A variable whose value is itself a template renders in the same variables, as in Ansible. */
  private resolve(name: string, value: unknown): unknown {
    if (typeof value !== 'string' || !hasTemplate(value)) return value;
    if (this.resolving.has(name)) {
      throw new RunbookError('RB_TEMPLATE', `variable "${name}" refers to itself (${JSON.stringify(value)})`);
    }
    this.resolving.add(name);
    try {
      return this.render(value);
    } finally {
      this.resolving.delete(name);
    }
  }

  private attribute(target: unknown, key: unknown, targetName: string): unknown {
    if (typeof target === 'string' && typeof key === 'string' && key in PYTHON_STRING_METHODS) {
      const method = PYTHON_STRING_METHODS[key] as (self: string, ...args: unknown[]) => unknown;
      return (...args: unknown[]) => method(target, ...args);
    }
    const value = memberLookup(target, key);
    if (value !== undefined) return this.resolve(`${targetName}.${String(key)}`, value);
    if (target === null || target === undefined) {
      throw new RunbookError('RB_TEMPLATE', `"${targetName}" is ${String(target)}, so it has no attribute ${JSON.stringify(key)}`);
    }
    const what = Array.isArray(target) && typeof key === 'number' ? `item ${key}` : `attribute ${JSON.stringify(key)}`;
    throw new RunbookError('RB_TEMPLATE', `"${targetName}" has no ${what}`);
  }

  /** Render a template string; one lone `{{ expression }}` yields the expression's own value. */
  render(text: string, mode: 'template' | 'expression' = 'template'): unknown {
    const simple = mode === 'template' ? this.renderSimple(text) : undefined;
    if (simple !== undefined) return simple;
    const prepared = prepare(text, mode);
    let printed: string;
    try {
      printed = (prepared.template.render as (context: object, frame: Frame) => string)(
        prepared.hasMacro ? this.contextWithVariables : this.context,
        (this.frame ??= variablesFrame(this.vars)),
      );
    } catch (error) {
      throw renderError(error);
    }
    // An expression's own string result is final; lists and mappings may hold variables' templates.
    return !prepared.native ? printed : typeof this.captured === 'string' ? this.captured : this.deep(this.captured);
  }

  /**
   * A simple template (see simpleTemplate) whose variables all hold plain strings, joined without
   * nunjucks, which would build a context and frames for each of the many renders a run makes.
   * Undefined when anything else is involved (a missing variable, a number, a value that is itself
   * a template): the full render then decides.
   */
  private renderSimple(text: string): string | undefined {
    const parts = simpleTemplate(text);
    if (parts === undefined) return undefined;
    let rendered = '';
    for (const part of parts) {
      if (typeof part === 'string') {
        rendered += part;
        continue;
      }
      const value = Object.hasOwn(this.vars, part.name) ? this.vars[part.name] : undefined;
      if (typeof value !== 'string' || hasTemplate(value)) return undefined;
      rendered += value;
    }
    return rendered;
  }

  /** Render every template string inside a value; mapping keys whose value is `omit` disappear. */
  deep(value: unknown): unknown {
    if (typeof value === 'string') return hasTemplate(value) ? this.render(value) : value;
    if (Array.isArray(value)) return value.map((item) => this.deep(item));
    if (isPlainObject(value)) {
      return Object.fromEntries(
        Object.entries(value)
          .map(([key, item]) => [key, this.deep(item)] as const)
          .filter(([, item]) => item !== OMIT),
      );
    }
    return value;
  }
}

/** A RunbookError thrown by a guard or filter (nunjucks keeps it as the cause), else nunjucks' own error in words. */
function renderError(error: unknown): RunbookError {
  const cause: unknown = (error as { cause?: unknown } | undefined)?.cause;
  if (error instanceof RunbookError) return error;
  if (cause instanceof RunbookError) return cause;
  const lines = (error instanceof Error ? error.message : String(error)).split('\n');
  const message = (lines.at(-1) ?? '').trim().replace(/^(Type)?Error: /, '');
  const unknownFilter = /^filter not found: (\S+)/.exec(message)?.[1];
  if (unknownFilter !== undefined) {
    if (unknownFilter in REFUSED_FILTERS) return new RunbookError('RB_TEMPLATE', `filter "${unknownFilter}" is not supported: ${REFUSED_FILTERS[unknownFilter]}`);
    const hint = didYouMeanHint(unknownFilter, Object.keys(environment.filters));
    return new RunbookError('RB_TEMPLATE', `unknown filter "${unknownFilter}"`, hint === undefined ? {} : { hint });
  }
  const unknownTest = /^test not found: (\S+)/.exec(message)?.[1];
  if (unknownTest !== undefined) return new RunbookError('RB_TEMPLATE', `unknown test "${unknownTest}"`);
  const unknownFunction = /^Unable to call `(.+?)`, which is undefined/.exec(message)?.[1];
  if (unknownFunction !== undefined) return new RunbookError('RB_TEMPLATE', `undefined function "${unknownFunction}"`);
  if (message.includes('attempted to output null or undefined value')) {
    return new RunbookError('RB_TEMPLATE', 'the template prints a value that is null', {
      hint: "give it a value, or print something else when it is empty: {{ x | default('', true) }}",
    });
  }
  return new RunbookError('RB_TEMPLATE', message, { cause: error });
}

/**
 * Deep-render every string containing `{{` or `{%`. A string that is exactly one `{{ expr }}`
 * becomes the expression's value (a list stays a list), like Ansible.
 */
export function renderValue(value: unknown, vars: Record<string, unknown>): unknown {
  return new Renderer(vars, true).deep(value);
}

/** The value of a bare Jinja expression such as `result.rc == 0` or `packages | length`. */
export function evaluate(expression: string, vars: Record<string, unknown>): unknown {
  return new Renderer(vars).render(expression, 'expression');
}

/** Python's truthiness, which Jinja conditions follow: empty lists and mappings are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * A condition (when, changed_when, failed_when, until): a bare expression, a YAML boolean, or,
 * tolerated like Ansible does, a `{{ }}` template whose text is then evaluated as an expression.
 */
export function isTrue(expression: string | boolean, vars: Record<string, unknown>): boolean {
  if (typeof expression === 'boolean') return expression;
  if (!hasTemplate(expression)) return truthy(evaluate(expression, vars));
  const rendered = renderValue(expression, vars);
  return typeof rendered === 'string' ? truthy(evaluate(rendered, vars)) : truthy(rendered);
}

/** Why a template (or, with mode 'expression', a bare expression) does not parse; undefined if it does. */
export function templateSyntaxError(text: string, mode: 'template' | 'expression' = 'template'): string | undefined {
  let ast: AstNode;
  try {
    ast = parse(text, mode).ast;
  } catch (error) {
    return (error as RunbookError).message;
  }
  return unknownFilterOrTest(ast);
}

const LOOKUP_FUNCTIONS = new Set(['lookup', 'query', 'q']);

/** A filter, test or lookup (named by a literal) runbook does not have, in words. */
function unknownFilterOrTest(node: AstNode): string | undefined {
  if (node.typename === 'Filter') {
    const name = String((node.name as AstNode).value);
    if (name in REFUSED_FILTERS) return `filter "${name}" is not supported: ${REFUSED_FILTERS[name]}`;
    if (!(name in environment.filters)) {
      const hint = didYouMeanHint(name, Object.keys(environment.filters));
      return `unknown filter "${name}"${hint === undefined ? '' : `; ${hint}`}`;
    }
  }
  if (node.typename === 'Is') {
    const right = node.right as AstNode;
    const name = String(right.typename === 'FunCall' ? (right.name as AstNode).value : right.value);
    if (!(name in environment.tests)) {
      const hint = didYouMeanHint(name, Object.keys(environment.tests));
      return `unknown test "${name}"${hint === undefined ? '' : `; ${hint}`}`;
    }
  }
  if (node.typename === 'FunCall' && LOOKUP_FUNCTIONS.has(String((node.name as AstNode).value))) {
    const [plugin] = children(node.args as AstNode);
    if (plugin?.typename === 'Literal' && typeof plugin.value === 'string') {
      const problem = lookupProblem(plugin.value);
      if (problem !== undefined) return problem;
    }
  }
  for (const field of node.fields) {
    for (const value of [node[field]].flat()) {
      const found = isNode(value) ? unknownFilterOrTest(value) : undefined;
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Root variables a template reads where an undefined value is an error: not those it binds itself,
 * nor those it only reads under `is defined` or `| default`. Empty when the text does not parse.
 */
export function rootVariables(text: string, mode: 'template' | 'expression' = 'template'): string[] {
  const usage = usageOf(text, mode);
  return usage ? [...usage.required].filter((name) => !usage.guarded.has(name)) : [];
}

/** Root variables a template reads only where undefined is handled (`is defined`, `| default`). */
export function guardedVariables(text: string, mode: 'template' | 'expression' = 'template'): string[] {
  return [...(usageOf(text, mode)?.guarded ?? [])];
}

function usageOf(text: string, mode: 'template' | 'expression'): ReturnType<typeof variableUsage> | undefined {
  try {
    return variableUsage(parse(text, mode).ast);
  } catch {
    return undefined;
  }
}
