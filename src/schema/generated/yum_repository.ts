/* Generated from schemas/modules/yum_repository.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A repository section in REPOSDIR/FILE.repo, written as Ansible's ansible.builtin.yum_repository writes it (the ini file rewritten with `key = value` lines, the section's keys sorted); changed only when the file's sections differ. password, proxy_password, params and the file attribute options are refused.
 */
export type YumRepositoryArgs = {
  [k: string]: unknown;
} & {
  /**
   * Parallel downloads.
   */
  async?: boolean;
  /**
   * Maximum bandwidth (e.g. 0, 1M).
   */
  bandwidth?: string | number;
  /**
   * URL(s) of the repository (a list, or a string split on commas as Ansible does); several are written one per line.
   */
  baseurl?: string | string[];
  /**
   * Ansible's alias of sslcacert.
   */
  ca_cert?: string | number;
  /**
   * Ansible's alias of sslclientcert.
   */
  client_cert?: string | number;
  /**
   * Ansible's alias of sslclientkey.
   */
  client_key?: string | number;
  /**
   * Relative cost of the repository.
   */
  cost?: string | number;
  /**
   * deltarpm_metadata_percentage.
   */
  deltarpm_metadata_percentage?: string | number;
  /**
   * deltarpm_percentage.
   */
  deltarpm_percentage?: string | number;
  /**
   * The repository's human-readable name (written as name = …); required with present.
   */
  description?: string;
  /**
   * Enable the repository (written 1 or 0).
   */
  enabled?: boolean;
  /**
   * Use the repository's package groups.
   */
  enablegroups?: boolean;
  /**
   * Packages to exclude (a list, or comma-separated); written space-separated.
   */
  exclude?: string | string[];
  /**
   * roundrobin or priority.
   */
  failovermethod?: 'roundrobin' | 'priority';
  /**
   * The file's name without .repo; the repository id by default.
   */
  file?: string;
  /**
   * A URL pointing to the ASCII-armored CA key file.
   */
  gpgcakey?: string | number;
  /**
   * Check package signatures.
   */
  gpgcheck?: boolean;
  /**
   * URL(s) of the GPG key(s); written one per line.
   */
  gpgkey?: string | string[];
  /**
   * all, packages or none.
   */
  http_caching?: 'all' | 'packages' | 'none';
  /**
   * Include external configuration file.
   */
  include?: string | number;
  /**
   * Only these packages (a list, or comma-separated); written space-separated.
   */
  includepkgs?: string | string[];
  /**
   * 4, 6, IPv4, IPv6 or whatever.
   */
  ip_resolve?: '4' | '6' | 'IPv4' | 'IPv6' | 'whatever';
  /**
   * HTTP keepalive.
   */
  keepalive?: boolean;
  /**
   * 0 or 1.
   */
  keepcache?: '0' | '1';
  /**
   * Time (seconds, or with d/h/m) after which the metadata expires.
   */
  metadata_expire?: string | number;
  /**
   * never, read-only:past, read-only:present or read-only:future.
   */
  metadata_expire_filter?: 'never' | 'read-only:past' | 'read-only:present' | 'read-only:future';
  /**
   * A metalink URL (one of baseurl, metalink, mirrorlist is required with present).
   */
  metalink?: string | number;
  /**
   * A mirrorlist URL.
   */
  mirrorlist?: string | number;
  /**
   * Time after which the mirrorlist expires.
   */
  mirrorlist_expire?: string | number;
  /**
   * Packages of this repository bypass modular filtering.
   */
  module_hotfixes?: boolean;
  /**
   * The repository id: the section name in the file.
   */
  name: string;
  /**
   * Priority (1-99, lower wins).
   */
  priority?: string | number;
  /**
   * Protect packages from updates by other repositories.
   */
  protect?: boolean;
  /**
   * Proxy URL, or _none_.
   */
  proxy?: string | number;
  /**
   * Proxy user name.
   */
  proxy_username?: string | number;
  /**
   * Check the repository metadata signature.
   */
  repo_gpgcheck?: boolean;
  /**
   * The directory of the repo files (it must exist).
   */
  reposdir?: string;
  /**
   * Retries before failing.
   */
  retries?: string | number;
  /**
   * Enable the S3 plugin.
   */
  s3_enabled?: boolean;
  /**
   * Skip the repository when unreachable.
   */
  skip_if_unavailable?: boolean;
  /**
   * Check the permissions of the certificate files.
   */
  ssl_check_cert_permissions?: boolean;
  /**
   * CA certificate path (alias: ca_cert).
   */
  sslcacert?: string | number;
  /**
   * Client certificate path (alias: client_cert).
   */
  sslclientcert?: string | number;
  /**
   * Client key path (alias: client_key).
   */
  sslclientkey?: string | number;
  /**
   * Verify the server's certificate (alias: validate_certs).
   */
  sslverify?: boolean;
  /**
   * present: the section written; absent: removed (an emptied file is removed).
   */
  state?: 'present' | 'absent';
  /**
   * Bandwidth throttle.
   */
  throttle?: string | number;
  /**
   * Connection timeout (seconds).
   */
  timeout?: string | number;
  /**
   * Variables for the repo id in the UI.
   */
  ui_repoid_vars?: string | number;
  /**
   * HTTP user name.
   */
  username?: string | number;
  /**
   * Ansible's alias of sslverify.
   */
  validate_certs?: boolean;
};
