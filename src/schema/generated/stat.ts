/* Generated from schemas/modules/stat.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Read a path's status, as Ansible's stat does, and register it under `stat` (`stat.exists`, `stat.isdir`, `stat.mode`, `stat.checksum`, …). Changes nothing: always ok. No mime type (get_mime) or file attributes (get_attributes): those options are refused.
 */
export type StatArgs = {
  [k: string]: unknown;
} & (
  | {
      path: unknown;
    }
  | {
      dest: unknown;
    }
  | {
      name: unknown;
    }
) & {
    /**
     * The full path of the file or object to read. `~` is not expanded: a path starting with it is refused.
     */
    path?: string;
    /**
     * Ansible's alias of `path`.
     */
    dest?: string;
    /**
     * Ansible's alias of `path`.
     */
    name?: string;
    /**
     * Follow a symbolic link: report on its target (then `islnk` is false).
     */
    follow?: boolean;
    /**
     * Return `checksum`, the digest of a regular file the connecting user can read.
     */
    get_checksum?: boolean;
    /**
     * The digest of `checksum` (the host's md5sum, sha1sum, … program).
     */
    checksum_algorithm?: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
    /**
     * Ansible's alias of `checksum_algorithm`.
     */
    checksum_algo?: 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
  };
