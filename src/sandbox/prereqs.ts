import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunbookError } from '../errors.js';

/** A program the sandbox runs on the runner, and the Debian package that provides it. */
const PROGRAMS: ReadonlyArray<{ program: string; pkg: string }> = [
  { program: 'systemd-nspawn', pkg: 'systemd-container' },
  { program: 'debootstrap', pkg: 'debootstrap' },
  { program: 'socat', pkg: 'socat' },
  { program: 'zstd', pkg: 'zstd' },
  { program: 'ip', pkg: 'iproute2' },
  { program: 'sysctl', pkg: 'procps' },
  { program: 'ssh-keygen', pkg: 'openssh-client' },
  { program: 'nsenter', pkg: 'util-linux' },
  { program: 'mkfs.ext4', pkg: 'e2fsprogs' },
];

export interface PrerequisiteProblem {
  problem: string;
  /** The exact command that fixes it. */
  fix: string;
}

export function findOnPath(program: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(':').filter(Boolean)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** Everything missing on this machine, each with its fix; empty when the sandbox can start. */
export function prerequisiteProblems(): PrerequisiteProblem[] {
  const problems: PrerequisiteProblem[] = [];
  if (process.getuid?.() !== 0) {
    problems.push({
      problem: 'the sandbox needs root (network namespaces, overlay mounts, systemd-nspawn)',
      fix: 'sudo runbook sandbox up',
    });
  }
  const missing = PROGRAMS.filter(({ program }) => findOnPath(program) === undefined);
  if (missing.length > 0) {
    problems.push({
      problem: `missing ${missing.map(({ program }) => program).join(', ')}`,
      fix: `apt-get install -y ${[...new Set(missing.map(({ pkg }) => pkg))].join(' ')}`,
    });
  }
  if (!kernelHasOverlayfs()) {
    problems.push({ problem: 'the kernel has no overlayfs', fix: 'modprobe overlay' });
  }
  if (!existsSync('/dev/loop-control')) {
    problems.push({ problem: 'the kernel has no loop devices (the shared storage is a loop-mounted ext4 file)', fix: 'modprobe loop' });
  }
  return problems;
}

export function assertPrerequisites(): void {
  const problems = prerequisiteProblems();
  if (problems.length === 0) return;
  throw new RunbookError(
    'RB_SANDBOX',
    `the sandbox cannot start on this machine:\n${problems.map(({ problem, fix }) => `  - ${problem}; fix: ${fix}`).join('\n')}`,
  );
}

function kernelHasOverlayfs(): boolean {
  try {
    return /\toverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  } catch {
    return false;
  }
}
