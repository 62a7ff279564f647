import { quoted, sh, type Command } from '../shell/command.js';
import type { ExecResult } from './types.js';

/** How to become another user: Ansible's become_method (sudo or su), become_exe and become_flags. */
export interface BecomeMethod {
  method: 'sudo' | 'su';
  /** The program; default the method's name. */
  exe?: string;
  /** Options, words separated by spaces; default sudo's `-n -H`, none for su. */
  flags?: string;
}

const SUDO: BecomeMethod = { method: 'sudo' };

/** Seconds a stopped command under sudo has between TERM and KILL. */
const STOP_GRACE_S = 3;

/**
 * Run a command as another user. With sudo, `-n` makes it fail at once instead of waiting for a
 * password prompt nobody can answer inside an SSH channel, and `-H` gives the command that user's
 * HOME. With su, as Ansible's su plugin builds it: `su FLAGS USER -c CMD`; the user's login shell
 * reads CMD, which starts sh. The whole command becomes one quoted word, quoted exactly once.
 *
 * Under sudo the command runs below coreutils' `timeout` with no time limit: stopping a command
 * (Ctrl-C, a timeout) sends TERM, which sudo relays to its child alone; `timeout` passes it on to
 * the command's whole process group and sends KILL STOP_GRACE_S later to whatever is left. The
 * connecting user cannot signal root's processes itself. (su is only usable when connected as root,
 * whose signals reach every process of the command.)
 */
export function becomeCommand(command: Command, user: string, how: BecomeMethod = SUDO): Command {
  const exe = how.exe ?? how.method;
  if (how.method === 'su') return sh`${[exe, ...words(how.flags ?? ''), user]} -c ${quoted(sh`sh -c ${quoted(command)}`)}`;
  return sh`${[exe, ...words(how.flags ?? '-n -H')]} -u ${user} -- timeout -k ${STOP_GRACE_S} 0 sh -c ${quoted(command)}`;
}

function words(flags: string): string[] {
  return flags.split(/\s+/).filter((word) => word !== '');
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
  if (/^su: (Authentication failure|must be run from a terminal)/m.test(stderr)) {
    return "privilege escalation failed: su asked for the target user's password, which runbook never gives. Connect as root, or use become_method sudo with a NOPASSWD rule";
  }
  const noUser = /^su: user (\S+) does not exist/m.exec(stderr);
  if (noUser) return `privilege escalation failed: su: user ${noUser[1]} does not exist. Check become_user`;
  if (result.stdout.startsWith('This account is currently not available.')) {
    return 'privilege escalation failed: the login shell of become_user refuses commands (nologin). Give su another shell: become_flags: "-s /bin/sh"';
  }
  return undefined;
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}
