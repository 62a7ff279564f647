/* Generated from schemas/modules/blockinfile.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's blockinfile, with Ansible's meaning: a block of lines between marker lines inserted, updated or removed in a text file. Not supported: others, unsafe_writes, selinux attributes.
 */
export type BlockinfileArgs = {
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
     * present: the block between its markers; absent: the block and its markers removed.
     */
    state?: 'present' | 'absent';
    /**
     * The text between the marker lines; empty (the default) removes the block, as state: absent. Alias: content.
     */
    block?: string;
    /**
     * Alias of block.
     */
    content?: string;
    /**
     * The marker line template; {mark} is replaced by marker_begin or marker_end.
     */
    marker?: string;
    /**
     * Replaces {mark} in the opening marker (a Python replacement template: \\ for a backslash).
     */
    marker_begin?: string;
    /**
     * Replaces {mark} in the closing marker (a Python replacement template: \\ for a backslash).
     */
    marker_end?: string;
    /**
     * Without markers in the file: insert after the last line matching this Python regular expression (with (?m), after the first match in the whole file), or EOF (default). Falls back to EOF when nothing matches.
     */
    insertafter?: string;
    /**
     * Without markers in the file: insert before the last line matching this Python regular expression (with (?m), the first match in the whole file), or BOF. Falls back to EOF when nothing matches.
     */
    insertbefore?: string;
    /**
     * Create the file (and its directory) when it does not exist; otherwise a missing file is an error.
     */
    create?: boolean;
    /**
     * Before changing the file, copy it to PATH.PID.YYYY-MM-DD@HH:MM:SS~ (returned as `backup_file`).
     */
    backup?: boolean;
    /**
     * Add a blank line after the inserted block, unless one follows it or it ends the file (Ansible 2.16).
     */
    append_newline?: boolean;
    /**
     * Add a blank line before the inserted block, unless one precedes it or it starts the file (Ansible 2.16).
     */
    prepend_newline?: boolean;
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
