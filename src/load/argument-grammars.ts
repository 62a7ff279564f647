import { invalidKeyLine } from '../modules/authorized-key.js';
import { hasTemplate } from '../template/index.js';
import { pythonPatternProblems } from './python-patterns.js';

/**
 * Module arguments with a grammar of their own that no schema pattern can express, checked when the
 * playbook is loaded: Python regular expressions and replacement templates (python-patterns.ts), and
 * authorized_key's key, one public key per line. A templated value is checked by the module when the
 * task runs, with the same message.
 */
export interface GrammarProblem {
  argument: string;
  message: string;
  hint: string;
}

const PYTHON_REGEX_HINT = 'runbook translates a common subset of Python regular expressions: see README, Modules';

const GRAMMARS: Readonly<Record<string, (args: Record<string, unknown>) => GrammarProblem[]>> = {
  authorized_key: ({ key }) => {
    const invalid = typeof key === 'string' && !hasTemplate(key) ? invalidKeyLine(key) : undefined;
    if (invalid === undefined) return [];
    return [{ argument: 'key', message: `authorized_key: invalid key specified: ${invalid}`, hint: 'every line of key must be a public key, [OPTIONS] TYPE BASE64 [COMMENT], e.g. ssh-ed25519 AAAAC3Nz… alice@lab' }];
  },
};

export function argumentGrammarProblems(module: string, args: Record<string, unknown>): GrammarProblem[] {
  const patterns = pythonPatternProblems(module, args).map(({ argument, message, hint }) => ({ argument, message, hint: hint ?? PYTHON_REGEX_HINT }));
  return [...patterns, ...(GRAMMARS[module]?.(args) ?? [])];
}
