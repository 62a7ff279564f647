/* Generated from schemas/modules/hostname.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * The host's name, as Ansible's ansible.builtin.hostname does on a systemd host: the static (permanent) name set with `hostnamectl --pretty --static set-hostname`, then the running (transient) one with `hostnamectl --transient set-hostname`; registers name and ansible_facts (ansible_hostname, ansible_nodename, ansible_fqdn, ansible_domain). Hosts without systemd, and the strategies of other systems (use: redhat, alpine, …), are refused.
 */
export interface HostnameArgs {
  /**
   * The host name (at most 64 characters, as hostnamectl takes).
   */
  name: string;
  /**
   * The strategy: systemd (debian is the same in Ansible). Without it, a host whose facts say systemd runs uses it.
   */
  use?: 'systemd' | 'debian';
}
