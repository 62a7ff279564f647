import { RunbookError } from '../errors.js';
import type { Task } from '../load/model.js';
import { renderValue } from '../template/index.js';

/** The items of a task's loop, rendered with the task's variables; with_items flattens one level. */
export function loopItems(task: Task, vars: Record<string, unknown>): unknown[] {
  const items = renderValue(task.loop, vars);
  if (Array.isArray(items)) return task.flattenLoop ? items.flat(1) : items;
  throw new RunbookError('RB_TEMPLATE', `loop of task "${task.name}" is not a list (got ${typeof items})`);
}
