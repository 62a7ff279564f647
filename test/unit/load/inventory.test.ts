import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ValidationError, type Issue } from '../../../src/errors.js';
import { loadInventory, localInventory } from '../../../src/load/inventory.js';

const fixtures = 'test/fixtures/load';

function issuesOf(path: string): Issue[] {
  try {
    loadInventory(path);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error(`${path} loaded without problems`);
}

const brief = (issue: Issue) => `${issue.file.replace(`${fixtures}/`, '')}:${issue.line}:${issue.col} ${issue.code} ${issue.message}`;

describe('YAML inventory', () => {
  const inventory = loadInventory(`${fixtures}/inventory-yaml/hosts.yml`);

  test('hosts in inventory order, ranges expanded, a host listed twice kept once', () => {
    expect([...inventory.hosts.keys()]).toEqual(['jump', 'web01', 'web02', 'db01']);
    expect(inventory.file).toBe(`${fixtures}/inventory-yaml/hosts.yml`);
  });

  test('groups hold their members transitively; top-level groups and ungrouped hosts are known', () => {
    expect(Object.fromEntries(inventory.groups)).toEqual({
      all: ['jump', 'web01', 'web02', 'db01'],
      prod: ['web01', 'web02', 'db01'],
      web: ['web01', 'web02'],
      db: ['db01'],
      staging: ['web02'],
      ungrouped: ['jump'],
    });
  });

  test("each host's groups, all first, then by depth and name", () => {
    expect(inventory.hosts.get('web02')?.groups).toEqual(['all', 'prod', 'staging', 'web']);
    expect(inventory.hosts.get('jump')?.groups).toEqual(['all', 'ungrouped']);
    expect(inventory.hosts.get('db01')?.groups).toEqual(['all', 'prod', 'db']);
  });

  test('precedence: inline group vars (all < parent < child) < group_vars files < host vars < host_vars file', () => {
    // web-inline beats prod-inline and all-inline; any group_vars file beats every inline group var
    // (Ansible's order), and the web/ directory's files merge in name order.
    expect(inventory.hosts.get('web01')?.vars).toEqual({
      level: 'web-file',
      from_all: true,
      from_prod: true,
      from_all_file: 1,
      web_port: 8080,
    });
    expect(inventory.hosts.get('web02')?.vars).toEqual({
      level: 'web-file',
      from_all: true,
      from_prod: true,
      from_all_file: 1,
      web_port: 8080,
      ansible_user: 'deploy',
    });
    expect(inventory.hosts.get('db01')?.vars).toEqual({
      level: 'host-file',
      from_all: true,
      from_prod: true,
      from_all_file: 1,
      ansible_port: 2222,
    });
    expect(inventory.hosts.get('jump')?.vars).toEqual({
      level: 'all-file',
      from_all: true,
      from_all_file: 1,
      ansible_host: '127.0.0.9',
    });
  });

  test('every mistake of the inventory and its group_vars, positioned, in one error', () => {
    const issues = issuesOf(`${fixtures}/inventory-bad/hosts.yml`);
    expect(issues.map(brief)).toEqual([
      'inventory-bad/hosts.yml:4:21 RB_SCHEMA expected integer, got string "twenty-two"',
      'inventory-bad/hosts.yml:6:27 RB_SCHEMA expected one of "ssh", "local", got string "telnet"',
      'inventory-bad/hosts.yml:7:3 RB_SCHEMA unknown key "chidren"',
      'inventory-bad/group_vars/all.yml:1:15 RB_SCHEMA expected a number >= 1, got integer 0',
    ]);
    expect(issues[2]?.hint).toBe('did you mean "children"?');
  });

  test('an unreadable inventory is a usage error', () => {
    expect(() => loadInventory(`${fixtures}/no-such-inventory.yml`)).toThrow(/cannot read inventory .*ENOENT/);
  });
});

describe('INI inventory', () => {
  const inventory = loadInventory(`${fixtures}/inventory-ini/hosts`);

  test('sections, ranges (numeric and alphabetic), children and ungrouped hosts', () => {
    expect([...inventory.hosts.keys()]).toEqual(['jump', 'web01', 'web02', 'web03', 'db-a.example', 'db-b.example']);
    expect(Object.fromEntries(inventory.groups)).toEqual({
      all: ['jump', 'web01', 'web02', 'web03', 'db-a.example', 'db-b.example'],
      web: ['web01', 'web02', 'web03'],
      db: ['db-a.example', 'db-b.example'],
      prod: ['web01', 'web02', 'web03', 'db-a.example', 'db-b.example'],
      ungrouped: ['jump'],
    });
  });

  test('typed values, host:port, quoted strings, [group:vars] and group_vars/host_vars files', () => {
    expect(inventory.hosts.get('web02')?.vars).toEqual({
      level: 'prod',
      timeout: 2.5,
      http_port: 80,
      ansible_port: 2202,
      ansible_user: 'deploy user',
      note: '42',
    });
    expect(inventory.hosts.get('web03')?.vars).toEqual({ level: 'prod', timeout: 2.5, http_port: 8003 });
    expect(inventory.hosts.get('db-b.example')?.vars).toEqual({ level: 'db-file', timeout: 2.5, ansible_become: true });
    expect(inventory.hosts.get('jump')?.vars).toEqual({ level: 'all', ansible_host: '127.0.0.9' });
  });

  test('every mistake positioned at its line and word', () => {
    const issues = issuesOf(`${fixtures}/inventory-bad-ini/hosts.ini`);
    expect(issues.map(brief)).toEqual([
      'inventory-bad-ini/hosts.ini:2:3 RB_SCHEMA ansible_port: expected integer, got string "abc"',
      'inventory-bad-ini/hosts.ini:3:3 RB_INVENTORY_SYNTAX expected key=value after the host name, got "oops"',
      'inventory-bad-ini/hosts.ini:6:1 RB_INVENTORY_SYNTAX expected key=value in [web:vars]',
      'inventory-bad-ini/hosts.ini:7:1 RB_INVENTORY_SYNTAX unknown section kind "strange"',
    ]);
  });
});

test('the local inventory has only localhost, reached without SSH', () => {
  const inventory = localInventory();
  expect(inventory.file).toBeUndefined();
  expect([...inventory.hosts.values()]).toEqual([{ name: 'localhost', vars: { ansible_connection: 'local' }, groups: ['all', 'ungrouped'] }]);
  expect(Object.fromEntries(inventory.groups)).toEqual({ all: ['localhost'], ungrouped: ['localhost'] });
});

test('groups that contain each other and malformed host ranges are reported, not looped over', () => {
  const directory = mkdtempSync(join(tmpdir(), 'runbook-inventory-'));
  try {
    const path = join(directory, 'hosts.yml');
    writeFileSync(path, 'a:\n  children:\n    b:\n      children:\n        a:\n      hosts:\n        web[3:1]:\n');
    expect(issuesOf(path).map((issue) => `${issue.line}:${issue.col} ${issue.code} ${issue.message}`)).toEqual([
      '1:1 RB_INVENTORY_CYCLE groups contain each other: a → b → a',
      '7:9 RB_INVENTORY_SYNTAX end 1 is before start 3 in host range "[3:1]"',
    ]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('an INI host listed before the first section and in a group is not ungrouped (as in Ansible)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'runbook-ini-'));
  const file = join(directory, 'hosts.ini');
  writeFileSync(file, 'web1\nlonely\n\n[web]\nweb1\n');
  try {
    const inventory = loadInventory(file);
    expect(inventory.groups.get('ungrouped')).toEqual(['lonely']);
    expect(inventory.hosts.get('web1')?.groups).toEqual(['all', 'web']);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test("group_vars/ and host_vars/ beside the playbook count too, each level above the inventory's (Ansible's precedence levels 4 to 10)", () => {
  const root = mkdtempSync(join(tmpdir(), 'runbook-vars-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  write('inventory/hosts.yml', 'all:\n  vars: { inline_all: inline }\n  children:\n    web:\n      hosts:\n        web1: { host_inline: inline }\n');
  write('inventory/group_vars/all.yml', 'a: inventory-all\nb: inventory-all\nc: inventory-all\n');
  write('inventory/group_vars/web.yml', 'b: inventory-web\nc: inventory-web\nd: inventory-web\n');
  write('inventory/host_vars/web1.yml', 'e: inventory-host\nf: inventory-host\n');
  write('playbooks/group_vars/all.yml', 'a: playbook-all\nb: playbook-all\ninline_all: playbook-all\n');
  write('playbooks/group_vars/web.yml', 'c: playbook-web\nhost_inline: playbook-web\n');
  write('playbooks/host_vars/web1.yml', 'f: playbook-host\n');
  try {
    const vars = loadInventory(join(root, 'inventory/hosts.yml'), { playbookDir: join(root, 'playbooks') }).hosts.get('web1')?.vars;
    expect(vars).toEqual({
      inline_all: 'playbook-all',
      a: 'playbook-all',
      b: 'inventory-web',
      c: 'playbook-web',
      d: 'inventory-web',
      host_inline: 'inline',
      e: 'inventory-host',
      f: 'playbook-host',
    });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
