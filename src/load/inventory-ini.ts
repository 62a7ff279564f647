import type { Issue, SourcePosition } from '../errors.js';
import { validate } from '../schema/validate.js';
import { expandHostRange } from './host-range.js';
import { addGroupChild, addHost, ensureGroup, type InventoryDraft } from './inventory-draft.js';
import { pointerToPath } from './source.js';

/**
 * Ansible's INI inventory: `host key=value ...` lines, `[group]`, `[group:vars]` (`key=value`),
 * `[group:children]`; hosts before the first section are ungrouped. `#` and `;` start comments.
 * `host:2222` sets ansible_port; `web[01:03]` ranges expand. Values are numbers, true/false or
 * strings (quote a value to keep it a string).
 */
export function parseIniInventory(file: string, text: string): { draft: InventoryDraft; issues: Issue[] } {
  const draft: InventoryDraft = { groups: new Map(), hosts: new Map(), places: new Map() };
  const issues: Issue[] = [];
  const problem = (at: SourcePosition, message: string, hint?: string): void => {
    issues.push({ ...at, code: 'RB_INVENTORY_SYNTAX', message, ...(hint === undefined ? {} : { hint }), severity: 'error' });
  };
  let section: { group: string; kind: 'hosts' | 'vars' | 'children' } = { group: 'ungrouped', kind: 'hosts' };
  text.split(/\r?\n/).forEach((line, index) => {
    const lineNumber = index + 1;
    const at = (col: number, length = 0): SourcePosition => ({
      file,
      line: lineNumber,
      col,
      ...(length > 0 ? { endLine: lineNumber, endCol: col + length } : {}),
    });
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) return;
    const indent = line.length - line.trimStart().length + 1;
    const header = /^\[([^\]:\s]+)(?::([^\]\s]*))?\]\s*(?:[#;].*)?$/.exec(trimmed);
    if (header) {
      const [, group = '', kind = 'hosts'] = header;
      if (kind !== 'hosts' && kind !== 'vars' && kind !== 'children') {
        problem(at(indent, trimmed.length), `unknown section kind "${kind}"`, 'sections are [group], [group:vars] or [group:children]');
        return;
      }
      section = { group, kind };
      ensureGroup(draft, group);
      return;
    }
    if (trimmed.startsWith('[')) {
      problem(at(indent, trimmed.length), `malformed section header ${JSON.stringify(trimmed)}`);
      return;
    }
    const group = ensureGroup(draft, section.group);
    if (section.kind === 'children') {
      const child = trimmed.split(/\s+/)[0] ?? '';
      addGroupChild(draft, section.group, child, at(indent, child.length));
      return;
    }
    if (section.kind === 'vars') {
      const equals = line.indexOf('=');
      if (equals < 0) {
        problem(at(indent, trimmed.length), `expected key=value in [${section.group}:vars]`);
        return;
      }
      const key = line.slice(0, equals).trim();
      const rawValue = line.slice(equals + 1).trim();
      const vars = { [key]: parseValue(unquote(rawValue), rawValue) };
      issues.push(...varIssues(vars, new Map([[key, at(indent, key.length)]]), at(indent)));
      Object.assign(group.vars, vars);
      return;
    }
    const [hostToken, ...assignments] = tokens(line);
    if (hostToken === undefined) return;
    const vars: Record<string, unknown> = {};
    const positions = new Map<string, SourcePosition>();
    const withPort = /^((?:[^:[]|\[[^\]]*\])+):(\d+)$/.exec(hostToken.text);
    const pattern = withPort?.[1] ?? hostToken.text;
    if (withPort) {
      vars.ansible_port = Number(withPort[2]);
      positions.set('ansible_port', at(hostToken.col, hostToken.raw.length));
    }
    for (const token of assignments) {
      const equals = token.text.indexOf('=');
      if (equals <= 0) {
        problem(at(token.col, token.raw.length), `expected key=value after the host name, got ${JSON.stringify(token.text)}`);
        continue;
      }
      const key = token.text.slice(0, equals);
      const rawValue = token.raw.slice(token.raw.indexOf('=') + 1);
      vars[key] = parseValue(token.text.slice(equals + 1), rawValue);
      positions.set(key, at(token.col, token.raw.length));
    }
    issues.push(...varIssues(vars, positions, at(hostToken.col)));
    const names = expandHostRange(pattern);
    if (typeof names === 'string') {
      problem(at(hostToken.col, hostToken.raw.length), names);
      return;
    }
    for (const name of names) addHost(draft, section.group, name, vars, at(hostToken.col, hostToken.raw.length));
  });
  return { draft, issues };
}

/** Schema problems of one line's variables, positioned at the offending key=value. */
function varIssues(vars: Record<string, unknown>, positions: Map<string, SourcePosition>, fallback: SourcePosition): Issue[] {
  return validate('runbook:inventory#/definitions/vars', vars).map((issue) => {
    const key = pointerToPath(issue.instancePath)[0];
    return {
      ...((key === undefined ? undefined : positions.get(key)) ?? fallback),
      code: 'RB_SCHEMA',
      message: key === undefined ? issue.message : `${key}: ${issue.message}`,
      ...(issue.hint === undefined ? {} : { hint: issue.hint }),
      severity: 'error',
    };
  });
}

interface Token {
  /** Without quotes. */
  text: string;
  /** As written. */
  raw: string;
  /** 1-based column. */
  col: number;
}

/** Split a host line into shell-like words; quotes group, `#` at the start of a word begins a comment. */
function tokens(line: string): Token[] {
  const result: Token[] = [];
  let index = 0;
  while (index < line.length) {
    while (index < line.length && /\s/.test(line[index] as string)) index++;
    if (index >= line.length || line[index] === '#' || line[index] === ';') break;
    const start = index;
    let text = '';
    while (index < line.length && !/\s/.test(line[index] as string)) {
      const char = line[index] as string;
      if (char === '"' || char === "'") {
        const close = line.indexOf(char, index + 1);
        const end = close < 0 ? line.length : close;
        text += line.slice(index + 1, end);
        index = end + 1;
      } else {
        text += char;
        index++;
      }
    }
    result.push({ text, raw: line.slice(start, Math.min(index, line.length)), col: start + 1 });
  }
  return result;
}

function unquote(raw: string): string {
  const quote = raw[0];
  return (quote === '"' || quote === "'") && raw.endsWith(quote) && raw.length >= 2 ? raw.slice(1, -1) : raw;
}

function parseValue(text: string, raw: string): unknown {
  if (raw.startsWith('"') || raw.startsWith("'")) return text;
  if (/^[-+]?\d+$/.test(text)) return Number(text);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return Number(text);
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  return text;
}
