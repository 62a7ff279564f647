/* Generated from schemas/modules/template.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Render a local Jinja-style template with the task's variables and write the result like `copy` does.
 */
export interface TemplateArgs {
  /**
   * The local template file, relative to the playbook's directory.
   */
  src: string;
  /**
   * Path of the file on the host; its directory must exist.
   */
  dest: string;
  /**
   * Permissions as a QUOTED octal string such as "0644" (a bare number means different things in YAML 1.1 and 1.2).
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
}
