/* Generated from schemas/modules/file.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ensure a path is a file, directory or symbolic link with the given mode and ownership, or that it is absent.
 */
export interface FileArgs {
  /**
   * The path to manage on the host.
   */
  path: string;
  /**
   * file: must already exist (attributes only); directory: created with parents; link: a symbolic link to `src`; absent: removed, recursively for a directory; touch: created if missing, times updated (always reports changed, like Ansible).
   */
  state?: 'file' | 'directory' | 'link' | 'absent' | 'touch';
  /**
   * Permissions as an octal string such as "0644". Unquoted, 0644 is octal, as Ansible reads it; 644 without the leading 0 is refused, since Ansible would take it as the decimal number 644 (mode 01204).
   */
  mode?: string;
  /**
   * User name or numeric uid to own the path.
   */
  owner?: string;
  /**
   * Group name or numeric gid to own the path.
   */
  group?: string;
  /**
   * Target of the symbolic link (state: link), stored exactly as given.
   */
  src?: string;
  /**
   * For state: directory, apply mode, owner and group to everything below the directory too.
   */
  recurse?: boolean;
  /**
   * For state: link, replace an existing regular file at `path` with the link.
   */
  force?: boolean;
}
