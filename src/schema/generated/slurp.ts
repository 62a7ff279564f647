/* Generated from schemas/modules/slurp.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Read a file from the host and register its bytes base64-encoded as `content` (with `encoding: base64` and `source`); decode with `{{ result.content | b64decode }}`. Changes nothing. The whole file travels through memory: meant for small files.
 */
export type SlurpArgs = {
  [k: string]: unknown;
} & (
  | {
      src: unknown;
    }
  | {
      path: unknown;
    }
) & {
    /**
     * The file to read; a directory is refused. `~` is not expanded: a path starting with it is refused.
     */
    src?: string;
    /**
     * Ansible's alias of `src`.
     */
    path?: string;
  };
