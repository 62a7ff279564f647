import { quoted, sh, type Command } from '../shell/command.js';
import type { ExecResult } from './types.js';

/**
 * Run a command as another user through sudo. `-n` makes sudo fail at once instead of waiting for
 * a password prompt nobody can answer inside an SSH channel; `-H` gives the command that user's HOME.
 * The whole command becomes one quoted word for `sh -c`, so it is quoted exactly once.
 */
export function becomeCommand(command: Command, user: string): Command {
  return sh`sudo -n -H -u ${user} -- sh -c ${quoted(command)}`;
}

/** No sudo when the connecting user already is the target user. */
export function needsBecome(connectUser: string, becomeUser: string): boolean {
  return connectUser !== becomeUser;
}

/**
 * Explains a failed `becomeCommand` when sudo itself refused (rather than the wrapped command
 * failing); undefined otherwise. sudo writes these to stderr and exits 1.
 */
export function becomeFailureMessage(result: ExecResult): string | undefined {
  if (result.code === 0) return undefined;
  const stderr = result.stderr;
  if (/^sudo: (a password is required|a terminal is required)/m.test(stderr)) {
    return (
      'privilege escalation failed: sudo asked for a password, and runbook runs sudo with -n so it never waits on a prompt. ' +
      'Allow the connecting user to run commands without a password (a NOPASSWD rule in /etc/sudoers.d/), ' +
      'or connect as the target user'
    );
  }
  const refused = /^(?:sudo: )?(\S+ is not in the sudoers file|Sorry, user \S+ is not allowed to execute [^\n]*)/m.exec(stderr);
  if (refused) {
    return `privilege escalation failed: sudo refused (${refused[1]}). Grant the connecting user sudo rights, or connect as the target user`;
  }
  if (/^sudo: unknown user/m.test(stderr)) {
    return `privilege escalation failed: ${firstLine(stderr)}. Check become_user`;
  }
  if (result.code === 127 && /sudo: (?:command )?not found/.test(stderr)) {
    return 'privilege escalation failed: sudo is not installed on the host. Install sudo, or connect as the target user';
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
