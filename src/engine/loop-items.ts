import { RunbookError } from '../errors.js';
import type { Task } from '../load/model.js';
import { renderValue } from '../template/index.js';
import { runLookup } from '../template/lookups.js';
import { pythonStr } from '../template/python.js';

/**
 * A task's loop items, as Ansible's TaskExecutor computes them: `loop` must render to a list;
 * `with_<lookup>` renders its terms (a string or a non-list is one term, a mapping's terms are its
 * keys, except with_dict's) and takes the lookup's result, so with_items flattens one level and
 * with_dict gives {key, value} items.
 */
export function loopItems(task: Task, vars: Record<string, unknown>): unknown[] {
  const rendered = task.loopWith === 'first_found' ? renderedCandidates(task.loop, vars) : renderValue(task.loop, vars);
  if (task.loopWith === undefined) {
    if (Array.isArray(rendered)) return rendered;
    throw new RunbookError('RB_TEMPLATE', `invalid data passed to 'loop' of task "${task.name}": it requires a list, got ${pythonStr(rendered)}`, {
      hint: 'a lookup of one item is not a list: use query()/q() or wantlist=True, or loop over dict2items for a mapping',
    });
  }
  const terms =
    Array.isArray(rendered) ? rendered
    : typeof rendered === 'object' && rendered !== null && task.loopWith !== 'dict' ? Object.keys(rendered)
    : [rendered];
  return runLookup(task.loopWith, terms, {}, { vars, render: (value, scope) => renderValue(value, scope), subdir: lookupSubdir(task.module) });
}

/** with_first_found's terms: one whose template cannot render (an undefined variable) is dropped, as in Ansible. */
function renderedCandidates(terms: unknown, vars: Record<string, unknown>): unknown {
  if (!Array.isArray(terms)) return renderValue(terms, vars);
  return terms.flatMap((term) => {
    try {
      return [renderValue(term, vars)];
    } catch {
      return [];
    }
  });
}

/** One item of a loop, with what Ansible defines for it. */
export interface LoopPass {
  item: unknown;
  /** The task's variables for this item: loop_var, ansible_loop_var, and index_var, ansible_loop when asked. */
  vars: Record<string, unknown>;
  /** What Ansible adds to the item's registered result: the item under loop_var's name, ansible_loop_var, ... */
  registered: Record<string, unknown>;
  /** What is shown for the item: loop_control.label rendered, else the item. */
  label: unknown;
}

/** The loop's items with their variables (Ansible's TaskExecutor._run_loop). */
export function loopPasses(task: Task, vars: Record<string, unknown>): LoopPass[] {
  const items = loopItems(task, vars);
  const { indexVar, extended, extendedAllitems, label } = task.loopControl;
  return items.map((item, index) => {
    const loop = extended
      ? {
          index: index + 1,
          index0: index,
          first: index === 0,
          last: index + 1 === items.length,
          length: items.length,
          revindex: items.length - index,
          revindex0: items.length - index - 1,
          ...(extendedAllitems ? { allitems: items } : {}),
          ...(index + 1 < items.length ? { nextitem: items[index + 1] } : {}),
          ...(index > 0 ? { previtem: items[index - 1] } : {}),
        }
      : undefined;
    const registered = {
      [task.loopVar]: item,
      ansible_loop_var: task.loopVar,
      ...(indexVar === undefined ? {} : { [indexVar]: index, ansible_index_var: indexVar }),
      ...(loop === undefined ? {} : { ansible_loop: loop }),
    };
    const itemVars = { ...vars, ...registered };
    return { item, vars: itemVars, registered, label: label === undefined ? item : renderValue(label, itemVars) };
  });
}

/** Where Ansible's executor tells a with_<lookup> loop to search first (task_executor.py): by the module's name. */
function lookupSubdir(module: string): string {
  if (module.includes('template')) return 'templates';
  if (module.includes('var')) return 'vars';
  return 'files';
}
