import { RunbookError } from '../errors.js';
import type { Flag } from '../load/model.js';
import { renderValue } from '../template/index.js';

// Ansible's boolean(): these words (any case, surrounding spaces ignored), 1 and 0; nothing else.
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

/**
 * A boolean keyword on a host: a template is rendered with the host's variables, then read by
 * Ansible's boolean rules. Anything else fails the task, naming the keyword and the value.
 */
export function flagValue(flag: Flag, vars: Record<string, unknown>, keyword: string): boolean {
  if (typeof flag === 'boolean') return flag;
  const value = renderValue(flag, vars);
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (word !== undefined && TRUE_WORDS.has(word)) return true;
  if (word !== undefined && FALSE_WORDS.has(word)) return false;
  throw new RunbookError('RB_TEMPLATE', `${keyword}: ${JSON.stringify(value) ?? String(value)} (from "${flag}") is not a boolean`, {
    hint: "give true or false, or one of Ansible's boolean words: yes, no, on, off, y, n, t, f, 1, 0",
  });
}
