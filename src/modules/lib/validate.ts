import { Command, sh } from '../../shell/command.js';
import { splitCommandLine } from './shlex.js';

/** validate's words as Ansible splits them (shlex, no shell), each %s standing for the new file ("$tmp"). */
export function validateCommand(validate: string): Command {
  const words = splitCommandLine(validate).map((word) =>
    word.includes('%s') ? Command.join(word.split('%s').map((piece) => (piece === '' ? sh`` : sh`${piece}`)), '"$tmp"') : sh`${word}`,
  );
  return Command.join(words, ' ');
}

