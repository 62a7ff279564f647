/* Generated from schemas/modules/shell.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Run shell code (pipes, redirections, variables) with `sh -c`. Prefer `command` unless you need the shell. Reports changed each time it runs; use creates/removes to make it idempotent.
 */
export interface ShellArgs {
  /**
   * Shell code, passed unchanged to the shell as its script.
   */
  cmd: string;
  /**
   * A path (relative to chdir, if given); when it exists the code is not run.
   */
  creates?: string;
  /**
   * A path (relative to chdir, if given); when it does not exist the code is not run.
   */
  removes?: string;
  /**
   * Directory to run the code in.
   */
  chdir?: string;
  /**
   * Text fed to the code's standard input.
   */
  stdin?: string;
  /**
   * Shell to run the code with (default /bin/sh), e.g. /bin/bash for bash syntax.
   */
  executable?: string;
}
