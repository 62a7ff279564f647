import type { Step, Task } from '../load/model.js';

/**
 * The steps of one included instance: each task gets the loop's variable as an include param
 * (Ansible gives it to the include, whose vars its tasks see above set_fact) and an id of its own,
 * since one include may run its file once per loop item.
 */
export function includedInstance(steps: readonly Step[], params: Record<string, unknown>, suffix: string): Step[] {
  const task = (original: Task): Task => ({ ...original, id: `${original.id}${suffix}`, includeParams: { ...original.includeParams, ...params } });
  return steps.map((step): Step => {
    switch (step.kind) {
      case 'task':
        return { kind: 'task', task: task(step.task) };
      case 'block':
        return {
          ...step,
          id: `${step.id}${suffix}`,
          block: includedInstance(step.block, params, suffix),
          rescue: includedInstance(step.rescue, params, suffix),
          always: includedInstance(step.always, params, suffix),
        };
      case 'include':
        return {
          ...step,
          task: task(step.task),
          steps: step.steps === undefined ? undefined : includedInstance(step.steps, params, suffix),
          load: (target) => includedInstance(step.load(target), params, suffix),
        };
    }
  });
}
