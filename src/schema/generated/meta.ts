/* Generated from schemas/modules/meta.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's meta actions that runbook carries out, written free-form (meta: flush_handlers): flush_handlers runs the handlers notified so far, on every host of the play, then goes on; noop does nothing. end_play, end_host, end_batch, clear_facts, clear_host_errors, refresh_inventory, reset_connection and role_complete are not supported.
 */
export interface MetaArgs {
  /**
   * The action: flush_handlers or noop.
   */
  free_form: 'flush_handlers' | 'noop';
}
