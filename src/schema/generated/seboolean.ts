/* Generated from schemas/modules/seboolean.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's ansible.posix.seboolean: an SELinux boolean's running value (setsebool), and with persistent: true its stored value too (setsebool -P). A host without SELinux fails with Ansible's message unless ignore_selinux_state is true. Registers name, persistent and state.
 */
export interface SebooleanArgs {
  /**
   * The boolean's name, as listed by `getsebool -a`.
   */
  name: string;
  /**
   * true (on) or false (off); Ansible's boolean words are accepted.
   */
  state: boolean | string;
  /**
   * Also store the value so it survives a reboot (setsebool -P); both values are then checked.
   */
  persistent?: boolean;
  /**
   * Go on where the facts say SELinux is not running (Ansible's option for hosts whose SELinux state cannot be read).
   */
  ignore_selinux_state?: boolean;
}
