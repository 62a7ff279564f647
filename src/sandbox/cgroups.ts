import { mkdirSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';

/**
 * Each host gets a cgroup of its own. With --keep-unit, systemd-nspawn puts the container in a
 * `payload` cgroup below its own: started from one cgroup, every host would share it, and a host's
 * systemd stopping a unit (which kills by cgroup) would also kill that unit on the other hosts.
 * So nspawn is started already moved into runbook-sandbox/<host> of every hierarchy that tracks
 * processes: cgroup2 and, on hybrid or legacy systems, the name=systemd v1 hierarchy.
 */

const SANDBOX_CGROUP = 'runbook-sandbox';

/** Mount points of the cgroup hierarchies systemd tracks processes with. */
export function processHierarchies(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return mountinfo.split('\n').flatMap((line) => {
    const [mount, filesystem] = line.split(' - ');
    const mountPoint = mount?.split(' ')[4];
    const [type, , superOptions] = filesystem?.split(' ') ?? [];
    const tracked = type === 'cgroup2' || (type === 'cgroup' && (superOptions ?? '').split(',').includes('name=systemd'));
    return tracked && mountPoint ? [mountPoint] : [];
  });
}

/** Creates the host's cgroups; returns their cgroup.procs files, where a process moves itself in. */
export function createHostCgroups(name: string): string[] {
  return processHierarchies().map((hierarchy) => {
    const dir = join(hierarchy, SANDBOX_CGROUP, name);
    mkdirSync(dir, { recursive: true });
    return join(dir, 'cgroup.procs');
  });
}

/** Removes the sandbox's cgroups (empty once its processes are gone), deepest first. */
export function removeSandboxCgroups(): void {
  const left: string[] = [];
  for (const hierarchy of processHierarchies()) {
    for (const dir of cgroupsBelow(join(hierarchy, SANDBOX_CGROUP))) {
      try {
        rmdirSync(dir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') left.push(dir);
      }
    }
  }
  if (left.length > 0) throw new RunbookError('RB_SANDBOX', `cannot remove the cgroups ${left.join(', ')}: processes are still in them`);
}

function cgroupsBelow(dir: string): string[] {
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name));
  } catch {
    return [];
  }
  return [...children.flatMap(cgroupsBelow), dir];
}
