/* Generated from schemas/modules/command.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Run a program without a shell, as Ansible's command does. Give the command line as `cmd` (split into words like a POSIX shell would; each word's $VARS and leading ~ are expanded on the host as Ansible expands them, but pipes, redirections and globs stay literal arguments) or as an `argv` list. Reports changed each time it runs; use creates/removes to make it idempotent.
 */
export interface CommandArgs {
  /**
   * Command line, split into words with shell-like quoting ('…', "…", backslash), then each word's $VARS and leading ~ expanded on the host. Never interpreted by a shell: `a | b` runs `a` with the arguments `|` and `b`.
   */
  cmd?: string;
  /**
   * The program and its arguments as a list; each word's $VARS and leading ~ expanded on the host, as Ansible does.
   *
   * @minItems 1
   */
  argv?: [string, ...string[]];
  /**
   * A path or glob (relative to chdir; $VARS and ~ expanded on the host, as Ansible does): when anything matches it, the command is not run.
   */
  creates?: string;
  /**
   * A path or glob (relative to chdir; $VARS and ~ expanded on the host): when nothing matches it, the command is not run.
   */
  removes?: string;
  /**
   * Directory to run the command in ($VARS and ~ expanded on the host).
   */
  chdir?: string;
  /**
   * Text fed to the command's standard input, with a newline added unless stdin_add_newline is false.
   */
  stdin?: string;
  /**
   * Add a newline to stdin, as Ansible does by default.
   */
  stdin_add_newline?: boolean;
  /**
   * Strip the trailing newlines of the registered stdout and stderr (default true, as in Ansible).
   */
  strip_empty_ends?: boolean;
}
