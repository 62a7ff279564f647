/* Generated from schemas/modules/git.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * A checkout of a git repository at a version, as Ansible's ansible.builtin.git makes it: cloned when dest has no repository (clone), else fetched and switched when the version's commit differs (update); local modifications fail the task unless force (then they are reset). Registers before and after (commit ids) and remote_url_changed; changed when HEAD moves or the remote's URL changes. The ssh options (accept_hostkey, key_file, ssh_opts), bare, archive, refspec, reference, submodule, gpg and separate_git_dir options are refused; submodules are not updated.
 */
export type GitArgs = (
  | {
      repo: unknown;
    }
  | {
      name: unknown;
    }
) & {
  /**
   * The repository: a URL, or an absolute path (read as file://PATH, as Ansible does). Alias: name.
   */
  repo?: string;
  /**
   * Ansible's alias of repo.
   */
  name?: string;
  /**
   * The checkout's directory, an absolute path.
   */
  dest: string;
  /**
   * HEAD (the remote's default branch), a branch, a tag, or a commit id.
   */
  version?: string;
  /**
   * The remote's name.
   */
  remote?: string;
  /**
   * Reset local modifications instead of failing.
   */
  force?: boolean;
  /**
   * Fetch and switch an existing checkout; false leaves it as it is.
   */
  update?: boolean;
  /**
   * Clone when dest has no repository; false (Ansible then reports changed without cloning) is refused.
   */
  clone?: true;
  /**
   * A shallow clone or fetch of this many commits.
   */
  depth?: number;
};
