import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RunbookError } from '../errors.js';

/**
 * `-e` values as Ansible takes them: `key=value` words (values stay strings), a JSON/YAML mapping,
 * or `@file.yml`. Later values win.
 */
export function parseExtraVars(values: readonly string[]): Record<string, unknown> {
  const vars: Record<string, unknown> = {};
  for (const value of values) {
    const trimmed = value.trim();
    if (trimmed.startsWith('@')) {
      Object.assign(vars, mapping(readFileSync(trimmed.slice(1), 'utf8'), trimmed));
    } else if (trimmed.startsWith('{')) {
      Object.assign(vars, mapping(trimmed, trimmed));
    } else {
      for (const word of trimmed.split(/\s+/).filter(Boolean)) {
        const at = word.indexOf('=');
        if (at <= 0) {
          throw new RunbookError('RB_USAGE', `-e ${JSON.stringify(word)} is not key=value`, {
            hint: 'write -e name=value, -e \'{"name": "value"}\' or -e @vars.yml',
          });
        }
        vars[word.slice(0, at)] = word.slice(at + 1);
      }
    }
  }
  return vars;
}

function mapping(text: string, source: string): Record<string, unknown> {
  const parsed: unknown = parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RunbookError('RB_USAGE', `-e ${source} must be a mapping of variable names to values`);
  }
  return parsed as Record<string, unknown>;
}
