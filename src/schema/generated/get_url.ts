/* Generated from schemas/modules/get_url.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Download a file on the host over HTTP(S) or FTP with curl (which the host must have), as Ansible's get_url: written atomically, replaced only when its content differs; an existing dest is kept when checksum matches, or (without force) when the server answers 304 to If-Modified-Since.
 */
export interface GetUrlArgs {
  /**
   * http://, https:// or ftp:// URL.
   */
  url: string;
  /**
   * Path of the file on the host (a directory is refused when the task runs: give the file's name).
   */
  dest: string;
  /**
   * algorithm:hex (md5, sha1, sha224, sha256, sha384, sha512): an existing dest with it is kept, and a download without it is refused before it replaces dest.
   */
  checksum?: string;
  /**
   * Download every time and replace dest when the content differs; false: ask the server only for a newer file.
   */
  force?: boolean;
  /**
   * Seconds to connect, and the longest wait for data.
   */
  timeout?: number;
  /**
   * Request headers.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * false: do not verify the server's TLS certificate.
   */
  validate_certs?: boolean;
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
}
