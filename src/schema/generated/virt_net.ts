/* Generated from schemas/modules/virt_net.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's community.libvirt.virt_net with its meaning, on qemu:///system: a libvirt network present (defined from xml once), active, inactive or absent, its autostart, and the read-only commands status, get_xml and list_nets (probes: never a change). Ansible's other commands are refused.
 */
export type VirtNetArgs = {
  [k: string]: unknown;
} & (
  | {
      name: unknown;
    }
  | {
      network: unknown;
    }
) &
  (
    | {
        state: unknown;
      }
    | {
        command: unknown;
      }
    | {
        autostart: unknown;
      }
  ) & {
    /**
     * The network's name. Alias: network.
     */
    name?: string;
    /**
     * Ansible's alias of `name`.
     */
    network?: string;
    /**
     * present: defined from xml when missing (an existing definition is kept as it is, not compared: Ansible's meaning). active: started (it must be defined). inactive: stopped when defined and active. absent: stopped and undefined when defined. With command list_nets: active or inactive lists only those. A missing network fails state active (in check mode it is skipped: an earlier task may define it).
     */
    state?: 'present' | 'active' | 'inactive' | 'absent';
    /**
     * define: as state present. status: registers `status` (active or inactive). get_xml: registers `get_xml`. list_nets: registers `list_nets`, the names (name is still required, as in Ansible). Refused, with what to use instead: create, start, stop, destroy, undefine (Ansible reports them unchanged; use state active, inactive or absent), modify, facts and info.
     */
    command?: 'define' | 'status' | 'get_xml' | 'list_nets';
    /**
     * Start the network when libvirtd starts; changed only when it differs. The network must be defined. Not together with state or command (Ansible ignores it there).
     */
    autostart?: boolean;
    /**
     * The network's XML, for state present or command define (used only when the network is not defined yet).
     */
    xml?: string;
    /**
     * libvirt's connection URI. Only qemu:///system (Ansible's default) is supported.
     */
    uri?: 'qemu:///system';
  };
