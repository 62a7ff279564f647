/* Generated from schemas/modules/find.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Find files on the host, as Ansible's find: registers files (each with stat's fields: path, mode, size, uid, gid, pw_name, gr_name, mtime, …), matched, examined, skipped_paths and msg. Reads only: always ok. One GNU find per path; names, age, size and contents are matched as Ansible does.
 */
export type FindArgs = {
  [k: string]: unknown;
} & (
  | {
      paths: unknown;
    }
  | {
      path: unknown;
    }
  | {
      name: unknown;
    }
) & {
    /**
     * Directories to search (a string is split at commas, as Ansible's lists are).
     */
    paths?: string | string[];
    /**
     * Ansible's alias of `paths`.
     */
    path?: string | string[];
    /**
     * Ansible's alias of `paths`.
     */
    name?: string | string[];
    /**
     * Base names to match: shell globs (fnmatch), or Python regular expressions matched from the start of the name with use_regex. Default: every name.
     */
    patterns?: string | string[];
    /**
     * Ansible's alias of `patterns`.
     */
    pattern?: string | string[];
    /**
     * Base names to leave out (globs, or regular expressions with use_regex), among those patterns matched.
     */
    excludes?: string | string[];
    /**
     * Ansible's alias of `excludes`.
     */
    exclude?: string | string[];
    /**
     * patterns and excludes are Python regular expressions instead of globs.
     */
    use_regex?: boolean;
    /**
     * A Python regular expression a line of the file must match from its start (regular files only, read as UTF-8).
     */
    contains?: string;
    /**
     * Search contains anywhere in the whole file instead of matching line by line.
     */
    read_whole_file?: boolean;
    /**
     * What to list.
     */
    file_type?: 'file' | 'directory' | 'link' | 'any';
    /**
     * Search below the directories too.
     */
    recurse?: boolean;
    /**
     * With recurse, how many levels down at most (1: the directory's own entries).
     */
    depth?: number;
    /**
     * At least this old (or, negative, at most): a number with s, m, h, d or w (seconds without).
     */
    age?: string | number;
    /**
     * The time age compares.
     */
    age_stamp?: 'atime' | 'ctime' | 'mtime';
    /**
     * At least this large (or, negative, at most): a number with b, k, m, g or t (bytes without; powers of 1024).
     */
    size?: string | number;
    /**
     * Include names starting with a dot (hidden directories are searched either way).
     */
    hidden?: boolean;
    /**
     * Following symbolic links while searching is not supported: only false.
     */
    follow?: false;
  };
