/* Generated from schemas/modules/fetch.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Copy a file of the host to the controller, as Ansible's fetch: into dest/<inventory_hostname>/<src path>, or to dest itself with flat. Compared by SHA1 first, so an unchanged file is not transferred. In check mode nothing is written (Ansible skips the task).
 */
export interface FetchArgs {
  /**
   * The file on the host (not a directory).
   */
  src: string;
  /**
   * A directory on the controller (relative to the playbook's directory); with flat, the file itself, or a directory when it ends with /.
   */
  dest: string;
  /**
   * Write to dest itself instead of dest/<inventory_hostname>/<src path>.
   */
  flat?: boolean;
  /**
   * Fail when src does not exist or is a directory (default); false: ok, with a message.
   */
  fail_on_missing?: boolean;
  /**
   * Fail when the SHA1 of what was written differs from the host's file (default).
   */
  validate_checksum?: boolean;
}
