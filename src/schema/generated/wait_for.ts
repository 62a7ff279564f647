/* Generated from schemas/modules/wait_for.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Wait, on the host, until a TCP port accepts connections or refuses them, a file exists (optionally holding a match of search_regex) or is gone; or, with neither port nor path, simply wait `timeout` seconds. Fails after `timeout` seconds; registers `elapsed`. Changes nothing. No state drained (exclude_hosts, active_connection_states), and no search_regex on a port: those are refused.
 */
export type WaitForArgs = {
  [k: string]: unknown;
} & {
  /**
   * The address or host name to connect to, as seen from the host the task runs on (127.0.0.1 is that host itself).
   */
  host?: string;
  /**
   * The TCP port to wait for (cannot be combined with path).
   */
  port?: number;
  /**
   * The file to wait for (cannot be combined with port). `~` is not expanded: a path starting with it is refused.
   */
  path?: string;
  /**
   * started or present: until the port accepts a connection, or the file exists (and matches search_regex, if given). stopped or absent: until the port refuses connections, or the file is gone.
   */
  state?: 'started' | 'present' | 'stopped' | 'absent';
  /**
   * With path: wait until the file's content matches this regular expression (Perl-compatible, as grep -P reads it; multi-line, as Ansible's re.MULTILINE: ^ and $ match at every line). Registered groups: `match_groups`, `match_groupdict`.
   */
  search_regex?: string;
  /**
   * Seconds to wait at most, counted from the start (delay included); then the task fails. With neither port nor path, the time to wait.
   */
  timeout?: number;
  /**
   * Seconds to wait before the first check.
   */
  delay?: number;
  /**
   * Seconds between two checks.
   */
  sleep?: number;
  /**
   * Seconds a connection attempt may take before it counts as failed.
   */
  connect_timeout?: number;
  /**
   * The failure message when the condition is not met in time, instead of the default one.
   */
  msg?: string;
};
