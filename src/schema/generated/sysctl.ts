/* Generated from schemas/modules/sysctl.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A kernel parameter in a sysctl file (and, with sysctl_set, in the running kernel), as Ansible's ansible.posix.sysctl does: the file is rewritten as Ansible writes it (every setting as key=value, each key once, lines stripped), only when the parameter's value in it differs; `sysctl -p FILE` reloads it after a change unless reload is false.
 */
export type SysctlArgs = {
  [k: string]: unknown;
} & (
  | {
      name: unknown;
    }
  | {
      key: unknown;
    }
) & {
    /**
     * The parameter, e.g. net.ipv4.ip_forward (alias: key).
     */
    name?: string;
    /**
     * Ansible's alias of name.
     */
    key?: string;
    /**
     * The value (alias: val); required unless state is absent. Booleans and yes/no/true/false/on/off are written as 1 or 0, as Ansible does; values are compared word by word.
     */
    value?: string | number | boolean;
    /**
     * Ansible's alias of value.
     */
    val?: string | number | boolean;
    /**
     * present: the parameter set in the file; absent: its line removed.
     */
    state?: 'present' | 'absent';
    /**
     * The file to edit.
     */
    sysctl_file?: string;
    /**
     * After a change, load the file with `sysctl -p FILE` (its failure, e.g. on a read-only key, fails the task).
     */
    reload?: boolean;
    /**
     * Also compare the running value (`sysctl -n`) and set it with `sysctl -w` when it differs.
     */
    sysctl_set?: boolean;
    /**
     * Pass -e to sysctl: unknown keys are ignored.
     */
    ignoreerrors?: boolean;
  };
