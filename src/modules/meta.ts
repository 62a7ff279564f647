import type { MetaArgs } from '../schema/generated/meta.js';
import type { ModuleDefinition } from './types.js';

/**
 * `meta: flush_handlers` and `meta: noop`. The engine carries out flush_handlers itself (it runs the
 * play's notified handlers in place of the task); what reaches a host is a no-op either way.
 */
export const metaModule: ModuleDefinition<MetaArgs> = {
  name: 'meta',
  summary: "Ansible's meta actions: flush_handlers, noop",
  plan(args) {
    return { kind: 'noop', reason: `meta: ${args.free_form}` };
  },
};

/** The meta action of a task, if it is one. */
export function metaAction(task: { module: string; args: unknown }): MetaArgs['free_form'] | undefined {
  return task.module === 'meta' ? (task.args as MetaArgs).free_form : undefined;
}
