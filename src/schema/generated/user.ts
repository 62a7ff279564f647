/* Generated from schemas/modules/user.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A group name, or a numeric gid.
 */
export type GroupName = string;

/**
 * Ensure a local user account exists with the given attributes, or that it is absent, with the shadow utilities (useradd, usermod, userdel) on the Debian and RHEL families alike. The password hash is never shown: not in the diff, the commands or the registered result. Registers Ansible's return values (name, state, uid, group, groups, comment, home, shell, append, move_home, system, create_home, force, remove, password).
 */
export interface UserArgs {
  /**
   * The account's name: a letter or underscore, then letters, digits, '_', '.', '-', optionally ending in '$' (at most 32 characters). Ansible's alias: user.
   */
  name?: string;
  /**
   * Ansible's alias of name.
   */
  user?: string;
  /**
   * present: the account exists with the attributes given (others are left as they are); absent: it does not exist (userdel).
   */
  state?: 'present' | 'absent';
  /**
   * The account's numeric user id.
   */
  uid?: number;
  /**
   * With uid, allow a uid another account already has (useradd/usermod -o).
   */
  non_unique?: boolean;
  /**
   * The primary group (a name or gid); it must exist. Without it a new account gets the system's default: a group of its own name (or, when a group of that name already exists, useradd -N's default group, as with Ansible).
   */
  group?: string;
  /**
   * Supplementary groups: a list, or a comma-separated string ("wheel,adm"). Each must exist. With append false (the default) the account's supplementary groups become exactly these; the empty string '' removes it from all of them (the primary group stays).
   */
  groups?: string | GroupName[];
  /**
   * true: add the account to groups and keep its other supplementary groups (usermod -a -G); false: make its supplementary groups exactly groups.
   */
  append?: boolean;
  /**
   * The description (GECOS field), e.g. the person's full name.
   */
  comment?: string;
  /**
   * The home directory. A new account without it gets the system's default (/home/NAME).
   */
  home?: string;
  /**
   * Create the home directory (from /etc/skel) when the account is created (useradd -m; false: useradd -M), and when an existing account's home directory is missing. Ansible's alias: createhome.
   */
  create_home?: boolean;
  /**
   * Ansible's alias of create_home.
   */
  createhome?: boolean;
  /**
   * When home changes an existing account's home directory, move the old directory's content there (usermod -d -m).
   */
  move_home?: boolean;
  /**
   * The login shell, e.g. /bin/bash or /usr/sbin/nologin.
   */
  shell?: string;
  /**
   * Create the account as a system account (useradd -r: a uid from the system range, no aging). Has no effect on an existing account.
   */
  system?: boolean;
  /**
   * The password as a crypt(3) hash, as in /etc/shadow (e.g. from `mkpasswd -m sha-512` or Ansible's password_hash filter), or '!' / '*' for an account without a usable password; never a clear-text password (it would be stored as the hash, as Ansible does). A value with ':' or a newline is refused before anything runs, without echoing it. Compared with /etc/shadow (reading it needs root), set with useradd/usermod -p, and never shown: '********' in commands, 'NOT_LOGGING_PASSWORD' in the registered result.
   */
  password?: string;
  /**
   * always: set the password whenever the hash differs; on_create: only when the account is created.
   */
  update_password?: 'always' | 'on_create';
  /**
   * true: lock the password (usermod -L, a '!' before the hash); false: unlock a locked one (usermod -U). Omitted: left as it is.
   */
  password_lock?: boolean;
  /**
   * When the account expires, in seconds since the epoch (compared by UTC day, as Ansible does); a negative number removes the expiry date.
   */
  expires?: number;
  /**
   * For state: absent, also remove the home directory and mail spool (userdel -r).
   */
  remove?: boolean;
  /**
   * For state: absent, remove the account even while it is logged in (userdel -f).
   */
  force?: boolean;
  /**
   * Ansible's luseradd alternative for hosts with centralised accounts is not implemented: only false (the default) is accepted.
   */
  local?: false;
}
