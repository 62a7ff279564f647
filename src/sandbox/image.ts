import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { runLocal } from './exec.js';
import { removeTree } from './mounts.js';
import { MOUNT_NFS_HELPER } from './mount-nfs-helper.js';
import type { SandboxPaths } from './paths.js';
import { APT_PROXY_PORT, LAB_GATEWAY } from './profile.js';

/**
 * The host image: Debian bookworm (debootstrap minbase) with the sandbox's customisations baked in,
 * cached as a zstd tarball plus its extracted tree (the overlay lower directory of every host).
 * The cache key is a hash of everything that goes into the image, so changing a customisation
 * rebuilds it.
 */

const SUITE = 'bookworm';
const INCLUDE = [
  'openssh-server',
  'sudo',
  'python3',
  'iproute2',
  'procps',
  'systemd',
  'systemd-sysv',
  'dbus',
  'ca-certificates',
  'libnfs-utils',
];
const DEFAULT_MIRRORS: DebianMirrors = { main: 'http://deb.debian.org/debian', security: 'http://deb.debian.org/debian-security' };

/** Units that slow boot or shutdown, or do nothing useful in a container. */
const MASKED_UNITS = [
  'systemd-timesyncd.service',
  'getty@tty1.service',
  'console-getty.service',
  'apt-daily.service',
  'apt-daily.timer',
  'apt-daily-upgrade.service',
  'apt-daily-upgrade.timer',
  'dpkg-db-backup.service',
  'dpkg-db-backup.timer',
  'e2scrub_all.service',
  'e2scrub_all.timer',
  'e2scrub_reap.service',
  'fstrim.service',
  'fstrim.timer',
  // Hangs shutdown inside a container.
  'libvirt-guests.service',
  // nfs-common and nfs-ganesha pull these in; the kernel has no rpc_pipefs (nor an NFS client to use it).
  'run-rpc_pipefs.mount',
  'var-lib-nfs-rpc_pipefs.mount',
];

/**
 * Removed from the image: the build machine's host keys and name, debootstrap's sources.list
 * (replaced by debian.sources), and package lists and archives, which go stale (hosts run
 * apt-get update like any fresh Debian machine). A `*` matches within the last path segment.
 */
const REMOVED = [
  '/etc/ssh/ssh_host_*',
  '/etc/hostname',
  '/etc/apt/sources.list',
  '/var/lib/apt/lists/*_*',
  '/var/cache/apt/archives/*.deb',
];

/** Package paths replaced by the sandbox, kept replaced when the package is installed. */
const DIVERTED = ['/sbin/mount.nfs', '/sbin/mount.nfs4'];

export interface DebianMirrors {
  main: string;
  security: string;
}

interface ImageFile {
  path: string;
  content: string;
  mode: number;
}

const IMAGE_STAMP_FILE = '/etc/runbook-sandbox-image';

export const APT_CONFIG_FILE = '/etc/apt/apt.conf.d/90runbook-sandbox';

/**
 * apt's settings on a host whose lab network has this gateway. The image holds the plain lab's;
 * every host gets its own network's when it boots (see writeHostFiles).
 */
export function aptConfig(gateway: string): string {
  return [
    '// runbook sandbox: packages come through the runner\'s caching proxy, and config files the',
    '// sandbox pre-seeds (libvirt) survive package installs.',
    `Acquire::http::Proxy "http://${gateway}:${APT_PROXY_PORT}";`,
    'Dpkg::Options { "--force-confdef"; "--force-confold"; };',
    '',
  ].join('\n');
}

/**
 * The Debian mirrors named in a deb822 sources file (the runner's /etc/apt/sources.list.d/debian.sources).
 * Only http:// works through the sandbox's apt proxy; anything else falls back to deb.debian.org.
 */
export function debianMirrors(sourcesText: string | undefined): DebianMirrors {
  const mirrors = { ...DEFAULT_MIRRORS };
  for (const paragraph of (sourcesText ?? '').split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of paragraph.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
    }
    const uri = (fields.get('uris') ?? '').split(/\s+/).find((candidate) => candidate.startsWith('http://'));
    const types = (fields.get('types') ?? '').split(/\s+/);
    const suites = (fields.get('suites') ?? '').split(/\s+/);
    if (!uri || !types.includes('deb') || fields.get('enabled') === 'no') continue;
    const base = uri.replace(/\/+$/, '');
    if (suites.some((suite) => suite.endsWith('-security'))) mirrors.security = base;
    else if (suites.some((suite) => /^[a-z]+(-updates)?$/.test(suite))) mirrors.main = base;
  }
  return mirrors;
}

function imageFiles(mirrors: DebianMirrors): ImageFile[] {
  const text = (path: string, content: string, mode = 0o644): ImageFile => ({ path, content, mode });
  return [
    text(
      '/etc/apt/sources.list.d/debian.sources',
      [
        `Types: deb\nURIs: ${mirrors.main}\nSuites: ${SUITE} ${SUITE}-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
        `Types: deb\nURIs: ${mirrors.security}\nSuites: ${SUITE}-security\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
      ].join('\n'),
    ),
    text(APT_CONFIG_FILE, aptConfig(LAB_GATEWAY)),
    // Every host generates its own host keys on first boot.
    text(
      '/etc/systemd/system/ssh.service.d/runbook-sandbox-host-keys.conf',
      '[Service]\nExecStartPre=\nExecStartPre=/usr/bin/ssh-keygen -A\nExecStartPre=/usr/sbin/sshd -t\n',
    ),
    text('/etc/resolv.conf', '# runbook sandbox: hosts have no DNS; lab host names are in /etc/hosts\n'),
    text('/etc/machine-id', ''),
    // What libvirt needs inside a container; kept by --force-confold when libvirt is installed.
    text(
      '/etc/libvirt/qemu.conf',
      [
        '# runbook sandbox: libvirt in a container (no per-domain users, no confinement, no cgroup limits)',
        'user = "root"',
        'group = "root"',
        'security_driver = "none"',
        'cgroup_controllers = [ ]',
        '',
      ].join('\n'),
    ),
    text('/usr/sbin/mount.nfs', MOUNT_NFS_HELPER, 0o755),
  ];
}

