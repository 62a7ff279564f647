import type { RunEvent } from './events.js';

const SECRET_NAME = /(^|_)(pass|passwd|password|secret|token|become_pass)$/i;
const MASK = '********';

/** Values of variables whose names mark them as secrets (ansible_password, ansible_become_pass, db_token…). */
export function secretValues(varSets: Iterable<Record<string, unknown>>): string[] {
  const found = new Set<string>();
  for (const vars of varSets) {
    for (const [name, value] of Object.entries(vars)) {
      if (SECRET_NAME.test(name) && typeof value === 'string' && value.length >= 4) found.add(value);
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/**
 * Every event passes through here before any reporter sees it, so no output (terminal, log, --json)
 * can carry a secret value, whatever a task printed.
 */
export function redactEvents(secrets: readonly string[], listener: (event: RunEvent) => void): (event: RunEvent) => void {
  if (secrets.length === 0) return listener;
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') return secrets.reduce((text, secret) => text.split(secret).join(MASK), value);
    if (Array.isArray(value)) return value.map(scrub);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrub(item)]));
    }
    return value;
  };
  return (event) => listener(scrub(event) as RunEvent);
}
