/* Generated from schemas/modules/include_vars.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Ansible's include_vars: variables read on the controller from a YAML or JSON file, or from the files of a directory, for the rest of the run on this host, at Ansible's include_vars precedence (above task vars, below set_fact and registered values). A relative file is searched in the role's vars/, then the playbook's vars/ and directory. Registers ansible_facts (the variables) and ansible_included_var_files. Changes nothing on the host.
 */
export type IncludeVarsArgs = {
  [k: string]: unknown;
} & (
  | {
      file: unknown;
    }
  | {
      dir: unknown;
    }
) & {
    /**
     * The variables file (also the free-form value: include_vars: vars/site.yml); it must hold a mapping.
     */
    file?: string;
    /**
     * A directory whose files are read in sorted order, each later one overriding: in a role, relative to its vars/; else to the directory of the file the task is written in.
     */
    dir?: string;
    /**
     * Put the variables under this one variable instead of at the top level.
     */
    name?: string;
    /**
     * With dir: how many directory levels to read (0, the default, reads every level).
     */
    depth?: number;
    /**
     * With dir: read only the files whose name this Python regular expression matches (searched, not anchored).
     */
    files_matching?: string;
    /**
     * With dir: file names to skip, each a Python regular expression matched at the name's end; a string is split on spaces.
     */
    ignore_files?: string | string[];
    /**
     * With dir: the file extensions read; default yaml, yml and json. A file with another extension fails the task unless ignore_unknown_extensions.
     */
    extensions?: string[];
    /**
     * With dir: skip files whose extension is not in extensions instead of failing.
     */
    ignore_unknown_extensions?: boolean;
    /**
     * replace only (Ansible's default): a variable read replaces the one of that name; merge is not supported.
     */
    hash_behaviour?: 'replace';
  };
