/**
 * The lab's networked guest (guest_image program busybox_net): Debian's cloud kernel and an initramfs
 * of busybox-static with the virtio modules, nothing else. Its init takes the address given on the
 * kernel command line, so one initramfs serves any lab, and appends a numbered line to its log disk
 * five times a second, each written with fsync: after a live migration the log continuing without a
 * gap or a repeat proves no write was lost or replayed.
 *
 * The initramfs is two cpio archives back to back, which the kernel unpacks in turn: the first, built
 * here (directories, /dev/console, /init), is uncompressed, so a probe reading its bytes back tells
 * whether the image on the host is current; the second (busybox and the modules, from the packages)
 * is packed on the host.
 */

/** The kernel's command-line word carrying the guest's address, e.g. runbook.address=10.77.0.16/24. */
export const ADDRESS_PARAMETER = 'runbook.address';

/** One record of the log disk: the line number right-aligned in 15 columns and a newline. */
export const LOG_RECORD_BYTES = 16;

/** Loaded in this order (each after what it needs); paths under /lib/modules/VERSION/kernel/. */
export const GUEST_KERNEL_MODULES = [
  'drivers/virtio/virtio_ring.ko',
  'drivers/virtio/virtio.ko',
  'drivers/virtio/virtio_pci_modern_dev.ko',
  'drivers/virtio/virtio_pci_legacy_dev.ko',
  'drivers/virtio/virtio_pci.ko',
  'net/core/failover.ko',
  'drivers/net/net_failover.ko',
  'drivers/net/virtio_net.ko',
  'drivers/block/virtio_blk.ko',
] as const;

/** Debian packages the guest is made of: the cloud kernel (a dependency of this metapackage) and busybox. */
export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';
export const BUSYBOX_PACKAGE = 'busybox-static';

const moduleNames = GUEST_KERNEL_MODULES.map((path) => path.slice(path.lastIndexOf('/') + 1, -'.ko'.length)).join(' ');

/** The guest's /init: busybox ash. */
export const GUEST_INIT = `#!/bin/busybox sh
# runbook's busybox_net lab guest (guest_image): network from the kernel command line, a numbered log on /dev/vda.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in ${moduleNames}; do insmod /lib/modules/$module.ko || echo "runbook guest: cannot load $module"; done
address=
for word in $(cat /proc/cmdline); do
  case "$word" in ${ADDRESS_PARAMETER}=*) address="\${word#${ADDRESS_PARAMETER}=}" ;; esac
done
ip link set lo up
ip link set eth0 up
if [ -n "$address" ]; then ip address add "$address" dev eth0; fi
waited=0
while [ ! -b /dev/vda ] && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
echo "runbook guest: up, eth0 \${address:-without an address}, uptime $(cut -d' ' -f1 /proc/uptime) s"
if [ -b /dev/vda ]; then
  size=$(blockdev --getsize64 /dev/vda)
  # Go on after the last line a previous boot wrote.
  line=$(tr -d '\\000' < /dev/vda | tail -n 1 | tr -d ' ')
  line=\${line:-0}
  while [ $(((line + 1) * ${LOG_RECORD_BYTES})) -le "$size" ]; do
    line=$((line + 1))
    printf '%15d\\n' "$line" | dd of=/dev/vda bs=${LOG_RECORD_BYTES} seek=$((line - 1)) count=1 conv=notrunc,fsync 2>/dev/null
    sleep 0.2
  done
  echo "runbook guest: the log disk is full at line $line"
else
  echo "runbook guest: no log disk (/dev/vda)"
fi
while :; do sleep 3600; done
`;

interface CpioEntry {
  name: string;
  /** File type and permission bits, as in st_mode. */
  mode: number;
  data?: Buffer;
  /** Device number of a character device. */
  rdev?: { major: number; minor: number };
}

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFCHR = 0o020000;

/** The first archive: what the kernel needs before /init runs, and /init itself. */
const FIRST_ARCHIVE: readonly CpioEntry[] = [
  ...['bin', 'dev', 'lib', 'lib/modules', 'proc', 'sys'].map((name) => ({ name, mode: S_IFDIR | 0o755 })),
  // The kernel opens /dev/console for init's stdin/stdout/stderr before devtmpfs is mounted.
  { name: 'dev/console', mode: S_IFCHR | 0o600, rdev: { major: 5, minor: 1 } },
  { name: 'init', mode: S_IFREG | 0o755, data: Buffer.from(GUEST_INIT) },
];

const hex8 = (value: number): string => value.toString(16).padStart(8, '0');
const pad4 = (length: number): Buffer => Buffer.alloc((4 - (length % 4)) % 4);

/** An uncompressed cpio archive in the "newc" format the kernel reads, owned by root, mtime 0. */
export function newcArchive(entries: readonly CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  const append = (entry: CpioEntry, inode: number): void => {
    const data = entry.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${entry.name}\0`);
    const fields = [inode, entry.mode, 0, 0, 1, 0, data.length, 0, 0, entry.rdev?.major ?? 0, entry.rdev?.minor ?? 0, name.length, 0];
    const header = Buffer.from(`070701${fields.map(hex8).join('')}`);
    chunks.push(header, name, pad4(header.length + name.length), data, pad4(data.length));
  };
  entries.forEach((entry, index) => append(entry, index + 1));
  append({ name: 'TRAILER!!!', mode: 0 }, 0);
  return Buffer.concat(chunks);
}

/** The initramfs's first archive, byte for byte: the part of the image that runbook defines. */
export function guestInitArchive(): Buffer {
  return newcArchive(FIRST_ARCHIVE);
}
