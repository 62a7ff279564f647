/* Generated from schemas/modules/nfs_export.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Export one directory over NFS, with the kernel server (a line in /etc/exports, `exportfs -ra` when it changed) or nfs-ganesha (an EXPORT block in /etc/ganesha/ganesha.conf, the service reloaded when it changed). The export directory is created if missing.
 */
export interface NfsExportArgs {
  /**
   * The directory to export, an absolute path without whitespace.
   */
  path: string;
  /**
   * The clients and their options: a list of {host, options}, or the /etc/exports form as a string, e.g. "10.10.10.0/24(rw,no_root_squash)" (several separated by spaces). Required when state is present.
   */
  clients?: [Client, ...Client[]] | string;
  /**
   * present: exported exactly with these clients and options; absent: not exported (the directory is kept).
   */
  state?: 'present' | 'absent';
  /**
   * Which NFS server to configure. auto: the one the host runs (nfs-ganesha or the kernel server; if neither runs, the one installed).
   */
  backend?: 'auto' | 'kernel' | 'ganesha';
  /**
   * Create the export directory (with parents) when it is missing; when false a missing directory fails the task.
   */
  create_path?: boolean;
  /**
   * Mode of the export directory as an octal string, e.g. "0711" (what libvirt sets on /var/lib/libvirt/images); an unquoted 0711 is octal too, a bare 711 is refused. Left alone when omitted.
   */
  mode?: string;
}
/**
 * One client and its export options.
 */
export interface Client {
  /**
   * Who may mount: an address, a CIDR network (10.10.10.0/24), a host name or wildcard (*.lab), an @netgroup, or *.
   */
  host: string;
  /**
   * Export options as for /etc/exports, e.g. [rw, no_root_squash]; only known NFS export options are accepted. With ganesha, rw/ro, the squash options, anonuid/anongid, sec and secure/insecure are mapped; options without a ganesha equivalent are listed in a comment of the block.
   */
  options?: string[];
}
