/* Generated from schemas/modules/group.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ensure a local group exists with the given gid, or that it is absent (groupadd, groupmod, groupdel; read with getent). Registers name, state, gid and system, as Ansible's group module does.
 */
export interface GroupArgs {
  /**
   * The group's name: a letter or underscore, then letters, digits, '_', '.', '-', optionally ending in '$' (at most 32 characters).
   */
  name: string;
  /**
   * present: the group exists (created if missing, its gid changed if another is given); absent: the group does not exist (groupdel, which refuses a group that is some user's primary group).
   */
  state?: 'present' | 'absent';
  /**
   * The group's numeric id. Without it a new group gets the next free one and an existing group keeps its own.
   */
  gid?: number;
  /**
   * Create the group as a system group (groupadd -r: a gid from the system range). Has no effect on an existing group.
   */
  system?: boolean;
  /**
   * With gid, allow a gid another group already has (groupadd/groupmod -o).
   */
  non_unique?: boolean;
  /**
   * Ansible's lgroupadd alternative for hosts with centralised accounts is not implemented: only false (the default) is accepted.
   */
  local?: false;
}
