import { sh, type Command } from '../../shell/command.js';
import type { ExecResult } from '../../transport/types.js';

/**
 * What lvg and lvol read from LVM. Every report is asked for with `--noheadings --separator ';'`
 * (LVM indents the rows; names never hold ';'), in the C locale so that numbers have no grouping.
 */

export interface VolumeGroup {
  name: string;
  pvCount: number;
  lvCount: number;
}

export function vgsProbe(): Command {
  return sh`LC_ALL=C vgs --noheadings -o vg_name,pv_count,lv_count --separator ';'`;
}

export function parseVgs(text: string): VolumeGroup[] {
  return rows(text).map(([name = '', pvCount = '0', lvCount = '0']) => ({ name, pvCount: Number(pvCount), lvCount: Number(lvCount) }));
}

/** Rows of an LVM report: each line trimmed, split on ';'. */
export function rows(text: string): string[][] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.split(';'));
}

/** Options given as one string (pv_options, vg_options, opts): split on whitespace as Python's str.split(). */
export function splitOptions(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((word) => word !== '');
}

/** The first line of a failed command's stderr, else its exit status. */
export function failureText(result: ExecResult): string {
  const line = result.stderr
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '');
  return line ?? `exit status ${result.code ?? result.signal ?? '?'}`;
}
