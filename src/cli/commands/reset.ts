import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RunbookError } from '../../errors.js';
import { applyCommand, type ApplyOptions } from './apply.js';

export interface ResetOptions extends Omit<ApplyOptions, 'check' | 'pending' | 'upTo'> {
  teardown?: string;
}

/**
 * `runbook reset PLAYBOOK --pod POD`: the playbook's teardown applied to one pod (or every pod), so
 * a student starts the lab again; hosts of other pods are not contacted.
 */
export async function resetCommand(playbookPath: string, options: ResetOptions): Promise<number> {
  const teardown = options.teardown ?? join(dirname(playbookPath), 'teardown.yml');
  if (!existsSync(teardown)) {
    throw new RunbookError('RB_USAGE', `no teardown for ${playbookPath}: ${teardown} does not exist`, {
      hint: 'put the playbook that undoes the lab in teardown.yml beside it, or name it with --teardown FILE',
    });
  }
  return applyCommand(teardown, { ...options, check: false });
}
