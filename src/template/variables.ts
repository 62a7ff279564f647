import { children, DEFAULT_FILTERS, DEFINED_TESTS, filterName, isNode, testName, type AstNode } from './ast.js';

/** Names that resolve without being variables: nunjucks globals, the Jinja-compat constants, Ansible's lookup functions. */
const BUILTIN_NAMES = new Set(['range', 'cycler', 'joiner', 'True', 'False', 'None', 'lookup', 'query', 'q']);

export interface VariableUsage {
  /** Root variables the template reads where undefined is an error. */
  required: Set<string>;
  /** Root variables read only where undefined is handled (`is defined`, `| default`). */
  guarded: Set<string>;
}

/** The root variables a parsed template reads, minus names it binds itself (for, set, macro). */
export function variableUsage(ast: AstNode): VariableUsage {
  const usage: VariableUsage = { required: new Set(), guarded: new Set() };
  collect(ast, new Set(), false, usage);
  return usage;
}

function use(name: string, bound: ReadonlySet<string>, lenient: boolean, usage: VariableUsage): void {
  if (bound.has(name) || BUILTIN_NAMES.has(name)) return;
  (lenient ? usage.guarded : usage.required).add(name);
}

function names(node: unknown): string[] {
  if (!isNode(node)) return Array.isArray(node) ? node.flatMap(names) : [];
  if (node.typename === 'Symbol') return [String(node.value)];
  if (node.typename === 'Pair') return names(node.key);
  return children(node).flatMap(names);
}

function collect(node: AstNode, bound: Set<string>, lenient: boolean, usage: VariableUsage): void {
  const visit = (child: unknown, scope = bound, childLenient = lenient): void => {
    if (isNode(child)) collect(child, scope, childLenient, usage);
    else if (Array.isArray(child)) child.forEach((item) => visit(item, scope, childLenient));
  };
  switch (node.typename) {
    case 'Symbol':
      use(String(node.value), bound, lenient, usage);
      return;
    case 'Filter': {
      const [input, ...rest] = children(node.args as AstNode);
      visit(input, bound, lenient || DEFAULT_FILTERS.has(filterName(node)));
      visit(rest);
      return;
    }
    case 'Is': {
      visit(node.left, bound, lenient || DEFINED_TESTS.has(testName(node)));
      const right = node.right as AstNode;
      if (right.typename === 'FunCall') visit(right.args);
      return;
    }
    case 'FunCall':
      visit(node.name);
      visit(node.args);
      return;
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll': {
      visit(node.arr);
      visit(node.body, new Set([...bound, ...names(node.name), 'loop']));
      visit(node.else_);
      return;
    }
    case 'Set':
      visit(node.value);
      visit(node.body);
      for (const name of names(node.targets)) bound.add(name);
      return;
    case 'Macro':
    case 'Caller': {
      if (node.typename === 'Macro') names(node.name).forEach((name) => bound.add(name));
      const parameters = children(node.args as AstNode);
      // Default values of keyword parameters are read in the enclosing scope.
      for (const parameter of parameters) if (parameter.typename === 'KeywordArgs') visit(children(parameter).map((pair) => pair.value));
      visit(node.body, new Set([...bound, ...names(parameters), 'caller']));
      return;
    }
    case 'Pair':
      if ((node.key as AstNode).typename !== 'Symbol') visit(node.key);
      visit(node.value);
      return;
    case 'Import':
      visit(node.template);
      names(node.target).forEach((name) => bound.add(name));
      return;
    case 'FromImport':
      visit(node.template);
      names(node.names).forEach((name) => bound.add(name));
      return;
    default:
      for (const field of node.fields) visit(node[field]);
  }
}
