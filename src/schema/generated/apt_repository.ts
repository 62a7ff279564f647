/* Generated from schemas/modules/apt_repository.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A one-line apt source (`deb …` or `deb-src …`) present or absent, as Ansible's ansible.builtin.apt_repository manages it: looked for in /etc/apt/sources.list and /etc/apt/sources.list.d/*.list (a commented-out copy is enabled again), added to sources.list.d/FILENAME.list otherwise; every source file is written back as Ansible writes them when anything changed; `apt-get update` after a change unless update_cache is false. PPAs (ppa:…), codename, install_python_apt, validate_certs and the update_cache retry options are refused.
 */
export interface AptRepositoryArgs {
  /**
   * The source line, e.g. `deb [arch=amd64] http://deb.example.org/debian bookworm main`.
   */
  repo: string;
  /**
   * present or absent.
   */
  state?: 'present' | 'absent';
  /**
   * The file in /etc/apt/sources.list.d, without .list (added); by default made from the source's URL.
   */
  filename?: string;
  /**
   * Mode of a file the task creates (octal string).
   */
  mode?: string;
  /**
   * Run `apt-get update` after a change (alias: update-cache).
   */
  update_cache?: boolean;
  /**
   * Ansible's alias of update_cache.
   */
  'update-cache'?: boolean;
}
