/* Generated from schemas/modules/service.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's service, with Ansible's meaning on systemd hosts (where Ansible runs its systemd module): start, stop, restart or reload a unit and enable or disable it at boot. Give state, enabled, or both. Registers name, state, enabled and status (systemctl show's properties). Hosts without systemd fail; refused: sleep, pattern, arguments, runlevel (Ansible ignores them under systemd).
 */
export type ServiceArgs = (
  | {
      state: unknown;
    }
  | {
      enabled: unknown;
    }
) & {
  /**
   * The unit name, e.g. nfs-server or rpcbind.socket; without a suffix systemd assumes .service. No globs.
   */
  name: string;
  /**
   * started / stopped: changed only when the unit is not already so (stopped also stops a deactivating unit). restarted / reloaded: a running unit is restarted / reloaded (`systemctl reload` fails on a unit that cannot reload), a stopped one is started; either way registers state: started.
   */
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  /**
   * Whether the unit starts at boot (`systemctl enable` / `disable`). As `systemctl is-enabled` says: static units count as enabled (and cannot be disabled: the task fails), indirect and alias ones as disabled.
   */
  enabled?: boolean;
  /**
   * The service manager module: auto (from the facts) or systemd; either way systemd.
   */
  use?: 'auto' | 'systemd';
};
