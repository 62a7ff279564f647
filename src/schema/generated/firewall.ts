/* Generated from schemas/modules/firewall.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A firewalld service name (see `firewall-cmd --get-services`), e.g. nfs, rpc-bind, mountd.
 */
export type ServiceName = string;
/**
 * A port or an inclusive port range with its protocol, e.g. 2049/tcp or 49152-49215/tcp.
 */
export type PortSpec = string;

/**
 * Open or close firewalld services and ports in a zone, in the permanent and the running configuration. A host without firewalld, or where it is not running, is skipped with that reason unless required is true. Give service, port, or both.
 */
export interface FirewallArgs {
  /**
   * One firewalld service or a list of them.
   */
  service?: ServiceName | [ServiceName, ...ServiceName[]];
  /**
   * One port spec (PORT[-PORT]/PROTOCOL) or a list of them.
   */
  port?: PortSpec | [PortSpec, ...PortSpec[]];
  /**
   * The firewalld zone; the host's default zone when omitted.
   */
  zone?: string;
  /**
   * enabled: the services and ports are allowed; disabled: they are not.
   */
  state?: 'enabled' | 'disabled';
  /**
   * Apply to the permanent configuration (survives reloads and reboots).
   */
  permanent?: boolean;
  /**
   * Apply to the running firewall now.
   */
  immediate?: boolean;
  /**
   * Fail instead of skipping when firewalld is not installed or not running.
   */
  required?: boolean;
}
