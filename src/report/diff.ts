import { createTwoFilesPatch } from 'diff';
import type { Diff } from '../modules/types.js';
import type { Style } from './style.js';

/** A unified diff of one before/after pair, coloured line by line. */
export function formatDiff(diff: Diff, style: Style): string {
  const patch = createTwoFilesPatch(`before: ${diff.label}`, `after: ${diff.label}`, diff.before, diff.after, '', '', {
    context: 3,
  });
  return patch
    .split('\n')
    .slice(1) // the "Index:"/"====" header adds nothing for a single file
    .filter((line) => !line.startsWith('==='))
    .map((line) =>
      line.startsWith('+') && !line.startsWith('+++')
        ? style.added(line)
        : line.startsWith('-') && !line.startsWith('---')
          ? style.removed(line)
          : line,
    )
    .join('\n')
    .trimEnd();
}
