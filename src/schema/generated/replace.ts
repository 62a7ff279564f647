/* Generated from schemas/modules/replace.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's replace, with Ansible's meaning: replace every match of a (Python) regular expression in a UTF-8 text file, optionally only in the region after/before other patterns. Not supported: encoding (UTF-8 only), others, unsafe_writes, selinux attributes.
 */
export type ReplaceArgs = {
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
     * A Python regular expression, compiled with re.MULTILINE (^ and $ at every line), every match of which is replaced. runbook translates a common subset; constructs it does not translate are refused at validation.
     */
    regexp: string;
    /**
     * The replacement: a Python template (\1, \g<1>, \g<name>); empty by default (matches are removed).
     */
    replace?: string;
    /**
     * Only replace after the first match of this Python regular expression (compiled with re.DOTALL).
     */
    after?: string;
    /**
     * Only replace before the last match of this Python regular expression (compiled with re.DOTALL); with after, before its first match following after.
     */
    before?: string;
    /**
     * Before changing the file, copy it to PATH.PID.YYYY-MM-DD@HH:MM:SS~ (returned as `backup_file`).
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
