import { modules } from '../../modules/registry.js';
import { moduleSchemaId, schemaDocument } from '../../schema/ajv.js';
import { EXIT } from '../exit-codes.js';

interface PropertySchema {
  $ref?: string;
  description?: string;
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  items?: PropertySchema;
  oneOf?: PropertySchema[];
  anyOf?: PropertySchema[];
}

interface ModuleSchema {
  definitions?: Record<string, PropertySchema>;
  description?: string;
  properties?: Record<string, PropertySchema>;
  required?: string[];
}

function typeOf(schema: PropertySchema, definitions: Record<string, PropertySchema>): string {
  const reference = schema.$ref?.match(/^#\/definitions\/(.+)$/)?.[1];
  if (reference && definitions[reference]) return typeOf(definitions[reference], definitions);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) return variants.map((variant) => typeOf(variant, definitions)).join(' | ');
  if (schema.type === 'array' && schema.items) return `list of ${typeOf(schema.items, definitions)}`;
  return Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type ?? 'any');
}

/** `runbook doc`: modules and their arguments, read from the schemas (the single source of truth). */
export async function docCommand(name: string | undefined): Promise<number> {
  if (!name) {
    const width = Math.max(...[...modules.keys()].map((key) => key.length));
    for (const [key, module] of [...modules].sort(([a], [b]) => a.localeCompare(b))) {
      process.stdout.write(`${key.padEnd(width)}  ${module.summary}\n`);
    }
    return EXIT.ok;
  }
  const module = modules.get(name);
  const schema = schemaDocument(moduleSchemaId(name)) as ModuleSchema | undefined;
  if (!module || !schema) {
    process.stderr.write(`no module named "${name}"; run "runbook doc" for the list\n`);
    return EXIT.invalidInput;
  }
  const lines = [`${name}: ${module.summary}`, ''];
  if (schema.description) lines.push(schema.description, '');
  lines.push('Arguments:');
  const required = new Set(schema.required ?? []);
  for (const [argument, property] of Object.entries(schema.properties ?? {})) {
    const flags = [required.has(argument) ? 'required' : undefined, property.default === undefined ? undefined : `default ${JSON.stringify(property.default)}`]
      .filter(Boolean)
      .join(', ');
    lines.push(`  ${argument} (${typeOf(property, schema.definitions ?? {})}${flags ? `; ${flags}` : ''})`);
    if (property.description) lines.push(`      ${property.description}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
