import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { renderValue, rootVariables, templateSyntaxError } from '../../../src/template/index.js';

/**
 * Ansible's lookups (ansible-core 2.14, lib/ansible/plugins/lookup/*.py and Templar._lookup), run on
 * the controller: https://docs.ansible.com/ansible/2.14/plugins/lookup.html. A relative path is
 * searched in the role's files/ (or templates/) and directory, then the playbook's.
 */
const playbook = mkdtempSync(join(tmpdir(), 'runbook-lookups-'));
const role = join(playbook, 'roles', 'web');
for (const dir of ['files', 'templates', 'roles/web/files', 'conf.d']) mkdirSync(join(playbook, dir), { recursive: true });
writeFileSync(join(playbook, 'files', 'motd'), '  welcome  \n\n');
writeFileSync(join(playbook, 'files', 'only-playbook'), 'playbook');
writeFileSync(join(role, 'files', 'motd'), 'role motd\n');
writeFileSync(join(playbook, 'templates', 'site.j2'), 'port={{ port }}\n');
for (const name of ['a.conf', 'b.conf', '.hidden.conf', 'c.txt']) writeFileSync(join(playbook, 'conf.d', name), name);
afterAll(() => rmSync(playbook, { recursive: true, force: true }));

const vars = { playbook_dir: playbook, port: 8080, greeting: 'hi {{ port }}', names: ['a', 'b'] };
const render = (template: string, extra: Record<string, unknown> = {}) => renderValue(template, { ...vars, ...extra });

describe('lookup, query and q', () => {
  test("file: the contents, trailing whitespace stripped (rstrip) unless rstrip=false; the role's files/ first", () => {
    expect(render("{{ lookup('file', 'motd') }}")).toBe('  welcome');
    expect(render("{{ lookup('file', 'motd', rstrip=false, lstrip=true) }}")).toBe('welcome  \n\n');
    expect(render("{{ lookup('ansible.builtin.file', 'motd') }}", { role_path: role })).toBe('role motd');
    expect(render("{{ lookup('file', 'only-playbook') }}", { role_path: role })).toBe('playbook');
  });

  test('lookup joins several strings with commas; query and q always give a list', () => {
    expect(render("{{ lookup('file', 'motd', 'only-playbook') }}")).toBe('  welcome,playbook');
    expect(render("{{ query('file', 'only-playbook') }}")).toEqual(['playbook']);
    expect(render("{{ q('file', 'only-playbook') }}")).toEqual(['playbook']);
    expect(render("{{ lookup('file', 'only-playbook', wantlist=True) }}")).toEqual(['playbook']);
  });

  test("errors='ignore' makes a failed lookup None (query: []); strict names the file", () => {
    expect(render("{{ lookup('file', 'missing', errors='ignore') }}")).toBeNull();
    expect(render("{{ query('file', 'missing', errors='ignore') }}")).toEqual([]);
    expect(() => render("{{ lookup('file', 'missing') }}")).toThrow('lookup file: could not locate file in lookup: missing');
  });

  test('env, with a default; vars renders the variable; template renders a file in templates/', () => {
    process.env.RUNBOOK_LOOKUP_TEST = 'from env';
    expect(render("{{ lookup('env', 'RUNBOOK_LOOKUP_TEST') }}")).toBe('from env');
    expect(render("{{ lookup('env', 'RUNBOOK_LOOKUP_UNSET') }}")).toBe('');
    expect(render("{{ lookup('env', 'RUNBOOK_LOOKUP_UNSET', default='none') }}")).toBe('none');
    expect(render("{{ lookup('vars', 'greeting') }}")).toBe('hi 8080');
    expect(render("{{ lookup('vars', 'nope', default=0) }}")).toBe(0);
    expect(() => render("{{ lookup('vars', 'nope') }}")).toThrow('no variable found with this name: nope');
    expect(render("{{ lookup('template', 'site.j2') }}")).toBe('port=8080\n');
    expect(render("{{ lookup('template', 'site.j2', template_vars={'port': 81}) }}")).toBe('port=81\n');
  });

  test('pipe runs a shell command on the controller and strips the trailing newline', () => {
    expect(render("{{ lookup('pipe', 'printf \"a\\nb\\n\"') }}")).toBe('a\nb');
    expect(() => render("{{ lookup('pipe', 'exit 3') }}")).toThrow('lookup_plugin.pipe(exit 3) returned 3');
  });

  test('fileglob: files matching in one directory, dot files hidden; first_found: the first that exists', () => {
    expect(render("{{ query('fileglob', 'conf.d/*.conf') }}")).toEqual([join(playbook, 'conf.d', 'a.conf'), join(playbook, 'conf.d', 'b.conf')]);
    expect(render("{{ lookup('first_found', ['nope', 'motd']) }}")).toBe(join(playbook, 'files', 'motd'));
    expect(render("{{ lookup('first_found', {'files': ['x', 'b.conf'], 'paths': ['conf.d']}) }}")).toBe(join(playbook, 'conf.d', 'b.conf'));
    expect(render("{{ query('first_found', 'nope', skip=True) }}")).toEqual([]);
    expect(() => render("{{ lookup('first_found', 'nope') }}")).toThrow('no file was found when using first_found');
  });

  test('sequence: key=value and the shortcut form, formatted with printf', () => {
    expect(render("{{ query('sequence', 'start=1 end=3 format=host%02d') }}")).toEqual(['host01', 'host02', 'host03']);
    expect(render("{{ query('sequence', '2-10/4') }}")).toEqual(['2', '6', '10']);
    expect(render("{{ query('sequence', 'start=0x0f00 count=3 format=%04x') }}")).toEqual(['0f00', '0f01', '0f02']);
    expect(() => render("{{ query('sequence', 'start=5 end=1') }}")).toThrow('to count backwards make stride negative');
  });
});

describe('validation', () => {
  test('a lookup runbook lacks is refused, with why when Ansible has it', () => {
    expect(templateSyntaxError("{{ lookup('password', '/tmp/pw') }}")).toMatch(/^lookup "password" is not supported: /);
    expect(templateSyntaxError("{{ query('community.general.dig', 'x') }}")).toMatch(/^unknown lookup "community.general.dig" \(runbook has dict, env, file, /);
    expect(templateSyntaxError("{{ lookup('file', 'motd') }}")).toBeUndefined();
  });

  test('lookup, query and q are functions, not variables to define', () => {
    expect(rootVariables("{{ lookup('env', 'HOME') }}{{ q('items', names) }}")).toEqual(['names']);
  });
});
