/* Generated from schemas/modules/debug.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Print a message or a variable's value. Changes nothing.
 */
export interface DebugArgs {
  /**
   * Text to print (templated). Default: "Hello world!".
   */
  msg?: string;
  /**
   * A variable name or bare expression (no {{ }}) whose value to print.
   */
  var?: string;
}
