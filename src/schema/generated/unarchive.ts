/* Generated from schemas/modules/unarchive.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Unpack a tar archive (.tar, .tar.gz/.tgz; with remote_src any compression GNU tar reads) into an existing directory of the host, as Ansible's unarchive. In place when every member is there: a local archive's members are compared by type, size and modification time (contents are not read); a host's archive by `tar --diff`. creates skips the task when that path exists.
 */
export interface UnarchiveArgs {
  /**
   * The archive: on the controller (searched like copy's src: the role's files/, the playbook's files/ and directory; .tar or .tar.gz/.tgz), or on the host with remote_src.
   */
  src: string;
  /**
   * An existing directory of the host to unpack into.
   */
  dest: string;
  /**
   * src is a file of the host.
   */
  remote_src?: boolean;
  /**
   * When this path exists on the host, nothing is done.
   */
  creates?: string;
  /**
   * Register the archive's members as files.
   */
  list_files?: boolean;
}
