/* Generated from schemas/modules/selinux_boolean.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Set an SELinux boolean, e.g. virt_use_nfs, at run time and (by default) persistently. On hosts without SELinux, or with SELinux disabled, the task is skipped with that reason.
 */
export interface SelinuxBooleanArgs {
  /**
   * The boolean's name, as listed by `getsebool -a`.
   */
  name: string;
  /**
   * on or off (true and false are accepted too).
   */
  state: ('on' | 'off') | boolean;
  /**
   * Also store the value in the policy so it survives a reboot (`setsebool -P`). Both the running and the stored value are checked.
   */
  persistent?: boolean;
}
