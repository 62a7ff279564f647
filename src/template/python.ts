import { RunbookError } from '../errors.js';
import { PythonRegexError, translatePythonRegex, type PythonRegex } from '../modules/lib/python-regex.js';

/**
 * Python's semantics where Jinja2 (and so Ansible) borrows them and JavaScript differs: `%` is
 * printf-style formatting on a string and a floored modulo on numbers, and slices work on strings.
 */

/** `left % right` as Python computes it; `tuple` when the right side was written as a tuple `(a, b)`. */
export function pythonModulo(left: unknown, right: unknown, tuple = false): unknown {
  if (typeof left === 'string') return formatPercent(left, tuple ? (right as unknown[]) : [right], tuple ? undefined : right);
  if (typeof left !== 'number' || typeof right !== 'number') {
    throw new RunbookError('RB_TEMPLATE', `unsupported operand types for %: ${typeName(left)} and ${typeName(right)}`);
  }
  if (right === 0) throw new RunbookError('RB_TEMPLATE', 'modulo by zero');
  // Python's result takes the sign of the divisor: -7 % 3 == 2.
  return left - right * Math.floor(left / right);
}

const CONVERSION = /%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXeEfFgGcrsa%])/g;

/**
 * printf-style formatting: `'%02d' % 5`, `'%s-%s' % (a, b)`, `'%(name)s' % mapping`. `positional`
 * are the values in order; `single` the one value given without a tuple, which `%(key)s` reads.
 */
function formatPercent(template: string, positional: readonly unknown[], single: unknown): string {
  let next = 0;
  const take = (): unknown => {
    if (next >= positional.length) throw new RunbookError('RB_TEMPLATE', `not enough arguments for format string ${JSON.stringify(template)}`);
    return positional[next++];
  };
  const text = template.replace(CONVERSION, (whole, key: string | undefined, flags: string, width: string | undefined, precision: string | undefined, kind: string) => {
    if (kind === '%') return '%';
    const value = key !== undefined ? mappingValue(single, key) : take();
    const resolvedWidth = width === '*' ? Number(take()) : width === undefined ? undefined : Number(width);
    const resolvedPrecision = precision === '*' ? Number(take()) : precision === undefined ? undefined : Number(precision);
    return pad(convert(kind, value, flags, resolvedPrecision), flags, resolvedWidth, 'diouxXeEfFgG'.includes(kind));
  });
  // A mapping on the right is read by key; Python does not count it as unconverted.
  if (typeof single === 'object' && single !== null && !Array.isArray(single)) return text;
  if (next < positional.length) throw new RunbookError('RB_TEMPLATE', `not all arguments converted during string formatting of ${JSON.stringify(template)}`);
  return text;
}

function mappingValue(values: unknown, key: string): unknown {
  if (typeof values !== 'object' || values === null || Array.isArray(values) || !(key in values)) {
    throw new RunbookError('RB_TEMPLATE', `format requires a mapping with the key ${JSON.stringify(key)}`);
  }
  return (values as Record<string, unknown>)[key];
}

function convert(kind: string, value: unknown, flags: string, precision: number | undefined): string {
  switch (kind) {
    case 's':
    case 'r':
    case 'a': {
      const text = kind === 's' ? pythonStr(value) : pythonRepr(value);
      return precision === undefined ? text : text.slice(0, precision);
    }
    case 'c':
      return typeof value === 'number' ? String.fromCodePoint(value) : String(value);
    default: {
      const number = toNumber(value, kind);
      const sign = number < 0 || Object.is(number, -0) ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
      const magnitude = Math.abs(number);
      let digits: string;
      if ('diu'.includes(kind)) digits = String(Math.trunc(magnitude));
      else if (kind === 'o') digits = (flags.includes('#') ? '0o' : '') + Math.trunc(magnitude).toString(8);
      else if (kind === 'x' || kind === 'X') {
        const hex = (flags.includes('#') ? '0x' : '') + Math.trunc(magnitude).toString(16);
        digits = kind === 'X' ? hex.toUpperCase() : hex;
      } else if (kind === 'f' || kind === 'F') digits = magnitude.toFixed(precision ?? 6);
      else if (kind === 'e' || kind === 'E') {
        const exponential = magnitude.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
        digits = kind === 'E' ? exponential.toUpperCase() : exponential;
      } else {
        const general = String(Number(magnitude.toPrecision(precision === 0 ? 1 : (precision ?? 6))));
        digits = kind === 'G' ? general.toUpperCase() : general;
      }
      return `${sign}\u0000${digits}`;
    }
  }
}

/** Width and flags: numbers padded with zeros after their sign (`-` left-aligns instead). */
function pad(converted: string, flags: string, width: number | undefined, numeric: boolean): string {
  const [sign, digits] = numeric ? (converted.split('\u0000') as [string, string]) : ['', converted];
  const text = sign + digits;
  if (width === undefined || text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width);
  if (numeric && flags.includes('0')) return sign + digits.padStart(width - sign.length, '0');
  return text.padStart(width);
}

