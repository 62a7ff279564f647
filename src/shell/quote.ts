import { RunbookError } from '../errors.js';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * POSIX single-quote a value for sh. Never `$'…'`: dash (Debian's /bin/sh) does not understand it.
 * Values made only of safe characters pass unchanged, except a leading dash is still safe to pass
 * because quoting does not stop option parsing anyway (callers use `--`).
 */
export function quote(value: string): string {
  if (value.includes('\0')) {
    throw new RunbookError('RB_SHELL', 'a value passed to the shell contains a NUL byte', {
      hint: 'NUL cannot be represented in a shell argument; remove it from the value',
    });
  }
  if (value !== '' && SAFE.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
