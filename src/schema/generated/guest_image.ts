/* Generated from schemas/modules/guest_image.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A lab guest without an OS download. serial_counter: a raw disk image that boots runbook's own 512-byte program, printing an increasing counter on the serial port forever. busybox_net: a small Linux guest from Debian packages only (the kernel of linux-image-cloud-amd64 and an initramfs of busybox-static with the virtio modules, both fetched with apt-get download on the host) and its log disk at path: it takes the address given on its kernel command line (runbook.address=ADDRESS/PREFIX), answers ping, and appends a numbered line to its log disk five times a second, each written with fsync. Created when missing; an existing image is never overwritten, since it may be a running guest's disk.
 */
export interface GuestImageArgs {
  /**
   * Absolute path of the image file on the host (busybox_net: the guest's log disk); parent directories are created.
   */
  path: string;
  /**
   * The boot program written to the image's first sector.
   */
  program?: 'serial_counter' | 'busybox_net';
  /**
   * Size of the image in MiB (the program fills the first 512 bytes, the rest reads as zeros).
   */
  size_mib?: number;
  /**
   * busybox_net: absolute path where the guest's kernel is written (the domain's <kernel>).
   */
  kernel?: string;
  /**
   * busybox_net: absolute path where the guest's initramfs is written (the domain's <initrd>).
   */
  initrd?: string;
}
