/* Generated from schemas/modules/service_facts.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Read the state of every systemd service, as Ansible's service_facts does: `ansible_facts.services` keyed by unit name (`ssh.service`), each with name, state (running, stopped, or systemd's active state), status (enabled, disabled, static, masked, failed, not-found, …) and source systemd. Changes nothing: always ok. Takes no arguments. Hosts without systemd are skipped; SysV init scripts (`service --status-all`) are not listed.
 */
export interface ServiceFactsArgs {}
