/* Generated from schemas/modules/command.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Run a program without a shell. Give the command line as `cmd` (split into words like a POSIX shell would, but pipes, redirections, globs and $VARS stay literal arguments) or as an `argv` list. Reports changed each time it runs; use creates/removes to make it idempotent.
 */
export interface CommandArgs {
  /**
   * Command line, split into words with shell-like quoting ('…', "…", backslash). Never interpreted by a shell: `a | b` runs `a` with the arguments `|` and `b`.
   */
  cmd?: string;
  /**
   * The program and its arguments as a list, passed exactly as given.
   *
   * @minItems 1
   */
  argv?: [string, ...string[]];
  /**
   * A path (relative to chdir, if given); when it exists the command is not run.
   */
  creates?: string;
  /**
   * A path (relative to chdir, if given); when it does not exist the command is not run.
   */
  removes?: string;
  /**
   * Directory to run the command in.
   */
  chdir?: string;
  /**
   * Text fed to the command's standard input.
   */
  stdin?: string;
}
