/* Generated from schemas/modules/package.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A package name, optionally with an architecture (e.g. libc6:i386). Refused: version pins (name=1.0, name-1.0), globs, groups, package files and comma-separated lists: the installed state is read by exact name.
 */
export type PackageName = string;
/**
 * A repository ID or a glob of them (no commas: Ansible would split the string).
 */
export type RepoId = string;

/**
 * Ansible's package, with Ansible's meaning: the host's package manager module (apt, dnf or yum, from the facts' pkg_mgr, or `use`) runs with the other arguments, which that module must support (apt's options fail on dnf and yum, as in Ansible).
 */
export interface PackageArgs {
  /**
   * One package name or a list of them, e.g. nfs-common or [nfs-common, rpcbind].
   */
  name: PackageName | [PackageName, ...PackageName[]];
  /**
   * present: installed (any version); absent: not installed; latest: installed at the newest version. installed and removed: dnf and yum only.
   */
  state?: 'present' | 'absent' | 'latest' | 'installed' | 'removed';
  /**
   * The package manager module: auto (from the facts), apt, dnf or yum.
   */
  use?: 'auto' | 'apt' | 'dnf' | 'yum';
  /**
   * apt: `apt-get update` first (see apt); dnf and yum: refresh the metadata (see dnf).
   */
  update_cache?: boolean;
  /**
   * apt only. Seconds for which the package lists count as fresh, measured from the stamp or lists mtime above (lists that images emptied count as never updated). Set, it implies update_cache.
   */
  cache_valid_time?: number;
  /**
   * apt only. Install the packages' recommended packages too (`-o APT::Install-Recommends=yes`/`no`). Left to apt's configuration when omitted.
   */
  install_recommends?: boolean;
  /**
   * apt only. With state absent: remove configuration files too (`apt-get remove --purge`); packages whose configuration files alone remain are purged.
   */
  purge?: boolean;
  /**
   * apt only. Remove packages installed as dependencies that nothing needs any more: `--auto-remove` on the install or remove, or alone (without names) `apt-get autoremove`, planned from `apt-get -s autoremove`.
   */
  autoremove?: boolean;
  /**
   * apt only. Seconds to wait for the dpkg lock held by another apt or dpkg (`-o DPkg::Lock::Timeout`).
   */
  lock_timeout?: number;
  /**
   * apt only. Accepted for Ansible's playbooks: runbook always uses apt-get (Ansible uses aptitude only to upgrade all packages, which runbook refuses).
   */
  force_apt_get?: boolean;
  /**
   * dnf and yum only. Repositories to enable for this task only (`--enablerepo=ID`), one ID or a list of them; IDs may be globs, as dnf and yum read them.
   */
  enablerepo?: RepoId | RepoId[];
  /**
   * dnf and yum only. Repositories to disable for this task only (`--disablerepo=ID`), one ID or a list of them; IDs may be globs, as dnf and yum read them.
   */
  disablerepo?: RepoId | RepoId[];
  /**
   * dnf and yum only. Install without checking the packages' GPG signatures (`--nogpgcheck`).
   */
  disable_gpg_check?: boolean;
}
