/* Generated from schemas/modules/mount.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Manage a mount point's fstab entry and its live state, as Ansible's ansible.posix.mount does (also its name). The live state is read from /proc/self/mounts; the fstab entry is one line per mount point, replaced in place. State ephemeral is refused.
 */
export type MountArgs = (
  | {
      path: unknown;
    }
  | {
      name: unknown;
    }
) & {
  /**
   * The mount point, an absolute path (alias: name).
   */
  path?: string;
  /**
   * Ansible's alias of path.
   */
  name?: string;
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
   * mounted: fstab entry present and the path mounted (the mount point is created; changing the entry of a mounted path remounts it). present: fstab entry only, nothing is mounted. unmounted: not mounted, fstab untouched. absent: when the path has an fstab entry, the entry is removed, the path unmounted and its (empty) mount point directory removed; a path without an entry is left alone, as Ansible does. absent_from_fstab: the fstab entry removed only. remounted: remount a mounted path now (always a change; an unmounted path is left alone). Ansible's ephemeral is refused.
   */
  state: 'mounted' | 'present' | 'unmounted' | 'absent' | 'absent_from_fstab' | 'remounted';
  /**
   * The fstab file to manage.
   */
  fstab?: string;
  /**
   * false adds noauto to the options written in fstab (replacing a lone defaults), unless opts already holds noauto.
   */
  boot?: boolean;
  /**
   * Copy fstab to FSTAB.PID.DATE@TIME~ before changing it; the copy's path is registered as backup_file.
   */
  backup?: boolean;
};
