/* Generated from schemas/modules/migrate.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Move a libvirt domain from the host the task runs on to another inventory host, live or offline, after named pre-checks (domain state on both hosts, destination libvirt, shared storage proven with a nonce file, disk cache mode, destination address, CPU model, free memory) and with a verification afterwards. Ok when the domain already runs on the destination and not here; fails when it runs on both or on neither.
 */
export interface MigrateArgs {
  /**
   * Name of the domain to move.
   */
  domain: string;
  /**
   * Inventory name of the destination host, also its host name in the default dest_uri. Probes and offline steps run there through runbook's own connection.
   */
  dest: string;
  /**
   * live: the domain keeps running while its memory is copied (virsh migrate --live). offline: shut it down, carry its definition (and its disks when the destination does not see them), define and start it on the destination.
   */
  mode?: 'live' | 'offline';
  /**
   * libvirt URI of the destination as the source host reaches it (live mode), naming its host: driver[+transport]://[user@]host[:port]/path[?parameters], e.g. qemu+ssh://kvm2.lab/system or qemu+tcp://10.77.0.12/system. Default qemu+ssh://DEST/system, DEST being the destination's inventory name, which must resolve from the source to a non-loopback address.
   */
  dest_uri?: string;
  /**
   * Live mode: keep the domain defined on the destination (virsh migrate --persistent). Offline mode always defines it there.
   */
  persistent?: boolean;
  /**
   * Undefine the domain on the source once it runs on the destination.
   */
  undefine_source?: boolean;
  /**
   * Accept disks whose cache mode is not none or directsync: the guest may see stale or lost writes after the move. (Without copy_storage, runbook always passes virsh migrate --unsafe once its own checks have proven the storage shared and the cache mode safe: libvirt judges sharing by filesystem type and refuses shared storage it does not recognise.)
   */
  unsafe?: boolean;
  /**
   * Throttle the guest's CPUs if memory is dirtied faster than it is copied (virsh migrate --auto-converge).
   */
  auto_converge?: boolean;
  /**
   * Seconds the live migration may take; after that virsh aborts the migration job on the source and the domain keeps running there (an interrupted runbook aborts it with virsh domjobabort). Offline mode: the limit for each step.
   */
  timeout?: number;
  /**
   * Maximum migration bandwidth in MiB/s (virsh migrate --bandwidth).
   */
  bandwidth?: number;
  /**
   * Live mode: copy the disks to the destination during the migration (all: whole disks, inc: incremental over a shared backing file); none: the disks must be on storage both hosts share.
   */
  copy_storage?: 'none' | 'all' | 'inc';
  /**
   * Carry the migration data through the libvirtd connection (virsh migrate --tunnelled; implies p2p).
   */
  tunnelled?: boolean;
  /**
   * Let the source libvirtd connect to the destination directly (virsh migrate --p2p).
   */
  p2p?: boolean;
  /**
   * More virsh migrate options, each one word starting with --, e.g. --compressed.
   */
  extra_flags?: string[];
  /**
   * Offline mode: seconds to wait for the guest to shut down gracefully before on_shutdown_timeout applies.
   */
  shutdown_timeout?: number;
  /**
   * Offline mode: what to do when the guest has not shut down after shutdown_timeout seconds: fail (nothing has moved yet), or destroy (power it off) and go on.
   */
  on_shutdown_timeout?: 'fail' | 'destroy';
  /**
   * Live mode: inventory host, neither the source nor the destination (e.g. the NFS server), that pings guest_address every ping_interval_ms while the guest moves. The task then reports the measured downtime (the longest gap between two replies) beside libvirt's figure, and checks that the guest answers at the same address from the destination afterwards. Needs ping (iputils-ping) on that host and on the destination.
   */
  ping_from?: string;
  /**
   * The guest's IPv4 address, pinged from ping_from before, during and after a live migration.
   */
  guest_address?: string;
  /**
   * Milliseconds between two pings from ping_from (ping -i; below 200 needs root there): the resolution of the measured downtime.
   */
  ping_interval_ms?: number;
}
