/* Generated from schemas/modules/file.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ensure a path is a file, directory, symbolic or hard link with the given mode, ownership and times, or that it is absent; Ansible's file module.
 */
export type FileArgs = {
  [k: string]: unknown;
} & (
  | {
      path: unknown;
    }
  | {
      dest: unknown;
    }
  | {
      name: unknown;
    }
) & {
    /**
     * The path to manage on the host (Ansible's aliases: dest, name).
     */
    path?: string;
    /**
     * Ansible's alias of `path`.
     */
    dest?: string;
    /**
     * Ansible's alias of `path`.
     */
    name?: string;
    /**
     * Without state: the path's current type, or file when it does not exist (which then fails: file changes only an existing file). file: attributes of an existing file; directory: created with every missing parent (each given the attributes); link: a symbolic link to src; hard: a hard link to src; absent: removed, recursively for a directory; touch: created if missing, times set to now unless access_time/modification_time say otherwise.
     */
    state?: 'file' | 'directory' | 'link' | 'hard' | 'absent' | 'touch';
    /**
     * Permissions as an octal string such as "0644". Unquoted, 0644 is octal, as Ansible reads it; 644 without the leading 0 is refused, since Ansible would take it as the decimal number 644 (mode 01204).
     */
    mode?: string;
    /**
     * User name or numeric uid to own the path.
     */
    owner?: string;
    /**
     * Group name or numeric gid to own the path.
     */
    group?: string;
    /**
     * state: link: the link's target, stored exactly as given (relative to the link's directory); state: hard: the absolute path of the file to link to.
     */
    src?: string;
    /**
     * state: directory: apply mode, owner and group to everything below the directory too (symbolic links below are changed themselves, never followed).
     */
    recurse?: boolean;
    /**
     * link and hard: replace a file (or an empty directory, for link) at path, and create a symbolic link whose src does not exist.
     */
    force?: boolean;
    /**
     * When path is a symbolic link (or state: link), mode, owner, group and times apply to its target (default, as in Ansible); false: to the link itself.
     */
    follow?: boolean;
    /**
     * preserve (default, touch: now), now, or a time as YYYYMMDDHHMM.SS in the host's time zone.
     */
    access_time?: string;
    /**
     * preserve (default, touch: now), now, or a time as YYYYMMDDHHMM.SS in the host's time zone.
     */
    modification_time?: string;
  };
