/* Generated from schemas/modules/virt.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's community.libvirt.virt with its meaning, on qemu:///system: a domain's state (running, shutdown, destroyed, paused), its autostart, `command: define` from xml, and the read-only commands status, get_xml, uuid and list_vms (probes: never a change). The other commands are refused; for a domain kept in a state with a graceful shutdown that waits, see virt_domain.
 */
export type VirtArgs = {
  [k: string]: unknown;
} & (
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
     * The domain's name. With command define it may come from the XML's <name> instead; given both, they must match. Alias: guest.
     */
    name?: string;
    /**
     * Ansible's alias of `name`.
     */
    guest?: string;
    /**
     * running: started (or resumed when paused). shutdown: a graceful shutdown requested when the domain is not off (not waited for, as in Ansible). destroyed: powered off at once when not off. paused: suspended when running (a shut-off domain stays off). With command list_vms: list only the domains in this state. A domain that is not defined fails the task, as in Ansible (in check mode it is skipped: an earlier task may define it). Not together with another command.
     */
    state?: 'running' | 'shutdown' | 'destroyed' | 'paused';
    /**
     * define: define (or update) the domain from xml; changed only when libvirt's definition differs. status: registers `status` (running, paused, shutdown or crashed). get_xml: registers `get_xml`, the domain's XML. uuid: registers `uuid`. list_vms: registers `list_vms`, the names of the domains (with state: only those in it). Refused, with what to use instead: create, start, stop, shutdown, destroy, pause, unpause (Ansible reports them unchanged and fails when the domain is already in that state; use state: running, shutdown, destroyed or paused), undefine (Ansible reports it unchanged; use virt_domain with state: undefined), info, nodeinfo, freemem, virttype and get_interfaces.
     */
    command?: 'define' | 'status' | 'get_xml' | 'uuid' | 'list_vms';
    /**
     * Start the domain when libvirtd starts; changed only when it differs. With command define, set after the definition; otherwise the domain must exist.
     */
    autostart?: boolean;
    /**
     * The domain XML, for command define.
     */
    xml?: string;
    /**
     * With command define: ADD_UUID (the default) gives XML without a <uuid> the existing domain's uuid, so that it updates that domain. ADD_MAC_ADDRESSES and ADD_MAC_ADDRESSES_FUZZY are refused.
     */
    mutate_flags?: 'ADD_UUID'[];
    /**
     * libvirt's connection URI. Only qemu:///system (Ansible's default) is supported.
     */
    uri?: 'qemu:///system';
  };
