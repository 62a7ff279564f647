/* Generated from schemas/modules/guest_image.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A raw disk image that boots one of runbook's built-in tiny programs (serial_counter: prints an increasing counter on the serial port forever), for labs that need a real running guest without downloading an OS. Created when missing; an existing image is never overwritten, since it may be a running guest's disk.
 */
export interface GuestImageArgs {
  /**
   * Absolute path of the image file on the host; parent directories are created.
   */
  path: string;
  /**
   * The boot program written to the image's first sector.
   */
  program?: 'serial_counter';
  /**
   * Size of the image in MiB (the program fills the first 512 bytes, the rest reads as zeros).
   */
  size_mib?: number;
}
