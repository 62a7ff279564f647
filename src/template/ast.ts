import nunjucks from 'nunjucks';

/**
 * nunjucks' parser, node classes and compiler are public (exported from its index) but untyped in
 * @types/nunjucks; this is the small typed surface runbook uses.
 */
export interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
  fields: readonly string[];
  [field: string]: unknown;
}

type NodeClass = new (lineno: number, colno: number, ...fields: unknown[]) => AstNode;

interface Token {
  type: string;
  value: string;
}

interface ParserMethods {
  parseCompare(): AstNode;
  parsePrimary(): AstNode;
  parsePostfix(node: AstNode): AstNode;
  skipSymbol(name: string): boolean;
  peekToken(): Token | null;
}

interface NunjucksInternals {
  parser: { parse(source: string, extensions?: unknown[], options?: object): AstNode; Parser: { prototype: ParserMethods & { parseIs(): AstNode } } };
  compiler: { Compiler: new (name: string, throwOnUndefined: boolean) => { compile(node: AstNode): void; getCode(): string } };
  nodes: Record<'Symbol' | 'Literal' | 'FunCall' | 'NodeList' | 'Output' | 'Array' | 'Is' | 'Not', NodeClass>;
}

const internals = nunjucks as unknown as NunjucksInternals;

/** Tokens that can start a test's one argument written without parentheses (Jinja2's parse_test). */
const ARGUMENT_STARTS = new Set(['string', 'int', 'float', 'boolean', 'none', 'symbol', 'left-bracket', 'left-curly']);
const NOT_AN_ARGUMENT = new Set(['and', 'or', 'else', 'if', 'is', 'in', 'not']);

/**
 * Jinja2 takes one argument after a test name without parentheses (`x is sameas true`,
 * `n is divisibleby 3`); nunjucks' parser stops at the test name and fails on what follows.
 */
export function acceptTestArgumentsWithoutParentheses(): void {
  const { nodes } = internals;
  internals.parser.Parser.prototype.parseIs = function parseIs(this: ParserMethods): AstNode {
    const left = this.parseCompare();
    if (!this.skipSymbol('is')) return left;
    const negated = this.skipSymbol('not');
    let test = this.parseCompare();
    const next = this.peekToken();
    if (test.typename === 'Symbol' && next && ARGUMENT_STARTS.has(next.type) && !(next.type === 'symbol' && NOT_AN_ARGUMENT.has(next.value))) {
      const argument = this.parsePostfix(this.parsePrimary());
      test = new nodes.FunCall(test.lineno, test.colno, test, new nodes.NodeList(argument.lineno, argument.colno, [argument]));
    }
    const node = new nodes.Is(left.lineno, left.colno, left, test);
    return negated ? new nodes.Not(node.lineno, node.colno, node) : node;
  };
}

export function parseTemplate(text: string): AstNode {
  return internals.parser.parse(text);
}

/** JavaScript source of a template's render functions, for `new nunjucks.Template({type: 'code', obj})`. */
export function compileAst(ast: AstNode, name: string, throwOnUndefined: boolean): string {
  const compiler = new internals.compiler.Compiler(name, throwOnUndefined);
  compiler.compile(ast);
  return compiler.getCode();
}

const symbol = (value: string, at: AstNode): AstNode => new internals.nodes.Symbol(at.lineno, at.colno, value);
export const literal = (value: unknown, at: AstNode): AstNode => new internals.nodes.Literal(at.lineno, at.colno, value);
export const output = (child: AstNode): AstNode => new internals.nodes.Output(child.lineno, child.colno, [child]);
export function call(name: string, args: AstNode[], at: AstNode): AstNode {
  return new internals.nodes.FunCall(at.lineno, at.colno, symbol(name, at), new internals.nodes.NodeList(at.lineno, at.colno, args));
}

/** A list literal holding these nodes. */
export const arrayOf = (items: AstNode[], at: AstNode): AstNode => new internals.nodes.Array(at.lineno, at.colno, items);

export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).typename === 'string';
}

export function children(node: AstNode): AstNode[] {
  return Array.isArray(node.children) ? (node.children as AstNode[]) : [];
}

/** When the whole template is one `{{ expression }}`, that expression's node. */
export function singleExpression(ast: AstNode): AstNode | undefined {
  const [only, ...rest] = children(ast);
  if (only === undefined || rest.length > 0 || only.typename !== 'Output') return undefined;
  const [expression, ...more] = children(only);
  if (expression === undefined || more.length > 0 || expression.typename === 'TemplateData') return undefined;
  return expression;
}

/** Filters whose input may be undefined: they exist to handle it. */
export const DEFAULT_FILTERS = new Set(['default', 'd']);
/** Tests whose subject may be undefined. */
export const DEFINED_TESTS = new Set(['defined', 'undefined']);

/** The name of an `is` test: `x is defined` (a symbol) or `x is divisibleby(3)` (a call). */
export function testName(node: AstNode): string {
  const right = node.right as AstNode;
  return right.typename === 'FunCall' ? String((right.name as AstNode).value) : String(right.value);
}

export function filterName(node: AstNode): string {
  return String((node.name as AstNode).value);
}

/** `result.stdout`, `groups["web"]`, for messages. */
export function describeLookup(node: AstNode): string {
  if (node.typename === 'Symbol') return String(node.value);
  if (node.typename === 'LookupVal') {
    const target = describeLookup(node.target as AstNode);
    const key = node.val as AstNode;
    if (key.typename === 'Literal' && typeof key.value === 'string' && /^[A-Za-z_]\w*$/.test(key.value)) {
      return `${target}.${key.value}`;
    }
    return `${target}[${key.typename === 'Literal' ? JSON.stringify(key.value) : describeLookup(key)}]`;
  }
  return '(expression)';
}
