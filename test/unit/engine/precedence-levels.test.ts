import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPlaybook } from '../../../src/engine/runner.js';
import { loadInventory } from '../../../src/load/inventory.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { RUN_OPTIONS } from '../../helpers/engine-run.js';
import { FakeTransports } from '../../helpers/fake-transport.js';

/**
 * Ansible's variable precedence ("Understanding variable precedence", playbook guide), level by
 * level for the sources runbook has: a variable defined at every level up to one is seen with that
 * level's value. Not here: 1 (command-line options are not variables), 11 (facts cannot be named
 * like a variable of these), 13 (vars_prompt is refused), 21 (include parameters: see includes.test.ts).
 */
const LEVELS = [
  { level: 2, name: 'role defaults', file: 'play/roles/r/defaults/main.yml' },
  { level: 3, name: 'inventory file group vars (all)', inventoryAll: true },
  { level: 4, name: 'inventory group_vars/all', file: 'inventory/group_vars/all.yml' },
  { level: 5, name: 'playbook group_vars/all', file: 'play/group_vars/all.yml' },
  { level: 6, name: 'inventory group_vars/web', file: 'inventory/group_vars/web.yml' },
  { level: 7, name: 'playbook group_vars/web', file: 'play/group_vars/web.yml' },
  { level: 8, name: 'inventory file host vars', inventoryHost: true },
  { level: 9, name: 'inventory host_vars/web1', file: 'inventory/host_vars/web1.yml' },
  { level: 10, name: 'playbook host_vars/web1', file: 'play/host_vars/web1.yml' },
  { level: 12, name: 'play vars', playVars: true },
  { level: 14, name: 'play vars_files', file: 'play/vars/extra.yml', varsFile: true },
  { level: 15, name: 'role vars', file: 'play/roles/r/vars/main.yml' },
  { level: 16, name: 'block vars', blockVars: true },
  { level: 17, name: 'task vars', taskVars: true },
  { level: 18, name: 'include_vars', file: 'play/roles/r/vars/included.yml', includeVars: true },
  { level: 19, name: 'set_fact', setFact: true },
  { level: 20, name: 'role params', roleParams: true },
  { level: 22, name: 'extra vars', extraVars: true },
] as const;

type Level = (typeof LEVELS)[number];
const has = (levels: readonly Level[], key: string) => levels.some((level) => key in level);

const scratch = mkdtempSync(join(tmpdir(), 'runbook-precedence-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

/** The value of `x` the task inside the role shows when x is defined at each of these levels. */
async function seen(levels: readonly Level[]): Promise<string> {
  const root = mkdtempSync(join(scratch, 'case-'));
  const value = (level: Level) => JSON.stringify(level.name);
  const at = (key: string) => levels.find((level) => key in level);
  for (const level of levels) if ('file' in level && !('includeVars' in level)) write(root, level.file, `x: ${value(level)}\n`);
  const all = at('inventoryAll');
  const host = at('inventoryHost');
  write(root, 'inventory/hosts.yml', `all:\n  vars: {${all ? `x: ${value(all)}` : ''}}\n  children:\n    web:\n      hosts:\n        web1: {${host ? `x: ${value(host)}` : ''}}\n`);
  const included = at('includeVars');
  if (included && 'file' in included) write(root, included.file, `x: ${value(included)}\n`);
  const tasks = [
    included ? '- include_vars: { file: included.yml }' : '',
    at('setFact') ? `- set_fact: { x: ${value(at('setFact')!)} }` : '',
    `- block:\n    - name: show\n      debug: { var: x }\n${at('taskVars') ? `      vars: { x: ${value(at('taskVars')!)} }\n` : ''}${at('blockVars') ? `  vars: { x: ${value(at('blockVars')!)} }\n` : ''}`,
  ].filter(Boolean);
  write(root, 'play/roles/r/tasks/main.yml', `${tasks.join('\n')}\n`);
  if (!has(levels, 'file') || !levels.some((level) => 'file' in level && level.file.startsWith('play/roles/r/defaults'))) write(root, 'play/roles/r/defaults/main.yml', '{}\n');
  const play = at('playVars');
  const varsFile = at('varsFile');
  const params = at('roleParams');
  write(
    root,
    'play/site.yml',
    `- hosts: web\n  gather_facts: false\n${play ? `  vars: { x: ${value(play)} }\n` : ''}${varsFile ? '  vars_files: [vars/extra.yml]\n' : ''}  roles:\n    - role: r\n${params ? `      x: ${value(params)}\n` : ''}`,
  );
  const inventory = loadInventory(join(root, 'inventory/hosts.yml'), { playbookDir: join(root, 'play') });
  const extra = at('extraVars');
  const extraVars = extra ? { x: extra.name } : {};
  const { playbook } = loadPlaybook(join(root, 'play/site.yml'), { inventory, extraVars });
  const events: RunEvent[] = [];
  await runPlaybook(playbook, inventory, { ...RUN_OPTIONS, extraVars, createTransport: new FakeTransports().createTransport }, (event) => events.push(event));
  const shown = events.find((event) => event.type === 'host:task:end' && event.result.message.startsWith('x: '));
  if (shown?.type !== 'host:task:end') throw new Error(`x was not shown: ${JSON.stringify(events.filter((event) => event.type === 'host:task:end'))}`);
  return shown.result.message.slice(3);
}

describe("Ansible's variable precedence, level by level", () => {
  it.each(LEVELS.map((level, index) => [level.level, level.name, index] as const))('level %i, %s, wins over every level below it', async (_level, name, index) => {
    expect(await seen(LEVELS.slice(0, index + 1))).toBe(name);
  });

  it.each(LEVELS.slice(1).map((level, index) => [level.level, level.name, index] as const))('level %i, %s, alone: the level just below it does not win', async (_level, name, index) => {
    expect(await seen([LEVELS[index]!, LEVELS[index + 1]!])).toBe(name);
  });
});
