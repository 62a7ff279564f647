/* Generated from schemas/modules/virt_pool.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's community.libvirt.virt_pool with its meaning, on qemu:///system: a libvirt storage pool present (defined from xml once), active, inactive, absent or deleted, its autostart, build and delete (changed every time, as in Ansible), and the read-only commands status, get_xml and list_pools (probes: never a change). Ansible's other commands are refused.
 */
export type VirtPoolArgs = {
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
     * The storage pool's name (not needed by list_pools). Alias: pool.
     */
    name?: string;
    /**
     * Ansible's alias of `name`.
     */
    pool?: string;
    /**
     * present: defined from xml when missing (an existing definition is kept as it is, not compared: Ansible's meaning). active: started (it must be defined). inactive: stopped when defined and active. absent: stopped and undefined when defined. undefined: as absent. deleted: stopped, its storage deleted (virsh pool-delete: a dir pool's directory), then undefined. With command list_pools: active or inactive lists only those. A missing storage pool fails state active (in check mode it is skipped: an earlier task may define it).
     */
    state?: 'present' | 'active' | 'inactive' | 'absent' | 'undefined' | 'deleted';
    /**
     * define: as state present. build: builds the pool (virsh pool-build: for a dir pool, creates its directory), changed every time, as in Ansible. delete: deletes its storage (virsh pool-delete), changed every time. status: registers `status` (active or inactive). get_xml: registers `get_xml`. list_pools: registers `list_pools`, the names. Refused, with what to use instead: create, start, stop, destroy, undefine (Ansible reports them unchanged; use state active, inactive or absent), refresh, facts and info.
     */
    command?: 'define' | 'build' | 'delete' | 'status' | 'get_xml' | 'list_pools';
    /**
     * Start the storage pool when libvirtd starts; changed only when it differs. The storage pool must be defined. Not together with state or command (Ansible ignores it there).
     */
    autostart?: boolean;
    /**
     * The storage pool's XML, for state present or command define (used only when the storage pool is not defined yet).
     */
    xml?: string;
    /**
     * With command build: new (the default), no_overwrite or overwrite. With command delete or state deleted: normal. repair, resize and zeroed are refused (virsh has no such option).
     */
    mode?: 'new' | 'no_overwrite' | 'overwrite' | 'normal';
    /**
     * libvirt's connection URI. Only qemu:///system (Ansible's default) is supported.
     */
    uri?: 'qemu:///system';
  };
