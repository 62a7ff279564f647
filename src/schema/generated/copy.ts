/* Generated from schemas/modules/copy.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Write a file from inline content or a local file, atomically (temp file in the same directory, then rename), keeping an existing file's mode and owner unless given.
 */
export interface CopyArgs {
  /**
   * Path of the file on the host; its directory must exist.
   */
  dest: string;
  /**
   * The exact content to write (no newline is added).
   */
  content?: string;
  /**
   * A local file to copy, relative to the playbook's directory.
   */
  src?: string;
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
   * Before replacing the file, keep a copy of it as `<dest>.<timestamp>~`.
   */
  backup?: boolean;
  /**
   * Replace a file whose content differs (default); false writes only when dest does not exist.
   */
  force?: boolean;
}
