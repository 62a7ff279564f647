/* Generated from schemas/modules/lineinfile.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's lineinfile, with Ansible's meaning: ensure a line in a text file, replace the line matching a (Python) regular expression, or remove matching lines. Not supported: others, unsafe_writes, selinux attributes.
 */
export type LineinfileArgs = {
  [k: string]: unknown;
} & (
  | {
      path: unknown;
    }
  | {
      dest: unknown;
    }
  | {
      destfile: unknown;
    }
  | {
      name: unknown;
    }
) & {
    /**
     * The text file to edit on the host. Aliases: dest, destfile, name.
     */
    path?: string;
    /**
     * Alias of path.
     */
    dest?: string;
    /**
     * Alias of path.
     */
    destfile?: string;
    /**
     * Alias of path.
     */
    name?: string;
    /**
     * The line to ensure (without its newline); with backrefs, a Python match template (\1, \g<1>, \g<name>). Required for state: present. Alias: value.
     */
    line?: string;
    /**
     * Alias of line.
     */
    value?: string;
    /**
     * Searched in every line (with its newline, as Ansible reads it): present replaces the last matching line (the first with firstmatch); absent removes every matching line. A Python regular expression (Ansible's), translated for the common subset; constructs runbook does not translate are refused at validation. Alias: regex.
     */
    regexp?: string;
    /**
     * Alias of regexp.
     */
    regex?: string;
    /**
     * A literal string searched in every line, instead of regexp.
     */
    search_string?: string;
    /**
     * present: ensure the line; absent: remove matching lines (or lines equal to `line`).
     */
    state?: 'present' | 'absent';
    /**
     * When neither regexp nor search_string matched and the line is absent: insert after the last line matching this Python regular expression (the first with firstmatch), or EOF (default). Falls back to EOF when nothing matches.
     */
    insertafter?: string;
    /**
     * When neither regexp nor search_string matched and the line is absent: insert before the last line matching this Python regular expression (the first with firstmatch), or BOF. Falls back to EOF when nothing matches.
     */
    insertbefore?: string;
    /**
     * Use the first line matching regexp, search_string, insertafter or insertbefore rather than the last.
     */
    firstmatch?: boolean;
    /**
     * With regexp: `line` is expanded with the match's groups; when nothing matches, the file is left unchanged (and the line never added).
     */
    backrefs?: boolean;
    /**
     * Create the file (and its directory) when it does not exist; otherwise a missing file is an error.
     */
    create?: boolean;
    /**
     * Before changing the file, copy it to PATH.PID.YYYY-MM-DD@HH:MM:SS~ (returned as `backup`).
     */
    backup?: boolean;
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
    /**
     * A command run on the edited temp file before it replaces the file (%s stands for it; no shell), as Ansible's validate: a failure leaves the file as it was. Not run for a file created with create: true.
     */
    validate?: string;
  };
