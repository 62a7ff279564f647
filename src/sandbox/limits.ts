import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Every host's systemd, logind and dbus hold inotify instances, and all of them count against
 * root's limit on the runner (the hosts share its user namespace). The usual default of 128 per user
 * runs out at about 18 hosts: with 20, the last hosts' logind already failed ("Too many open files").
 */

const MAX_USER_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';
/** An idle host holds 7 (measured); the rest is room for the services a lab adds. */
const INSTANCES_PER_HOST = 12;
/** Left for root's own programs on the runner. */
const RUNNER_INSTANCES = 64;

/** Raises fs.inotify.max_user_instances to what this many hosts need, if it is lower. Never lowers it. */
export function ensureInotifyInstances(hosts: number, progress: (message: string) => void): void {
  const needed = hosts * INSTANCES_PER_HOST + RUNNER_INSTANCES;
  const current = Number(readFileSync(MAX_USER_INSTANCES, 'utf8'));
  if (current >= needed) return;
  progress(`raising fs.inotify.max_user_instances from ${current} to ${needed} for ${hosts} hosts`);
  writeFileSync(MAX_USER_INSTANCES, `${needed}\n`);
}
