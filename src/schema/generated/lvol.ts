/* Generated from schemas/modules/lvol.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's community.general.lvol with its meaning: an LVM logical volume created, grown or shrunk to a size (lvcreate, lvextend, lvreduce, with resizefs), activated or deactivated, or removed. Refused: thinpool and snapshot (thin and snapshot volumes), and %ORIGIN.
 */
export interface LvolArgs {
  /**
   * The volume group of the logical volume.
   */
  vg: string;
  /**
   * The logical volume.
   */
  lv: string;
  /**
   * The size: a number of megabytes, or with a unit (b, s, k, m, g, t, p, e: 512g, 1.5G), or a percentage of the group (80%VG, 100%PVS) or of its free space (100%FREE). With + or - in front, relative to the current size (+512M, -10%VG; not idempotent, as in Ansible). Required to create the volume. A volume larger than size is shrunk (only with force) unless shrink is false; an absolute size is rounded up to whole extents, as LVM does.
   */
  size?: string | number;
  /**
   * present: the volume exists (created when missing). absent: removed (lvremove --force), only with force.
   */
  state?: 'present' | 'absent';
  /**
   * Whether the volume is active (lvchange -ay / -an); a volume created with active false is deactivated after it is created.
   */
  active?: boolean;
  /**
   * Needed to shrink or remove a volume: the filesystem on it may be destroyed.
   */
  force?: boolean;
  /**
   * Shrink the volume when it is larger than size (with force).
   */
  shrink?: boolean;
  /**
   * Resize the filesystem on the volume with it (lvextend/lvreduce --resizefs: ext2, ext3, ext4, reiserfs, XFS).
   */
  resizefs?: boolean;
  /**
   * Options for lvcreate, split as a shell would (Python's shlex), each word passed as one argument, no shell.
   */
  opts?: string;
  /**
   * The physical volumes to allocate from (lvcreate, lvextend, lvreduce).
   *
   * @minItems 1
   */
  pvs?: [string, ...string[]];
}
