import { EXIT } from '../exit-codes.js';
import { loadForRun } from './load.js';

export async function validateCommand(playbookPath: string, options: { inventory?: string; extraVars: string[] }): Promise<number> {
  const loaded = loadForRun(playbookPath, options);
  if (!loaded.ok) return EXIT.invalidInput;
  const tasks = loaded.playbook.plays.reduce((sum, play) => sum + play.tasks.length + play.handlers.length, 0);
  process.stdout.write(
    `${playbookPath}: valid (${loaded.playbook.plays.length} play${loaded.playbook.plays.length === 1 ? '' : 's'}, ${tasks} task${tasks === 1 ? '' : 's'}${loaded.warnings.length ? `, ${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'}` : ''})\n`,
  );
  return EXIT.ok;
}