function toNumber(value: unknown, kind: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  throw new RunbookError('RB_TEMPLATE', `%${kind} format: a number is required, not ${typeName(value)}`);
}

/** str() of a value as Python prints it (True, None, lists with quoted strings). */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([key, item]) => `${pythonRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  return String(value);
}

export function typeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'dict';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'number' ? (Number.isInteger(value) ? 'int' : 'float') : typeof value === 'string' ? 'str' : typeof value;
}

/** `sequence[start:stop:step]` as Python slices it; a string slices to a string. */
export function pythonSlice(sequence: unknown, start: number | null, stop: number | null, step: number | null): unknown {
  const items: readonly unknown[] = typeof sequence === 'string' ? [...sequence] : Array.isArray(sequence) ? sequence : [];
  const by = step ?? 1;
  if (by === 0) throw new RunbookError('RB_TEMPLATE', 'slice step cannot be zero');
  const length = items.length;
  const clamp = (index: number, low: number, high: number) => Math.min(Math.max(index < 0 ? index + length : index, low), high);
  const from = start === null ? (by > 0 ? 0 : length - 1) : clamp(start, by > 0 ? 0 : -1, by > 0 ? length : length - 1);
  const to = stop === null ? (by > 0 ? length : -1) : clamp(stop, by > 0 ? 0 : -1, by > 0 ? length : length - 1);
  const picked: unknown[] = [];
  for (let index = from; by > 0 ? index < to : index > to; index += by) picked.push(items[index]);
  return typeof sequence === 'string' ? picked.join('') : picked;
}

/** Python's ==: deep, and 1 == 1.0 == True. */
export function pythonEquals(left: unknown, right: unknown): boolean {
  // A bool is a number in Python (True == 1), and equal to nothing else: None, lists and strings differ.
  const numeric = (value: unknown) => typeof value === 'boolean' || typeof value === 'number';
  if (typeof left === 'boolean' || typeof right === 'boolean') return numeric(left) && numeric(right) && Number(left) === Number(right);
  if (Array.isArray(left) && Array.isArray(right)) return left.length === right.length && left.every((item, index) => pythonEquals(item, right[index]));
  if (isMapping(left) && isMapping(right)) {
    const keys = Object.keys(left);
    return keys.length === Object.keys(right).length && keys.every((key) => key in right && pythonEquals(left[key], right[key]));
  }
  return left === right;
}

/** A dict: a plain object (not a list, nor an object of a class such as nunjucks' SafeString). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Python's truthiness: empty strings, lists and mappings, 0 and None are false. */
export function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Python's ordering of two values of one kind (numbers, strings, lists); mixing kinds is an error as in Python 3. */
export function pythonCompare(left: unknown, right: unknown, caseSensitive = true): number {
  const fold = (value: unknown) => (!caseSensitive && typeof value === 'string' ? value.toLowerCase() : value);
  const [a, b] = [fold(left), fold(right)];
  const numeric = (value: unknown) => typeof value === 'number' || typeof value === 'boolean';
  if (numeric(a) && numeric(b)) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let index = 0; index < Math.min(a.length, b.length); index++) {
      const order = pythonCompare(a[index], b[index], caseSensitive);
      if (order !== 0) return order;
    }
    return a.length - b.length;
  }
  throw new RunbookError('RB_TEMPLATE', `'<' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

const COMPARISONS: Readonly<Record<string, (left: unknown, right: unknown) => boolean>> = {
  '==': (left, right) => pythonEquals(left, right),
  '!=': (left, right) => !pythonEquals(left, right),
  '<': (left, right) => pythonCompare(left, right) < 0,
  '<=': (left, right) => pythonCompare(left, right) <= 0,
  '>': (left, right) => pythonCompare(left, right) > 0,
  '>=': (left, right) => pythonCompare(left, right) >= 0,
  '===': (left, right) => left === right,
  '!==': (left, right) => left !== right,
};

/** A comparison chain `a < b <= c` as Python reads it: each pair compared, all must hold. */
export function pythonCompareChain(first: unknown, ...rest: unknown[]): boolean {
  let left = first;
  for (let index = 0; index < rest.length; index += 2) {
    const [operator, right] = [rest[index] as string, rest[index + 1]];
    if (!COMPARISONS[operator]!(left, right)) return false;
    left = right;
  }
  return true;
}

/** A Python `re` pattern as Ansible's filters and tests compile it (a str pattern), with re.I and re.M. */
export function pythonRegex(pattern: unknown, flags: { ignorecase?: unknown; multiline?: unknown }): PythonRegex {
  try {
    const regex = translatePythonRegex(String(pattern), { flavor: 'str', multiline: pythonTruthy(flags.multiline) });
    if (!pythonTruthy(flags.ignorecase) || regex.regexp.flags.includes('i')) return regex;
    return { ...regex, regexp: new RegExp(regex.regexp.source, `${regex.regexp.flags}i`) };
  } catch (error) {
    if (error instanceof PythonRegexError) throw new RunbookError('RB_TEMPLATE', `regular expression ${JSON.stringify(pattern)}: ${error.message}`);
    throw error;
  }
}
