import type { Issue } from '../errors.js';
import { validate } from '../schema/validate.js';
import { hasTemplate } from '../template/index.js';
import { issueAt, pointerToPath, type DataPath, type YamlSource } from './source.js';

function valueAt(data: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined),
    data,
  );
}

export interface SchemaIssueOptions {
  /** Where `data` sits in the YAML file. */
  basePath?: DataPath;
  /**
   * Module arguments are rendered per host at run time: a `{{ }}` value cannot be checked for its
   * type, enum or pattern now, so such violations are left to the run.
   */
  allowTemplates?: boolean;
}

/** Validate data from a YAML file against a schema; each violation positioned at its node (or key). */
export function schemaIssues(source: YamlSource, schemaId: string, data: unknown, options: SchemaIssueOptions = {}): Issue[] {
  const base = options.basePath ?? [];
  return validate(schemaId, data).flatMap((issue) => {
    const relative = pointerToPath(issue.instancePath);
    const value = valueAt(data, relative);
    if (options.allowTemplates && typeof value === 'string' && hasTemplate(value)) return [];
    const offendingKey =
      issue.keyword === 'additionalProperties' ? issue.params.additionalProperty : issue.keyword === 'propertyNames' ? issue.params.propertyName : undefined;
    const path = offendingKey === undefined ? [...base, ...relative] : [...base, ...relative, String(offendingKey)];
    return [
      issueAt(source, path, 'RB_SCHEMA', issue.message, {
        hint: issue.hint,
        target: offendingKey === undefined ? 'value' : 'key',
      }),
    ];
  });
}
