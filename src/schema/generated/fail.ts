/* Generated from schemas/modules/fail.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Fail the task with a message, usually under `when`. Changes nothing.
 */
export interface FailArgs {
  /**
   * The failure message (templated). Default: "Failed as requested from task".
   */
  msg?: string;
}
