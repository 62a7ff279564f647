/* Generated from schemas/modules/firewalld.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A firewalld service name (see `firewall-cmd --get-services`), e.g. nfs, rpc-bind, mountd.
 */
export type ServiceName = string;
/**
 * A port or an inclusive port range with its protocol, e.g. 2049/tcp or 49152-49215/tcp.
 */
export type PortSpec = string;

/**
 * Ansible's ansible.posix.firewalld for services and ports: with permanent false (the default) the running configuration only; with permanent: true the permanent one only, unless immediate: true too. A host where firewalld is not installed or not running fails. Ansible's other arguments (rich_rule, source, interface, masquerade, icmp_block, target, offline, timeout, zone states present/absent) are refused.
 */
export interface FirewalldArgs {
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
   * enabled: the services and ports are allowed; disabled: they are not (Ansible's present and absent, for zones, are refused).
   */
  state: 'enabled' | 'disabled';
  /**
   * Change the permanent configuration instead of the running one.
   */
  permanent?: boolean;
  /**
   * With permanent: true, change the running configuration too.
   */
  immediate?: boolean;
}