/** Everything that decides the image's content: its hash names the cached image. */
function imageRecipe(mirrors: DebianMirrors): { stamp: string; files: ImageFile[] } {
  const files = imageFiles(mirrors);
  const recipe = JSON.stringify({ SUITE, INCLUDE, MASKED_UNITS, REMOVED, DIVERTED, files });
  return { stamp: `${SUITE}-${createHash('sha256').update(recipe).digest('hex').slice(0, 12)}`, files };
}

/** Returns the extracted image (the overlay lower directory), building or extracting it first if needed. */
export async function ensureImage(paths: SandboxPaths, progress: (message: string) => void): Promise<{ rootfs: string; stamp: string }> {
  const mirrors = debianMirrors(readIfExists('/etc/apt/sources.list.d/debian.sources'));
  const { stamp, files } = imageRecipe(mirrors);
  const dir = join(paths.imagesDir, stamp);
  const rootfs = join(dir, 'rootfs');
  const ready = join(dir, 'ready');
  const tarball = join(paths.imagesDir, `${stamp}.tar.zst`);
  if (existsSync(ready)) return { rootfs, stamp };

  mkdirSync(paths.imagesDir, { recursive: true });
  await removeTree(dir);
  if (existsSync(tarball)) {
    progress(`extracting the cached host image ${stamp}`);
    mkdirSync(rootfs, { recursive: true });
    await runLocal('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-I', 'zstd', '-xpf', tarball, '-C', rootfs]);
  } else {
    await buildImage(paths, stamp, files, mirrors, tarball, progress);
  }
  writeFileSync(ready, `${new Date().toISOString()}\n`);
  await removeOtherImages(paths, stamp);
  return { rootfs, stamp };
}

async function buildImage(
  paths: SandboxPaths,
  stamp: string,
  files: ImageFile[],
  mirrors: DebianMirrors,
  tarball: string,
  progress: (message: string) => void,
): Promise<void> {
  const build = join(paths.imagesDir, `${stamp}.build`);
  const rootfs = join(build, 'rootfs');
  await removeTree(build);
  mkdirSync(build, { recursive: true });
  progress(`building the host image ${stamp} with debootstrap (once; a few minutes) from ${mirrors.main}`);
  let steps = 0;
  await runLocal('debootstrap', ['--variant=minbase', `--include=${INCLUDE.join(',')}`, SUITE, rootfs, mirrors.main], {
    onLine: (line) => {
      // One "I: Retrieving/Validating/Extracting/Unpacking/Configuring <package>" line per package and
      // phase: show every 20th of those, and every other message.
      const perPackage = /^I: (Retrieving|Validating|Extracting|Unpacking|Configuring) \S/.test(line);
      steps += 1;
      if (!perPackage || steps % 20 === 0) progress(`image: ${line.replace(/^I: /, '')}`);
    },
  });
  progress('image: customising');
  await customise(rootfs, stamp, files);
  progress('image: compressing to the cache');
  const partial = `${tarball}.partial`;
  await runLocal('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-I', 'zstd -3 -T0', '-cf', partial, '-C', rootfs, '.']);
  renameSync(partial, tarball);
  renameSync(build, join(paths.imagesDir, stamp));
}

async function customise(rootfs: string, stamp: string, files: ImageFile[]): Promise<void> {
  for (const path of DIVERTED) {
    await runLocal('chroot', [rootfs, 'dpkg-divert', '--local', '--rename', '--divert', `${path}.distrib`, '--add', path]);
  }
  for (const file of files) {
    const target = join(rootfs, file.path);
    mkdirSync(dirname(target), { recursive: true });
    rmSync(target, { force: true });
    writeFileSync(target, file.content, { mode: file.mode });
  }
  symlinkSync('mount.nfs', join(rootfs, 'usr/sbin/mount.nfs4'));
  const systemDir = join(rootfs, 'etc/systemd/system');
  for (const unit of MASKED_UNITS) {
    rmSync(join(systemDir, unit), { force: true });
    symlinkSync('/dev/null', join(systemDir, unit));
  }
  for (const pattern of REMOVED) {
    const dir = join(rootfs, dirname(pattern));
    const name = new RegExp(`^${basename(pattern).split('*').map(escapeRegExp).join('.*')}$`);
    for (const entry of readdirSync(dir).filter((candidate) => name.test(candidate))) rmSync(join(dir, entry), { recursive: true });
  }
  writeFileSync(join(rootfs, IMAGE_STAMP_FILE.slice(1)), `${stamp}\n`);
}

async function removeOtherImages(paths: SandboxPaths, stamp: string): Promise<void> {
  for (const name of readdirSync(paths.imagesDir)) {
    if (name === stamp || name === `${stamp}.tar.zst`) continue;
    await removeTree(join(paths.imagesDir, name));
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
