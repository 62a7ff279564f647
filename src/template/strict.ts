import {
  arrayOf,
  call,
  children,
  DEFAULT_FILTERS,
  DEFINED_TESTS,
  describeLookup,
  filterName,
  isNode,
  literal,
  testName,
  type AstNode,
} from './ast.js';

/** Context functions the rewritten template calls; the renderer supplies them per render. */
export const GUARD_VARIABLE = '__runbook_variable';
export const GUARD_ATTRIBUTE = '__runbook_attribute';
export const RESOLVE_LENIENT = '__runbook_lenient';
export const CAPTURE = '__runbook_capture';
export const PYTHON_ADD = '__runbook_add';
export const PYTHON_MOD = '__runbook_mod';
export const PYTHON_CONCAT = '__runbook_concat';

/** Nodes whose symbols are names being bound or referenced as code, never looked up as values. */
const UNTOUCHED = new Set(['Import', 'FromImport', 'Include', 'Extends', 'Block', 'Super', 'CallExtension', 'CallExtensionAsync']);

/**
 * Rewrite a parsed template so that every variable and attribute lookup goes through a guard:
 * Jinja's StrictUndefined, which nunjucks lacks. `foo` becomes `__runbook_variable("foo", foo)` and
 * `a.b` becomes `__runbook_attribute(a, "b", "a")`, which throw an error naming what is undefined.
 * Lookups under `default`/`d` and `is defined`/`is undefined` stay lenient: there undefined is the
 * point. Also `a + b` becomes `__runbook_add(a, b)`, so lists concatenate as in Python, `a % b`
 * becomes `__runbook_mod(a, b)`: string formatting, or Python's modulo, and `a ~ b` joins the two
 * as Python's str() writes them (`'a' ~ true` is `aTrue`).
 * Mutates and returns the tree.
 */
export function guardUndefined(node: AstNode, lenient = false): AstNode {
  switch (node.typename) {
    case 'Symbol':
      return call(lenient ? RESOLVE_LENIENT : GUARD_VARIABLE, [literal(node.value, node), node], node);
    case 'LookupVal': {
      const target = node.target as AstNode;
      const description = describeLookup(target);
      node.target = guardUndefined(target, lenient);
      node.val = guardUndefined(node.val as AstNode, lenient);
      if (lenient || (node.val as AstNode).typename === 'Slice') return node;
      return call(GUARD_ATTRIBUTE, [node.target as AstNode, node.val as AstNode, literal(description, node)], node);
    }
    case 'Filter': {
      const [input, ...rest] = (node.args as AstNode).children as AstNode[];
      const inputLenient = lenient || DEFAULT_FILTERS.has(filterName(node));
      (node.args as AstNode).children = [
        ...(input === undefined ? [] : [guardUndefined(input, inputLenient)]),
        ...rest.map((argument) => guardUndefined(argument, lenient)),
      ];
      return node;
    }
    case 'Is': {
      node.left = guardUndefined(node.left as AstNode, lenient || DEFINED_TESTS.has(testName(node)));
      const right = node.right as AstNode;
      if (right.typename === 'FunCall') right.args = guardUndefined(right.args as AstNode, lenient);
      return node;
    }
    case 'Add':
      return call(PYTHON_ADD, [guardUndefined(node.left as AstNode, lenient), guardUndefined(node.right as AstNode, lenient)], node);
    case 'Concat':
      return call(PYTHON_CONCAT, [guardUndefined(node.left as AstNode, lenient), guardUndefined(node.right as AstNode, lenient)], node);
    case 'Mod': {
      // `'%s-%s' % (a, b)`: a tuple is the list of values to format; a list is one value.
      const right = node.right as AstNode;
      const tuple = right.typename === 'Group' && children(right).length > 1;
      return call(PYTHON_MOD, [guardUndefined(node.left as AstNode, lenient), guardUndefined(right, lenient), literal(tuple, node)], node);
    }
    case 'Group':
      // Jinja's tuple `(a, b)`; nunjucks would keep only its last item.
      return children(node).length > 1 ? arrayOf(children(node).map((item) => guardUndefined(item, lenient)), node) : guardFields(node, node.fields, lenient);
    case 'FunCall': {
      const callee = node.name as AstNode;
      // A called name (range, a macro) resolves through nunjucks, whose error names it when missing.
      if (callee.typename !== 'Symbol') node.name = guardUndefined(callee, lenient);
      node.args = guardUndefined(node.args as AstNode, lenient);
      return node;
    }
    case 'For':
    case 'AsyncEach':
    case 'AsyncAll':
      return guardFields(node, ['arr', 'body', 'else_'], lenient);
    case 'Set':
      return guardFields(node, ['value', 'body'], lenient);
    case 'Macro':
    case 'Caller':
      return guardFields(node, ['body'], lenient);
    case 'Pair':
      // Dict and keyword-argument keys written as names are literal strings, not lookups.
      return guardFields(node, (node.key as AstNode).typename === 'Symbol' ? ['value'] : ['key', 'value'], lenient);
    default:
      return UNTOUCHED.has(node.typename) ? node : guardFields(node, node.fields, lenient);
  }
}

function guardFields(node: AstNode, fields: readonly string[], lenient: boolean): AstNode {
  for (const field of fields) {
    const value = node[field];
    if (isNode(value)) node[field] = guardUndefined(value, lenient);
    else if (Array.isArray(value)) node[field] = value.map((item) => (isNode(item) ? guardUndefined(item, lenient) : item));
  }
  return node;
}
