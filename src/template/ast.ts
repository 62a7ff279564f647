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
  nextToken(): Token & { lineno: number; colno: number };
  parseSignature(): AstNode;
  parseAggregate(): AstNode;
  pushToken(token: Token & { lineno: number; colno: number }): void;
  fail(message: string, lineno?: number, colno?: number): never;
  parseCompare(): AstNode;
  parsePrimary(): AstNode;
  parsePostfix(node: AstNode): AstNode;
  skipSymbol(name: string): boolean;
  peekToken(): (Token & { lineno: number; colno: number }) | null;
}

interface NunjucksInternals {
  parser: { parse(source: string, extensions?: unknown[], options?: object): AstNode; Parser: { prototype: ParserMethods & { parseIs(): AstNode } } };
  compiler: {
    Compiler: (new (name: string, throwOnUndefined: boolean) => { compile(node: AstNode): void; getCode(): string }) & { prototype: CompilerMethods };
  };
  lexer: { lex(source: string): TokenizerMethods };
  nodes: Record<'Symbol' | 'Literal' | 'FunCall' | 'NodeList' | 'Output' | 'Array' | 'Is' | 'Not' | 'LookupVal', NodeClass>;
}

interface TokenizerMethods {
  in_code: boolean;
  str: string;
  index: number;
  lineno: number;
  colno: number;
  forward(): void;
  nextToken(): Token | null;
}

interface CompilerMethods {
  compileIs(node: AstNode, frame: unknown): void;
  compileCompare(node: AstNode, frame: unknown): void;
  compile(node: AstNode, frame: unknown): void;
  _emit(code: string): void;
  _compileAggregate(node: AstNode, frame: unknown, start?: string, end?: string): void;
}

const internals = nunjucks as unknown as NunjucksInternals;

/** The nunjucks runtime's name for pythonCompareChain (see environment.ts). */
export const PYTHON_COMPARE = 'runbookPythonCompare';

/**
 * Comparisons compile to Python's (`[1] == [1]`, `1 < 2 < 3` as a chain, `None < 1` an error), and a
 * test's arguments compiled as a call's (`x is version('1.2', '>=')`, keywords too): nunjucks
 * writes them without the commas between, which breaks any test given two or more. The result is the
 * test's own value, as in Jinja2, not nunjucks' `=== true`, which reads a truthy non-boolean as false.
 */
export function compileTestArgumentsLikeCalls(): void {
  internals.compiler.Compiler.prototype.compileCompare = function compileCompare(this: CompilerMethods, node: AstNode, frame: unknown): void {
    this._emit(`runtime.${PYTHON_COMPARE}(`);
    this.compile(node.expr as AstNode, frame);
    for (const operand of node.ops as AstNode[]) {
      this._emit(`, ${JSON.stringify(operand.type)}, `);
      this.compile(operand.expr as AstNode, frame);
    }
    this._emit(')');
  };
  internals.compiler.Compiler.prototype.compileIs = function compileIs(this: CompilerMethods, node: AstNode, frame: unknown): void {
    const right = node.right as AstNode;
    const name = right.typename === 'FunCall' ? String((right.name as AstNode).value) : String(right.value);
    this._emit(`env.getTest(${JSON.stringify(name)}).call(context, `);
    this.compile(node.left as AstNode, frame);
    if (right.typename === 'FunCall') this._compileAggregate(right.args as AstNode, frame, ',', '');
    this._emit(')');
  };
}

/** Tokens that can start a test's one argument written without parentheses (Jinja2's parse_test). */
const ARGUMENT_STARTS = new Set(['string', 'int', 'float', 'boolean', 'none', 'symbol', 'left-bracket', 'left-curly']);
const NOT_AN_ARGUMENT = new Set(['and', 'or', 'else', 'if', 'is', 'in', 'not']);
const TEST_NAME_TOKENS = new Set(['symbol', 'none', 'boolean']);
/** ansible.builtin.match is the test match. */
const BUILTIN_PREFIX = /^ansible\.(?:builtin|legacy)\./;

/**
 * A test as Jinja2's parse_test reads it: a (dotted) name, then arguments in parentheses or one
 * argument without them (`x is sameas true`, `n is divisibleby 3`, `x is in [1, 2]`). nunjucks parses
 * the test as an expression, so `is in [5]` became a subscript of a variable `in`.
 */
