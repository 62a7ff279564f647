import { readFileSync } from 'node:fs';
import { RunbookError } from '../errors.js';
import { runLocal } from './exec.js';

/** Mount points in this mount namespace at or below `dir`, deepest first (the order to unmount them). */
export function mountsBelow(dir: string, mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  const prefix = dir.replace(/\/+$/, '');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((field): field is string => field !== undefined)
    // mountinfo escapes space, tab, newline and backslash as octal.
    .map((field) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === prefix || point.startsWith(`${prefix}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`; a mount still busy is detached lazily. */
export async function unmountBelow(dir: string): Promise<void> {
  // Mounts can be stacked on one point: repeat until none is left.
  for (let round = 0; round < 8; round += 1) {
    const points = mountsBelow(dir);
    if (points.length === 0) return;
    for (const point of points) {
      const { code } = await runLocal('umount', [point], { allowFailure: true });
      if (code !== 0) await runLocal('umount', ['--lazy', point], { allowFailure: true });
    }
  }
  const left = mountsBelow(dir);
  if (left.length > 0) throw new RunbookError('RB_SANDBOX', `cannot unmount ${left.join(', ')}`);
}

/** Deletes a directory tree, first unmounting anything below it, never crossing into another filesystem. */
export async function removeTree(dir: string): Promise<void> {
  await unmountBelow(dir);
  await runLocal('rm', ['-rf', '--one-file-system', '--', dir]);
}
