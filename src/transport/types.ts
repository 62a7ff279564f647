import type { Command } from '../shell/command.js';

export interface ExecResult {
  /** Exit status; null when the remote side reported none (treated as a failure). */
  code: number | null;
  /** Signal name when the command was killed by one. */
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  stdin?: string | Buffer;
  /**
   * stdin is not ended after `stdin`: it stays open until the command is stopped or the connection
   * ends (the run lock's channel, which holds its lock until then).
   */
  keepStdinOpen?: boolean;
  /** Abort the command (and fail) after this long; Infinity: never, whatever the run's --timeout. */
  timeoutMs?: number;
  /** Called with each chunk of stdout as it arrives (progress parsing). */
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface TransportStats {
  connections: number;
  execs: number;
}

/** Bytes over the wire. Knows nothing of modules or playbooks; runs already-rendered Commands. */
export interface Transport {
  readonly name: string;
  readonly stats: TransportStats;
  connect(): Promise<void>;
  exec(command: Command, options?: ExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

/** How to reach one host, resolved from inventory vars and ~/.ssh/config. */
export interface ConnectionSettings {
  connection: 'ssh' | 'local';
  /** Inventory name. */
  name: string;
  address: string;
  port: number;
  user: string;
  privateKeyFiles: string[];
  password?: string;
  knownHostsFile: string;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeoutMs: number;
  commandTimeoutMs?: number;
  jump?: ConnectionSettings;
}

export type HostKeyPolicy = 'strict' | 'accept-new';

/** Ansible's remote_user, remote_port and private_key_file settings: below the inventory's variables, above ~/.ssh/config. */
export interface ConnectionDefaults {
  user?: string;
  port?: number;
  privateKeyFile?: string;
}