export function acceptTestArgumentsWithoutParentheses(): void {
  const { nodes } = internals;
  internals.parser.Parser.prototype.parseIs = function parseIs(this: ParserMethods): AstNode {
    const left = this.parseCompare();
    if (!this.skipSymbol('is')) return left;
    const negated = this.skipSymbol('not');
    const nameToken = this.nextToken();
    // `none`, `true` and `false` are tests too, though the lexer reads them as literals.
    if (!TEST_NAME_TOKENS.has(nameToken.type)) return this.fail(`expected a test name after "is", got ${nameToken.value}`, nameToken.lineno, nameToken.colno);
    let name = nameToken.value;
    for (let dot = this.peekToken(); dot?.type === 'operator' && dot.value === '.'; dot = this.peekToken()) {
      this.nextToken();
      const part = this.nextToken();
      if (part.type !== 'symbol') return this.fail(`expected a test name after "is", got ${name}.${part.value}`, part.lineno, part.colno);
      name += `.${part.value}`;
    }
    let test = new nodes.Symbol(nameToken.lineno, nameToken.colno, name.replace(BUILTIN_PREFIX, ''));
    const next = this.peekToken();
    if (next?.type === 'left-paren') test = new nodes.FunCall(test.lineno, test.colno, test, this.parseSignature());
    else if (next && ARGUMENT_STARTS.has(next.type) && !(next.type === 'symbol' && NOT_AN_ARGUMENT.has(next.value))) {
      const argument = this.parsePostfix(this.parsePrimary());
      test = new nodes.FunCall(test.lineno, test.colno, test, new nodes.NodeList(argument.lineno, argument.colno, [argument]));
    }
    const node = new nodes.Is(left.lineno, left.colno, left, test);
    return negated ? new nodes.Not(node.lineno, node.colno, node) : node;
  };
}

const openBraces = new WeakMap<TokenizerMethods, number>();

/**
 * Jinja2's lexer balances braces: in `{{ {'a': {'b': 1}} }}` the `}}` closes two mappings, not the
 * expression. nunjucks ends the expression at the first `}}`; inside an open `{`, a `}` is read as
 * that brace's end instead.
 */
export function balanceBracesInCode(): void {
  const prototype = Object.getPrototypeOf(internals.lexer.lex('')) as TokenizerMethods;
  const nextToken = prototype.nextToken;
  prototype.nextToken = function balancedNextToken(this: TokenizerMethods): Token | null {
    const open = openBraces.get(this) ?? 0;
    if (this.in_code && open > 0 && this.str.charAt(this.index) === '}') {
      const closing = { type: 'right-curly', value: '}', lineno: this.lineno, colno: this.colno };
      this.forward();
      openBraces.set(this, open - 1);
      return closing;
    }
    const token = nextToken.call(this);
    if (token?.type === 'left-curly') openBraces.set(this, open + 1);
    else if (token?.type === 'right-curly') openBraces.set(this, Math.max(0, open - 1));
    else if (token?.type === 'variable-end' || token?.type === 'block-end') openBraces.set(this, 0);
    return token;
  };
}

/**
 * Jinja2 reads `item.0` as `item[0]` (subelements' `item.0.name`, `item.1`). nunjucks' lexer reads
 * `0.name` as the number `0.` and its parser wants a name after a dot: this postfix parser (calls,
 * subscripts and dots, as nunjucks') also takes digits after a dot as an index.
 */
export function acceptIndexesAfterDots(): void {
  const { nodes } = internals;
  internals.parser.Parser.prototype.parsePostfix = function parsePostfix(this: ParserMethods, start: AstNode): AstNode {
    let node = start;
    for (let token = this.peekToken(); token; token = this.peekToken()) {
      if (token.type === 'left-paren') node = new nodes.FunCall(token.lineno, token.colno, node, this.parseSignature());
      else if (token.type === 'left-bracket') {
        const lookup = this.parseAggregate();
        if (children(lookup).length > 1) this.fail('invalid index');
        node = new nodes.LookupVal(token.lineno, token.colno, node, children(lookup)[0]);
      } else if (token.type === 'operator' && token.value === '.') {
        this.nextToken();
        const key = this.nextToken();
        if (key.type === 'symbol') node = new nodes.LookupVal(token.lineno, token.colno, node, new nodes.Literal(key.lineno, key.colno, key.value));
        else if (key.type === 'int' || key.type === 'float') {
          // `0.1` is two indexes; a trailing dot (the `0.` of `0.name`) starts the next lookup.
          for (const digits of key.value.split('.').filter((part) => part !== '')) {
            node = new nodes.LookupVal(key.lineno, key.colno, node, new nodes.Literal(key.lineno, key.colno, Number(digits)));
          }
          if (key.value.endsWith('.')) this.pushToken({ type: 'operator', value: '.', lineno: key.lineno, colno: key.colno });
        } else this.fail(`expected name as lookup value, got ${key.value}`, key.lineno, key.colno);
      } else break;
    }
    return node;
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
