import type { ExecResult } from '../../transport/types.js';

/**
 * A command's result as a registered variable shows it, as in Ansible: stdout and stderr without
 * their trailing newlines (Ansible's command module strips "\r\n" from their ends, so
 * `out.stdout == 'active'` holds for `systemctl is-active` printing "active\n"), and their lines.
 */
export function execFields(result: ExecResult): Record<string, unknown> {
  const stdout = result.stdout.replace(/[\r\n]+$/, '');
  const stderr = result.stderr.replace(/[\r\n]+$/, '');
  return { rc: result.code, stdout, stderr, stdout_lines: splitLines(stdout), stderr_lines: splitLines(stderr) };
}

/** Python's str.splitlines(), which Ansible's *_lines use: \n, \r\n and \r end a line. */
function splitLines(text: string): string[] {
  return text === '' ? [] : text.split(/\r\n|\r|\n/);
}
