/* Generated from schemas/modules/filesystem.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's community.general.filesystem with its meaning: a filesystem (or swap, or an LVM physical volume) created on a block device or a regular file when it has none (blkid), grown into the device with resizefs, its UUID set, or every signature wiped (state absent). A different filesystem already there fails the task unless force. btrfs, f2fs, ocfs2, reiserfs, bcachefs and ufs are refused, as are resizefs on vfat and swap and uuid on vfat and swap.
 */
export type FilesystemArgs = {
  [k: string]: unknown;
} & (
  | {
      dev: unknown;
    }
  | {
      device: unknown;
    }
) & {
    /**
     * The block device or regular file (an absolute path). Alias: device. With state present it must exist; with state absent a missing one is ok.
     */
    dev?: string;
    /**
     * Ansible's alias of `dev`.
     */
    device?: string;
    /**
     * The filesystem to create: ext2, ext3, ext4 (ext4dev is ext4), xfs, vfat, swap, or lvm (an LVM physical volume). Required with state present. Alias: type.
     */
    fstype?: 'ext2' | 'ext3' | 'ext4' | 'ext4dev' | 'xfs' | 'vfat' | 'swap' | 'lvm';
    /**
     * Ansible's alias of `fstype`.
     */
    type?: 'ext2' | 'ext3' | 'ext4' | 'ext4dev' | 'xfs' | 'vfat' | 'swap' | 'lvm';
    /**
     * present: the filesystem exists (created when the device has none). absent: every signature wiped (wipefs --all) when blkid finds one; other options are ignored, as in Ansible.
     */
    state?: 'present' | 'absent';
    /**
     * Create the filesystem even where one exists: with the same type it is created again on every run, as Ansible's does.
     */
    force?: boolean;
    /**
     * Grow the filesystem into the device when the device is larger (resize2fs; xfs_growfs on its mount point, xfs must be mounted; pvresize for lvm). Not with uuid.
     */
    resizefs?: boolean;
    /**
     * Options for mkfs, split on whitespace as Ansible splits them (each word passed as one argument, no shell).
     */
    opts?: string;
    /**
     * The filesystem's UUID: set at creation, or changed on an existing filesystem (tune2fs -U, xfs_admin -U; for lvm a new random PV UUID, the value is ignored). Not idempotent: a change on every run, as in Ansible. A UUID option in opts wins at creation.
     */
    uuid?: string;
  };
