/* Generated from schemas/modules/service.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Start, stop, restart or reload a systemd unit and enable or disable it at boot. Give state, enabled, or both.
 */
export interface ServiceArgs {
  /**
   * The unit name, e.g. nfs-server or rpcbind.socket; without a suffix systemd assumes .service.
   */
  name: string;
  /**
   * started / stopped: change only when the unit is not already so. restarted: always restarts (starts a stopped unit). reloaded: reloads a running unit (`systemctl reload-or-restart`, so units without reload support restart); a stopped unit is left stopped and the task is ok, since it will read its configuration when it starts.
   */
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  /**
   * Whether the unit starts at boot (`systemctl enable` / `disable`). Static units count as enabled and cannot be disabled.
   */
  enabled?: boolean;
}
