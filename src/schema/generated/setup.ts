/* Generated from schemas/modules/setup.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A gather_subset name of Ansible's, or one excluded with !: all, min (always gathered unless !min), hardware, network, virtual, or one collector (distribution, platform, date_time, …). runbook gathers the facts of platform, distribution, lsb, pkg_mgr, service_mgr, selinux, user, date_time, hardware (memory, processors) and network (addresses, default IPv4 route); the other subsets are accepted and gather nothing more.
 */
export type GatherSubsetName =
  | 'all'
  | 'min'
  | 'apparmor'
  | 'caps'
  | 'chroot'
  | 'cmdline'
  | 'date_time'
  | 'devices'
  | 'distribution'
  | 'dmi'
  | 'dns'
  | 'env'
  | 'facter'
  | 'fibre_channel_wwn'
  | 'fips'
  | 'hardware'
  | 'iscsi'
  | 'loadavg'
  | 'local'
  | 'lsb'
  | 'mounts'
  | 'network'
  | 'nvme'
  | 'ohai'
  | 'pkg_mgr'
  | 'platform'
  | 'python'
  | 'selinux'
  | 'service_mgr'
  | 'ssh_pub_keys'
  | 'user'
  | 'virtual'
  | '!all'
  | '!min'
  | '!apparmor'
  | '!caps'
  | '!chroot'
  | '!cmdline'
  | '!date_time'
  | '!devices'
  | '!distribution'
  | '!dmi'
  | '!dns'
  | '!env'
  | '!facter'
  | '!fibre_channel_wwn'
  | '!fips'
  | '!hardware'
  | '!iscsi'
  | '!loadavg'
  | '!local'
  | '!lsb'
  | '!mounts'
  | '!network'
  | '!nvme'
  | '!ohai'
  | '!pkg_mgr'
  | '!platform'
  | '!python'
  | '!selinux'
  | '!service_mgr'
  | '!ssh_pub_keys'
  | '!user'
  | '!virtual';

/**
 * Read the host's facts again, as Ansible's setup does, from the same one shell command as gather_facts (with become, as that user): they become variables (`ansible_facts.*` and `ansible_*`, merged into those read before) and are registered under `ansible_facts` in setup's form (`ansible_hostname`, …). Changes nothing: always ok. No gather_timeout or fact_path (local facts): those options are refused.
 */
export interface SetupArgs {
  /**
   * Which facts to read, as Ansible's gather_subset: a list, or names separated by commas (no spaces), each optionally excluded with !; default all.
   */
  gather_subset?: string | GatherSubsetName[];
  /**
   * Only the facts whose name (ansible_hostname, …) matches one of these shell patterns (fnmatch: *, ?, [seq]); a pattern without the ansible_ prefix is also tried with it. A list, or patterns separated by commas; default all.
   */
  filter?: string | string[];
}
