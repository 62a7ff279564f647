/* Generated from schemas/modules/timezone.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * The host's time zone, as community.general.timezone sets it on Linux: with `timedatectl set-timezone` where `timedatectl status` works, otherwise (Debian) /etc/timezone, the /etc/localtime link and `dpkg-reconfigure tzdata`. The zone must exist as /usr/share/zoneinfo/NAME on the host. hwclock is refused.
 */
export interface TimezoneArgs {
  /**
   * The zone, e.g. Europe/Paris or UTC.
   */
  name: string;
}
