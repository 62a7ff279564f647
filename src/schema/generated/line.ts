/* Generated from schemas/modules/line.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ensure a line is present in a text file (replacing the last line that matches `regexp`), or that no line matching it remains. Like Ansible's lineinfile.
 */
export interface LineArgs {
  /**
   * The text file to edit on the host.
   */
  path: string;
  /**
   * The whole line to ensure (without its newline). Required for state: present.
   */
  line?: string;
  /**
   * JavaScript regular expression searched in each line: present replaces the last matching line; absent removes every matching line.
   */
  regexp?: string;
  /**
   * present: ensure the line; absent: remove matching lines (or lines equal to `line`).
   */
  state?: 'present' | 'absent';
  /**
   * Where a new line goes when nothing matched: after the last line matching this regular expression, or EOF (default). Falls back to EOF when nothing matches.
   */
  insertafter?: string;
  /**
   * Where a new line goes when nothing matched: before the last line matching this regular expression, or BOF for the start of the file. Falls back to EOF when nothing matches.
   */
  insertbefore?: string;
  /**
   * Create the file (containing just the line) when it does not exist; otherwise a missing file is an error.
   */
  create?: boolean;
  /**
   * With regexp: `line` may use \1 or \g<name> for groups of the match; when nothing matches, the file is left unchanged.
   */
  backrefs?: boolean;
  /**
   * Permissions as an octal string such as "0644". Unquoted, 0644 is octal, as Ansible reads it; 644 without the leading 0 is refused, since Ansible would take it as the decimal number 644 (mode 01204).
   */
  mode?: string;
  /**
   * User name or numeric uid to own the file.
   */
  owner?: string;
  /**
   * Group name or numeric gid to own the file.
   */
  group?: string;
}
