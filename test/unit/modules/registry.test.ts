import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getModule, modules } from '../../../src/modules/registry.js';

const SCHEMAS = join(import.meta.dirname, '../../../schemas/modules');

// Read at run time: colleagues add schemas and modules independently, and the test states the truth now.
const schemas = readdirSync(SCHEMAS)
  .filter((file) => file.endsWith('.schema.json'))
  .map((file) => ({ file, name: file.replace(/\.schema\.json$/, ''), schema: JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')) }));

describe('module registry', () => {
  it('has a registered module for every schema, and a schema for every module', () => {
    expect([...modules.keys()].sort()).toEqual(schemas.map((entry) => entry.name).sort());
  });

  it('registers each module under its own name', () => {
    for (const [name, definition] of modules) expect(definition.name).toBe(name);
    expect(getModule('copy')?.name).toBe('copy');
    expect(getModule('no_such_module')).toBeUndefined();
  });

  describe.each(schemas)('schemas/modules/$file', ({ name, schema }) => {
    it('is identified as runbook:module/<name> and titled <Name>Args', () => {
      expect(schema.$id).toBe(`runbook:module/${name}`);
      expect(schema.title).toMatch(/^[A-Z][A-Za-z]*Args$/);
    });

    it('describes every property and refuses unknown ones (set_fact alone takes any variable name)', () => {
      for (const [property, definition] of Object.entries(schema.properties ?? {})) {
        expect((definition as { description?: string }).description, `${name}.${property}`).toBeTruthy();
      }
      expect(schema.additionalProperties).toBe(name === 'set_fact');
    });
  });
});
