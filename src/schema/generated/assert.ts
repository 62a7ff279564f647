/* Generated from schemas/modules/assert.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Fail the task unless every expression is true. Changes nothing.
 */
export interface AssertArgs {
  /**
   * A bare expression (no {{ }}) or a list of them, e.g. "ansible_os_family == 'Debian'".
   */
  that: string | [string, ...string[]];
  /**
   * Message when an expression is false (default names the expression).
   */
  fail_msg?: string;
  /**
   * Message when all expressions are true.
   */
  success_msg?: string;
  /**
   * Show no message on success.
   */
  quiet?: boolean;
}
