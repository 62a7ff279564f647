/* Generated from schemas/modules/package.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A package name, optionally with an architecture (e.g. libc6:i386). No version pins, globs or groups: the installed state is read by exact name.
 */
export type PackageName = string;

/**
 * Install, remove or upgrade packages with the host's package manager: apt on the Debian family, dnf or yum on the RHEL family (chosen from facts). The diff lists the packages that change.
 */
export interface PackageArgs {
  /**
   * One package name or a list of them, e.g. nfs-common or [nfs-common, rpcbind].
   */
  name: PackageName | [PackageName, ...PackageName[]];
  /**
   * present: installed (any version); absent: not installed (configuration files are kept); latest: installed at the candidate version of the package manager.
   */
  state?: 'present' | 'absent' | 'latest';
  /**
   * apt only: also install the packages' recommended packages (false: apt-get --no-install-recommends). Left to apt's configuration, which installs them, when omitted.
   */
  install_recommends?: boolean;
  /**
   * Refresh the package lists first. apt: `apt-get update`, skipped while the lists are younger than cache_valid_time (without cache_valid_time the update runs, and reports a change, on every run). dnf/yum: `makecache` before an install or upgrade that runs anyway; otherwise their own metadata expiry governs.
   */
  update_cache?: boolean;
  /**
   * apt only: seconds for which the package lists count as fresh, measured from the last successful `apt-get update` (/var/lib/apt/periodic/update-success-stamp, else the mtime of /var/lib/apt/lists). Implies update_cache.
   */
  cache_valid_time?: number;
}
