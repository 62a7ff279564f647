import { RunbookError } from '../errors.js';
import type { Play, Task } from '../load/model.js';
import { quoted, sh, type Command } from '../shell/command.js';
import { pythonStr, typeName } from '../template/python.js';
import { renderValue } from '../template/index.js';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The environment a task's commands run with, as Ansible computes it: the play's, then the blocks'
 * and the task's (each a mapping or a template giving one), merged in that order; values rendered
 * and written as Python's str() writes them.
 */
export function taskEnvironment(play: Play, task: Task, vars: Record<string, unknown>): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const written of [...play.environment, ...task.environment]) {
    const value = renderValue(written, vars);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new RunbookError('RB_TEMPLATE', `environment must be a mapping, received ${pythonStr(value)} (${typeName(value)})`);
    }
    for (const [name, each] of Object.entries(value)) {
      if (!NAME.test(name)) throw new RunbookError('RB_TEMPLATE', `environment: "${name}" is not a variable name`);
      merged[name] = pythonStr(each);
    }
  }
  return merged;
}

/** The command run with those variables set: `env NAME=value ... sh -c <command>`, every word quoted. */
export function withEnvironment(command: Command, environment: Record<string, string>): Command {
  const assignments = Object.entries(environment).map(([name, value]) => `${name}=${value}`);
  return assignments.length === 0 ? command : sh`env ${assignments} sh -c ${quoted(command)}`;
}
