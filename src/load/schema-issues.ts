import type { Issue, SourcePosition } from '../errors.js';
import { validate } from '../schema/validate.js';
import { hasTemplate } from '../template/index.js';
import { issueFrom, pointerToPath, positionOf, type DataPath, type Target, type YamlSource } from './source.js';

function valueAt(data: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>(
    (current, key) => (typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[key] : undefined),
    data,
  );
}

export interface SchemaIssueOptions {
  /**
   * Where a path inside `data` was written; by default that path from the document's root. Module
   * arguments may come from a mapping, `args:` or key=value words.
   */
  locate?: (path: DataPath, target: Target) => SourcePosition;
  /**
   * Module arguments are rendered per host at run time: a `{{ }}` value cannot be checked for its
   * type, enum or pattern now, so such violations are left to the run.
   */
  allowTemplates?: boolean;
}

/** Validate data from a YAML file against a schema; each violation positioned at its node (or key). */
export function schemaIssues(source: YamlSource, schemaId: string, data: unknown, options: SchemaIssueOptions = {}): Issue[] {
  const locate = options.locate ?? ((path: DataPath, target: Target) => positionOf(source, path, target));
  return validate(schemaId, data).flatMap((issue) => {
    const relative = pointerToPath(issue.instancePath);
    const value = valueAt(data, relative);
    if (options.allowTemplates && typeof value === 'string' && hasTemplate(value)) return [];
    const offendingKey =
      issue.keyword === 'additionalProperties' ? issue.params.additionalProperty : issue.keyword === 'propertyNames' ? issue.params.propertyName : undefined;
    const path = offendingKey === undefined ? relative : [...relative, String(offendingKey)];
    const target = offendingKey === undefined ? 'value' : 'key';
    return [issueFrom(locate(path, target), 'RB_SCHEMA', issue.message, { hint: issue.hint })];
  });
}
