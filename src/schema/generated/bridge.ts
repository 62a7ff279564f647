/* Generated from schemas/modules/bridge.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A Linux bridge holding one of the host's interfaces, with the interface's IPv4 address (and the default route through it) moved onto the bridge, as a KVM host gives its guests the host's own network. Live and persistent: systemd-networkd files in /etc/systemd/network on Debian; on RHEL-family hosts NetworkManager keyfiles in /etc/NetworkManager/system-connections (the bridge's and its port's, mode 0600), activated with nmcli, the rollback bringing back the interface's previous connection. Safe over the SSH connection it runs on: the host switches by itself, then rolls the change back unless runbook confirms over that same connection within confirm_timeout seconds; the task then fails with the reason. Check mode and diff; ok when in place.
 */
export interface BridgeArgs {
  /**
   * The bridge, e.g. br0.
   */
  name: string;
  /**
   * The interface put into the bridge, e.g. eth0 (the lab network's).
   */
  interface: string;
  /**
   * The bridge's IPv4 address with its prefix length, e.g. 10.77.0.13/24. Default: the address the interface has now (or the bridge, once moved).
   */
  address?: string;
  /**
   * The default route's gateway, through the bridge. Default: the gateway of the default route through the interface (or the bridge) now, if there is one.
   */
  gateway?: string;
  /**
   * Seconds the host waits for runbook's confirmation over the SSH connection after switching; without it, the host puts the interface back as it was.
   */
  confirm_timeout?: number;
}
