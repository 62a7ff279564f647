/* Generated from schemas/modules/mount.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Manage a mount point's fstab entry and its live state, with the states of Ansible's posix mount. The live state is read from /proc/self/mounts; the fstab entry is one line per mount point, replaced in place.
 */
export interface MountArgs {
  /**
   * The mount point, an absolute path.
   */
  path: string;
  /**
   * The device, label or remote share to mount, e.g. nfs:/var/lib/libvirt/images or UUID=…. Required for mounted and present.
   */
  src?: string;
  /**
   * The filesystem type, e.g. nfs, ext4, tmpfs. Required for mounted and present.
   */
  fstype?: string;
  /**
   * Mount options, comma-separated, as written in fstab.
   */
  opts?: string;
  /**
   * The fstab dump field.
   */
  dump?: number;
  /**
   * The fstab fsck pass number.
   */
  passno?: number;
  /**
   * mounted: fstab entry present and the path mounted (the mount point is created; changing the entry of a mounted path remounts it). present: fstab entry only, nothing is mounted. unmounted: not mounted, fstab untouched. absent: unmounted and the fstab entry removed (the mount point directory is kept). remounted: remount a mounted path now (always a change; an unmounted path is left alone).
   */
  state: 'mounted' | 'present' | 'unmounted' | 'absent' | 'remounted';
  /**
   * The fstab file to manage.
   */
  fstab?: string;
}
