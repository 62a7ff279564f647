/* Generated from schemas/modules/apt.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's apt, with Ansible's meaning: packages installed, upgraded to the candidate version, or removed with apt-get; the package lists refreshed; a local .deb installed. Returns cache_updated and cache_update_time (with packages to install, or update_cache alone), stdout and stderr. Refused: version pins and globs in names, state build-dep and fixed, upgrade, default_release, deb from a URL, and the other options.
 */
export type AptArgs = (
  | {
      name: unknown;
    }
  | {
      deb: unknown;
    }
  | {
      update_cache: unknown;
    }
  | {
      autoremove: unknown;
    }
) & {
  /**
   * One package name or a list of them, e.g. nfs-common or [nfs-common, rpcbind].
   */
  name?: PackageName | [PackageName, ...PackageName[]];
  /**
   * present: installed (any version); absent: not installed; latest: installed at apt's candidate version. A .deb (deb) takes present only.
   */
  state?: 'present' | 'absent' | 'latest';
  /**
   * Absolute path of a .deb file on the host: installed (with its dependencies, through apt-get) unless the same version of its package is installed already.
   */
  deb?: string;
  /**
   * Run `apt-get update` first (skipped while the lists are younger than cache_valid_time). Alone, the task reports changed only when the update changed the lists' time stamp (/var/lib/apt/periodic/update-success-stamp, else the mtime of /var/lib/apt/lists), as Ansible's apt does; with packages, only the packages count.
   */
  update_cache?: boolean;
  /**
   * Seconds for which the package lists count as fresh, measured from the stamp or lists mtime above (lists that images emptied count as never updated). Set, it implies update_cache.
   */
  cache_valid_time?: number;
  /**
   * Install the packages' recommended packages too (`-o APT::Install-Recommends=yes`/`no`). Left to apt's configuration when omitted.
   */
  install_recommends?: boolean;
  /**
   * With state absent: remove configuration files too (`apt-get remove --purge`); packages whose configuration files alone remain are purged.
   */
  purge?: boolean;
  /**
   * Remove packages installed as dependencies that nothing needs any more: `--auto-remove` on the install or remove, or alone (without names) `apt-get autoremove`, planned from `apt-get -s autoremove`.
   */
  autoremove?: boolean;
  /**
   * Seconds to wait for the dpkg lock held by another apt or dpkg (`-o DPkg::Lock::Timeout`).
   */
  lock_timeout?: number;
  /**
   * Accepted for Ansible's playbooks: runbook always uses apt-get (Ansible uses aptitude only to upgrade all packages, which runbook refuses).
   */
  force_apt_get?: boolean;
};
/**
 * A package name, optionally with an architecture (e.g. libc6:i386). Refused: version pins (name=1.0, name-1.0), globs, groups, package files and comma-separated lists: the installed state is read by exact name.
 */
export type PackageName = string;
