/* Generated from schemas/modules/ping.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Prove that runbook can log in to the host and run a command there (with become, if set), and register `ping: pong`. Changes nothing.
 */
export interface PingArgs {
  /**
   * The value registered as `ping`. As in Ansible, the value "crash" makes the task fail (with the message "boom").
   */
  data?: string;
}
