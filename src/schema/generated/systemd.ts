/* Generated from schemas/modules/systemd.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's systemd (systemd_service), with Ansible's meaning: a unit started, stopped, restarted or reloaded, enabled or disabled, masked or unmasked; systemd's configuration reloaded (daemon_reload) or systemd re-executed (daemon_reexec), alone or before the unit's changes. Registers name, state, enabled and status (systemctl show's properties). Refused: scope user and global.
 */
export type SystemdArgs = {
  [k: string]: unknown;
} & (
  | {
      state: unknown;
    }
  | {
      enabled: unknown;
    }
  | {
      masked: unknown;
    }
  | {
      daemon_reload: unknown;
    }
  | {
      daemon_reexec: unknown;
    }
) & {
    /**
     * The unit name, e.g. nfs-server or rpcbind.socket; without a suffix systemd assumes .service. No globs.
     */
    name?: string;
    /**
     * started / stopped: changed only when the unit is not already so (stopped also stops a deactivating unit). restarted / reloaded: a running unit is restarted / reloaded (`systemctl reload` fails on a unit that cannot reload), a stopped one is started; either way registers state: started.
     */
    state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
    /**
     * Whether the unit starts at boot (`systemctl enable` / `disable`). As `systemctl is-enabled` says: static units count as enabled (and cannot be disabled: the task fails), indirect and alias ones as disabled.
     */
    enabled?: boolean;
    /**
     * Whether the unit is masked (`systemctl mask` / `unmask`): a masked unit cannot be started. Works on units not installed yet.
     */
    masked?: boolean;
    /**
     * Run `systemctl daemon-reload` first (not in check mode). It alone is not a change, as in Ansible.
     */
    daemon_reload?: boolean;
    /**
     * Run `systemctl daemon-reexec` first (not in check mode). It alone is not a change, as in Ansible.
     */
    daemon_reexec?: boolean;
    /**
     * system only: user and global units are refused.
     */
    scope?: 'system';
    /**
     * Do not wait for start, stop, restart or reload to finish (`systemctl --no-block`).
     */
    no_block?: boolean;
    /**
     * `systemctl --force` for enable, disable, mask and unmask: replace conflicting symbolic links.
     */
    force?: boolean;
  };
