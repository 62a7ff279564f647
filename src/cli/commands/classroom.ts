import { existsSync, writeFileSync } from 'node:fs';
import { RunbookError } from '../../errors.js';
import { classroomInventory } from '../../load/classroom.js';
import { loadInventory } from '../../load/inventory.js';
import { EXIT } from '../exit-codes.js';

export interface ClassroomInitOptions {
  inventory: string;
  pods: number;
  address: string;
  output?: string;
}

/** `runbook classroom init`: a classroom inventory of N pods, so a class of 30 needs no hand-written inventory. */
export async function classroomInitCommand(options: ClassroomInitOptions): Promise<number> {
  const text = classroomInventory(loadInventory(options.inventory), options.pods, options.address);
  if (options.output === undefined) {
    process.stdout.write(text);
    return EXIT.ok;
  }
  if (existsSync(options.output)) {
    throw new RunbookError('RB_USAGE', `${options.output} exists already; runbook does not overwrite an inventory`, { hint: 'choose another file, or remove it first' });
  }
  writeFileSync(options.output, text, { flag: 'wx' });
  process.stderr.write(`wrote ${options.output}: ${options.pods} pods\n`);
  return EXIT.ok;
}
