/* Generated from schemas/modules/copy.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Write a file from inline content, a local file (searched as Ansible does: the role's files/, then the playbook's files/ and directory) or a file of the host (remote_src), atomically (temp file in the same directory, then rename), keeping an existing file's mode and owner unless given. Into a directory when dest ends with / or is one.
 */
export type CopyArgs = {
  [k: string]: unknown;
} & {
  /**
   * Path of the file on the host; its directory must exist. When dest ends with / or is a directory, the file is written inside it under src's name (a missing directory ending with / is created).
   */
  dest: string;
  /**
   * The exact content to write (no newline is added).
   */
  content?: string;
  /**
   * The file to copy: on the controller, a relative path is searched in the role's files/ and tasks/, then the playbook's files/ and directory; with remote_src, a path on the host. One file: a directory is refused when the task runs.
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
  /**
   * src is a file of the host, copied there (no transfer).
   */
  remote_src?: boolean;
  /**
   * SHA1 (40 hex digits) the content must have; the task fails before writing when it differs.
   */
  checksum?: string;
  /**
   * A command run on the new file before it replaces dest, %s standing for its path (e.g. `visudo -cf %s`); split into words like Ansible's (no shell). dest stays unchanged when it fails.
   */
  validate?: string;
};
