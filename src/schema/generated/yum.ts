/* Generated from schemas/modules/yum.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's yum, with Ansible's meaning: packages installed, upgraded or removed with yum; the metadata refreshed. Returns msg, results (`Installed: NAME`, `Removed: NAME`) and rc. Refused: version pins, globs, groups (@name) and package files in names, installroot, list, and the other options.
 */
export type YumArgs = (
  | {
      name: unknown;
    }
  | {
      update_cache: unknown;
    }
) & {
  /**
   * One package name or a list of them, e.g. nfs-utils or [nfs-utils, rpcbind].
   */
  name?: PackageName | [PackageName, ...PackageName[]];
  /**
   * present or installed: installed (any version); latest: upgraded to the newest available version (installed if missing); absent or removed: not installed.
   */
  state?: 'present' | 'installed' | 'latest' | 'absent' | 'removed';
  /**
   * Refresh the metadata: before an install or upgrade (`--refresh`); alone (without names), `yum makecache`, which Ansible's yum reports as not changed (`msg: Cache updated`).
   */
  update_cache?: boolean;
  /**
   * Repositories to enable for this task only (`--enablerepo=ID`), one ID or a list of them; IDs may be globs, as dnf and yum read them.
   */
  enablerepo?: RepoId | RepoId[];
  /**
   * Repositories to disable for this task only (`--disablerepo=ID`), one ID or a list of them; IDs may be globs, as dnf and yum read them.
   */
  disablerepo?: RepoId | RepoId[];
  /**
   * Install without checking the packages' GPG signatures (`--nogpgcheck`).
   */
  disable_gpg_check?: boolean;
};
/**
 * A package name, optionally with an architecture (e.g. libc6:i386). Refused: version pins (name=1.0, name-1.0), globs, groups, package files and comma-separated lists: the installed state is read by exact name.
 */
export type PackageName = string;
/**
 * A repository ID or a glob of them (no commas: Ansible would split the string).
 */
export type RepoId = string;
