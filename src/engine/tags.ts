import type { Play, Task } from '../load/model.js';
import type { RunOptions } from './options.js';

/**
 * Whether --tags and --skip-tags select a task, as Ansible decides (Taggable.evaluate_tags): its
 * play's tags count as its own, a task without tags is `untagged`; `always` runs unless skipped by
 * name, `never` only when asked for by one of its tags; `all` and `tagged` are special words.
 */
export function selectedByTags(play: Play, task: Task, options: Pick<RunOptions, 'tags' | 'skipTags'>): boolean {
  const written = new Set([...play.tags, ...task.tags]);
  const tags = written.size === 0 ? new Set(['untagged']) : written;
  const untagged = written.size === 0;
  const only = options.tags.length === 0 ? ['all'] : options.tags;
  const skip = options.skipTags;
  const run =
    tags.has('always') ||
    (only.includes('all') && !tags.has('never')) ||
    only.some((tag) => tags.has(tag)) ||
    (only.includes('tagged') && !untagged && !tags.has('never'));
  if (!run) return false;
  if (skip.includes('all')) return tags.has('always') && !skip.includes('always');
  if (skip.some((tag) => tags.has(tag))) return false;
  return !(skip.includes('tagged') && !untagged);
}
