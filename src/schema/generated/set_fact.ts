/* Generated from schemas/modules/set_fact.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Set variables for the rest of the play on this host. Any key is a variable name: this is the one module whose arguments are open-ended, because the keys ARE the user's variable names. As in Ansible, the strings true, false, yes and no (in any case) become booleans. Changes nothing.
 */
export interface SetFactArgs {
  /**
   * Accepted for Ansible compatibility and ignored: runbook keeps no fact cache between runs.
   */
  cacheable?: boolean;
  [k: string]: unknown;
}
