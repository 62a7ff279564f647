import type { FailArgs } from '../schema/generated/fail.js';
import type { ModuleDefinition } from './types.js';

export const failModule: ModuleDefinition<FailArgs> = {
  name: 'fail',
  summary: 'Fail the task with a message (usually under when)',
  // Ansible's default message.
  plan: (args) => ({ kind: 'fail', message: args.msg ?? 'Failed as requested from task' }),
};
