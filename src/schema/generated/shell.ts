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
   * A path or glob (relative to chdir; $VARS and ~ expanded on the host, as Ansible does): when anything matches it, the code is not run.
   */
  creates?: string;
  /**
   * A path or glob (relative to chdir; $VARS and ~ expanded on the host): when nothing matches it, the code is not run.
   */
  removes?: string;
  /**
   * Directory to run the code in ($VARS and ~ expanded on the host).
   */
  chdir?: string;
  /**
   * Text fed to the code's standard input, with a newline added unless stdin_add_newline is false.
   */
  stdin?: string;
  /**
   * Shell to run the code with (default /bin/sh), e.g. /bin/bash for bash syntax.
   */
  executable?: string;
  /**
   * Add a newline to stdin, as Ansible does by default.
   */
  stdin_add_newline?: boolean;
  /**
   * Strip the trailing newlines of the registered stdout and stderr (default true, as in Ansible).
   */
  strip_empty_ends?: boolean;
}
