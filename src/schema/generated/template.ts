/* Generated from schemas/modules/template.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Render a local Jinja-style template with the task's variables and write the result like `copy` does.
 */
export interface TemplateArgs {
  /**
   * The local template file: a relative path is searched in the role's templates/ and tasks/, then the playbook's templates/ and directory.
   */
  src: string;
  /**
   * Path of the file on the host; its directory must exist.
   */
  dest: string;
  /**
   * Permissions as an octal string such as "0644". Unquoted, 0644 is octal, as Ansible reads it; 644 without the leading 0 is refused, since Ansible would take it as the decimal number 644 (mode 01204).
   */
  mode?: string;
  /**
   * User name or numeric uid to own the file.
   */
  owner?: string;
  /**
   * Group name or numeric gid to own the file.
   */
  group?: string;
  /**
   * Before replacing the file, keep a copy of it as `<dest>.<timestamp>~`.
   */
  backup?: boolean;
  /**
   * A command run on the new file before it replaces dest, %s standing for its path (e.g. `visudo -cf %s`); split into words like Ansible's (no shell). dest stays unchanged when it fails.
   */
  validate?: string;
  /**
   * Replace a file whose content differs (default); false writes only when dest does not exist.
   */
  force?: boolean;
}
