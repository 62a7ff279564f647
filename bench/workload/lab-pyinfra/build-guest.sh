#!/bin/sh
# Makes the lab guest's kernel and initramfs as runbook's guest_image busybox_net does: Debian's cloud
# kernel and busybox-static, fetched with apt-get download, unpacked, busybox and the virtio modules
# packed with the guest's /init into a gzipped cpio. The pair replaces the old one by rename, so a guest
# never boots a half-written pair.
#   build-guest.sh KERNEL INITRD INIT
set -eu
kernel=$1
initrd=$2
init=$3
work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT
cd "$work"
# The cloud kernel is the metapackage's dependency.
kernel_package=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1)
apt-get download -q -o APT::Sandbox::User=root "$kernel_package" busybox-static
dpkg-deb -x "$kernel_package"_*.deb kernel
dpkg-deb -x busybox-static_*.deb busybox
mkdir -p tree/bin tree/dev tree/lib/modules tree/proc tree/sys
cp busybox/bin/busybox tree/bin/busybox
cp "$init" tree/init
chmod 0755 tree/init
# The kernel opens /dev/console for init before devtmpfs is mounted.
mknod -m 0600 tree/dev/console c 5 1
# The virtio modules the guest's /init loads.
for module in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_pci_modern_dev \
  drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover \
  drivers/net/virtio_net drivers/block/virtio_blk; do
  cp kernel/lib/modules/*/kernel/"$module".ko tree/lib/modules/
done
(cd tree && find . -mindepth 1 | ../busybox/bin/busybox cpio -o -H newc) | gzip -9 > initrd.gz
mkdir -p -- "$(dirname -- "$kernel")" "$(dirname -- "$initrd")"
cp kernel/boot/vmlinuz-* "$kernel.new"
cp initrd.gz "$initrd.new"
mv -f -- "$kernel.new" "$kernel"
mv -f -- "$initrd.new" "$initrd"
