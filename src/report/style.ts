import { Chalk, type ChalkInstance } from 'chalk';
import type { TaskStatus } from '../engine/events.js';

/** The only chalk import: semantic colours, off when NO_COLOR is set or output is not a terminal. */
export interface Style {
  status(status: TaskStatus, text: string): string;
  dim(text: string): string;
  bold(text: string): string;
  error(text: string): string;
  warning(text: string): string;
  added(text: string): string;
  removed(text: string): string;
  enabled: boolean;
}

export function createStyle(enabled: boolean): Style {
  const chalk: ChalkInstance = new Chalk({ level: enabled ? 1 : 0 });
  const byStatus: Record<TaskStatus, (text: string) => string> = {
    ok: chalk.green,
    changed: chalk.yellow,
    skipped: chalk.cyan,
    failed: chalk.red,
    unreachable: chalk.magenta,
  };
  return {
    status: (status, text) => byStatus[status](text),
    dim: chalk.dim,
    bold: chalk.bold,
    error: chalk.red.bold,
    warning: chalk.yellow,
    added: chalk.green,
    removed: chalk.red,
    enabled,
  };
}

/** Colour only on a terminal, never when NO_COLOR is set (https://no-color.org), forced by FORCE_COLOR. */
export function colorWanted(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}
