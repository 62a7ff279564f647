import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ValidationError, type Issue } from '../../errors.js';
import { loadAnsibleConfig, type AnsibleConfig } from '../../load/ansible-cfg.js';
import { loadInventory, localInventory } from '../../load/inventory.js';
import type { Inventory, Playbook } from '../../load/model.js';
import { loadPlaybook } from '../../load/playbook.js';
import { formatIssue } from '../../report/format-error.js';
import { colorWanted, createStyle } from '../../report/style.js';
import { parseExtraVars } from '../extra-vars.js';

export type Loaded =
  | { ok: true; playbook: Playbook; inventory: Inventory; extraVars: Record<string, unknown>; warnings: Issue[]; ansibleConfig: AnsibleConfig }
  | { ok: false };

/**
 * Ansible's configuration (ansible.cfg, ANSIBLE_* variables), inventory and playbook are validated
 * together, and every problem of all three is printed at once (file:line:col CODE message, with a
 * code frame) before anything else happens. -i wins over the configuration's inventory.
 */
export function loadForRun(playbookPath: string, options: { inventory?: string; extraVars: string[] }): Loaded {
  const extraVars = parseExtraVars(options.extraVars);
  const ansibleConfig = loadAnsibleConfig(process.env, process.cwd());
  const issues: Issue[] = [...ansibleConfig.issues];
  let inventory: Inventory | undefined;
  try {
    const playbookDir = dirname(playbookPath);
    const inventoryFile = options.inventory ?? ansibleConfig.inventory;
    inventory = inventoryFile ? loadInventory(inventoryFile, { playbookDir }) : localInventory({ playbookDir });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
  }
  let loaded: ReturnType<typeof loadPlaybook> | undefined;
  try {
    loaded = loadPlaybook(playbookPath, { ...(inventory ? { inventory } : {}), extraVars, ...(ansibleConfig.rolesPath.length > 0 ? { rolesPath: ansibleConfig.rolesPath } : {}),
      playDefaults: {
        ...(ansibleConfig.become === undefined ? {} : { become: ansibleConfig.become }),
        ...(ansibleConfig.becomeUser === undefined ? {} : { becomeUser: ansibleConfig.becomeUser }),
        gatherFacts: ansibleConfig.gatherByDefault,
      },
    });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.push(...error.issues);
  }
  const warnings = [...issues.filter((issue) => issue.severity === 'warning'), ...(loaded?.warnings ?? [])];
  const errors = issues.filter((issue) => issue.severity === 'error');
  printIssues([...errors, ...warnings]);
  if (errors.length > 0 || !loaded || !inventory) {
    process.stderr.write(`${errors.length} problem${errors.length === 1 ? '' : 's'} found; no host was contacted.\n`);
    return { ok: false };
  }
  return { ok: true, playbook: loaded.playbook, inventory, extraVars, warnings, ansibleConfig };
}

export function printIssues(issues: readonly Issue[]): void {
  if (issues.length === 0) return;
  const style = createStyle(colorWanted(process.stderr, process.env));
  const sources = new Map<string, string | undefined>();
  const source = (file: string) => {
    if (!sources.has(file)) {
      try {
        sources.set(file, readFileSync(file, 'utf8'));
      } catch {
        sources.set(file, undefined);
      }
    }
    return sources.get(file);
  };
  const color = (kind: 'error' | 'warning' | 'dim' | 'caret', text: string) =>
    kind === 'error' ? style.error(text) : kind === 'warning' ? style.warning(text) : kind === 'caret' ? style.error(text) : style.dim(text);
  for (const issue of issues) process.stderr.write(`${formatIssue(issue, source(issue.file), { color })}\n\n`);
}
