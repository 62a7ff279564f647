import type { AnsibleConfig } from '../load/ansible-cfg.js';
import type { ConnectionDefaults, HostKeyPolicy } from '../transport/types.js';

export const DEFAULT_FORKS = 25;
export const DEFAULT_CONNECT_TIMEOUT_S = 15;
/** How long a run waits for another run's lock on a host (apply): longer than most labs take, short of forever. */
export const DEFAULT_LOCK_TIMEOUT_S = 600;

export interface RunSettingOptions {
  forks?: number;
  connectTimeout?: number;
  hostKeyPolicy?: HostKeyPolicy;
}

/** How a run connects and how wide it goes: command-line options, else Ansible's configuration, else runbook's defaults. */
export function runSettings(
  options: RunSettingOptions,
  config: AnsibleConfig,
): { forks: number; connectTimeoutMs: number; hostKeyPolicy: HostKeyPolicy; connectionDefaults: ConnectionDefaults } {
  return {
    forks: options.forks ?? config.forks ?? DEFAULT_FORKS,
    connectTimeoutMs: (options.connectTimeout ?? config.timeout ?? DEFAULT_CONNECT_TIMEOUT_S) * 1000,
    // host_key_checking = False records unknown keys; a changed key is refused whatever the setting.
    hostKeyPolicy: options.hostKeyPolicy ?? (config.hostKeyChecking ? 'strict' : 'accept-new'),
    connectionDefaults: {
      ...(config.remoteUser === undefined ? {} : { user: config.remoteUser }),
      ...(config.remotePort === undefined ? {} : { port: config.remotePort }),
      ...(config.privateKeyFile === undefined ? {} : { privateKeyFile: config.privateKeyFile }),
    },
  };
}
