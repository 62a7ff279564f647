import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ValidationError, type Issue } from '../../../src/errors.js';
import { loadInventory } from '../../../src/load/inventory.js';
import { loadPlaybook } from '../../../src/load/playbook.js';

// The corpus of Ansible playbooks and roles written in the styles of public repositories
// (test/fixtures/ansible-corpus/, each entry's playbook names the style it follows): every entry
// validates as `runbook validate PLAYBOOK -i ITS_INVENTORY` would, with no error, and with only the
// warnings listed here.
const CORPUS = join(import.meta.dirname, '../../fixtures/ansible-corpus');

interface CorpusEntry {
  playbook: string;
  /** true: applied on the sandbox by test/integration/corpus/corpus.test.ts; otherwise why not. */
  sandbox: true | string;
}

const index = parse(readFileSync(join(CORPUS, 'index.yml'), 'utf8')) as Record<string, CorpusEntry>;

/** Warnings an entry's validation gives; every other entry gives none. */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  // Ansible gathers the kernel command line; the role reads it only on the RHEL family.
  kdump: ['roles/linux-system-roles.kdump/tasks/main.yml:14:7 RB_FACT_NOT_GATHERED runbook does not gather or set "ansible_facts.cmdline"'],
};

/**
 * Errors an entry's validation gives: modules runbook does not implement, refused by name where they
 * are written (never run with another meaning). Every other entry validates.
 */
const EXPECTED_ERRORS: Record<string, string[]> = {
  'lamp-simple': [
    'roles/db/tasks/main.yml:25:3 RB_UNKNOWN_MODULE unknown module "mysql_db"',
    'roles/db/tasks/main.yml:28:3 RB_UNKNOWN_MODULE unknown module "mysql_user"',
  ],
};

/** The entry's own inventory: inventory.ini or inventory.yml beside its playbook. */
function inventoryOf(dir: string): string | undefined {
  return ['inventory.ini', 'inventory.yml'].map((name) => join(dir, name)).find((path) => existsSync(path));
}

function validate(name: string): { errors: string[]; warnings: string[] } {
  const dir = join(CORPUS, name);
  const inventoryFile = inventoryOf(dir);
  if (inventoryFile === undefined) throw new Error(`${name} has no inventory`);
  const show = (issue: Issue) => `${relative(dir, issue.file)}:${issue.line}:${issue.col} ${issue.code} ${issue.message}`;
  try {
    const inventory = loadInventory(inventoryFile, { playbookDir: dir });
    const { warnings } = loadPlaybook(join(dir, index[name]!.playbook), { inventory });
    return { errors: [], warnings: warnings.map(show) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return {
      errors: error.issues.filter((issue) => issue.severity === 'error').map(show),
      warnings: error.issues.filter((issue) => issue.severity === 'warning').map(show),
    };
  }
}

describe('the Ansible corpus', () => {
  it('at least 80% of the entries validate with no error at all', () => {
    const clean = Object.keys(index).filter((name) => EXPECTED_ERRORS[name] === undefined);
    expect(clean.length / Object.keys(index).length).toBeGreaterThanOrEqual(0.8);
  });

  it('has at least 20 entries, each listed in index.yml with its playbook, and each with an inventory', () => {
    const dirs = readdirSync(CORPUS, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(dirs.sort()).toEqual(Object.keys(index).sort());
    expect(dirs.length).toBeGreaterThanOrEqual(20);
    for (const name of dirs) {
      expect(['site.yml', 'playbook.yml'], name).toContain(index[name]!.playbook);
      expect(inventoryOf(join(CORPUS, name)), name).toBeDefined();
    }
  });

  it.each(Object.keys(index))('%s validates with its inventory: only the expected errors and warnings', (name) => {
    const { errors, warnings } = validate(name);
    expect(errors).toEqual(EXPECTED_ERRORS[name] ?? []);
    expect(warnings).toEqual(EXPECTED_WARNINGS[name] ?? []);
  });
});
