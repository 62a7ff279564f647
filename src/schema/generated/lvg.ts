/* Generated from schemas/modules/lvg.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's community.general.lvg with its meaning: an LVM volume group present on exactly the given physical volumes (pvcreate, vgcreate, vgextend, vgreduce; pvresize), or absent. Refused: state active and inactive, reset_vg_uuid and reset_pv_uuid.
 */
export interface LvgArgs {
  /**
   * The volume group.
   */
  vg: string;
  /**
   * The devices of the group: a list, or one string of comma-separated devices (as Ansible splits it). Required to create the group. Symbolic links are resolved, as LVM names devices by their real paths. Devices not yet physical volumes are initialised (pvcreate -f).
   */
  pvs?: [string, ...string[]] | string;
  /**
   * Physical extent size for vgcreate -s: a number of megabytes, or with a unit (128K, 4M). Not changed on an existing group.
   */
  pesize?: string | number;
  /**
   * Options for pvcreate, split on whitespace (each word one argument, no shell).
   */
  pv_options?: string;
  /**
   * Options for vgcreate, split on whitespace (each word one argument, no shell).
   */
  vg_options?: string;
  /**
   * Grow each physical volume of the group to its device when the device has more than one extent to spare (pvresize). Only when pvs is given, as in Ansible.
   */
  pvresize?: boolean;
  /**
   * present: the group exists on pvs. absent: the group removed (vgremove --force); a group with logical volumes only with force.
   */
  state?: 'present' | 'absent';
  /**
   * With state absent, remove a group that still has logical volumes.
   */
  force?: boolean;
  /**
   * Remove from the group the physical volumes not in pvs (vgreduce --force).
   */
  remove_extra_pvs?: boolean;
}
