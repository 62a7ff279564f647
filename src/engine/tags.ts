import type { Play, Task } from '../load/model.js';
import type { RunOptions } from './options.js';

/**
 * Whether --tags and --skip-tags select a task; its play's tags count as its own. A task tagged
 * `always` runs whatever they say; `untagged` in --tags selects the tasks without any tag.
 */
export function selectedByTags(play: Play, task: Task, options: Pick<RunOptions, 'tags' | 'skipTags'>): boolean {
  const tags = new Set([...play.tags, ...task.tags]);
  if (options.skipTags.some((tag) => tags.has(tag)) && !tags.has('always')) return false;
  if (options.tags.length === 0 || tags.has('always')) return true;
  return options.tags.some((tag) => tags.has(tag) || (tag === 'untagged' && tags.size === 0));
}
