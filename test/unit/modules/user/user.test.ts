import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleNameTable } from '../../../../src/load/module-names.js';
import { createHomeCommand, userModule } from '../../../../src/modules/user.js';
import { validate } from '../../../../src/schema/validate.js';
import { SHELLS, runShell } from '../../../helpers/local-shell.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const HASH = `$6$rbsalt$${'Q'.repeat(86)}`;
const ALICE = 'alice:x:1500:1500:Alice:/home/alice:/bin/bash\n';
const GROUPS = 'adm:x:4:\nrbgroup:x:1500:\n';

const root = mkdtempSync(join(tmpdir(), 'runbook-user-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('user and group arguments', () => {
  it.each(['-rf', '$(reboot)', 'two words', 'a;b', "it's", 'a:b', '', 'x'.repeat(33), 'back\\slash'])('the schemas refuse the name %j', (name) => {
    expect(validate('runbook:module/user', { name })).not.toEqual([]);
    expect(validate('runbook:module/group', { name })).not.toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', group: name })).not.toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', groups: [name] })).not.toEqual([]);
  });

  it('refuses a groups string with a hostile item, and passwd fields that would break the file', () => {
    expect(validate('runbook:module/user', { name: 'alice', groups: 'adm,$(reboot)' })).not.toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', groups: 'adm, wheel' })).toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', comment: 'a:b' })).not.toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', comment: 'a\nb' })).not.toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', home: 'relative/home' })).not.toEqual([]);
    // The password's schema is writeOnly: its refusal never quotes the hash.
    for (const password of ['x:SECRET', 'SECRET\n']) {
      expect(validate('runbook:module/user', { name: 'alice', password }).map(({ message }) => message)).toEqual([
        "invalid value: must be a crypt(3) hash as in /etc/shadow (or ! or *), without ':' or a newline",
      ]);
    }
    expect(validate('runbook:module/user', { name: 'alice', password: 5 }).map(({ message }) => message)).toEqual(['expected string, got a value that is not shown']);
  });

  it('takes Ansible aliases, but not both spellings at once, and refuses what it does not implement', () => {
    expect(validate('runbook:module/user', { user: 'alice', createhome: false })).toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', user: 'alice' })).not.toEqual([]);
    expect(validate('runbook:module/user', { name: 'alice', create_home: true, createhome: true })).not.toEqual([]);
    expect(validate('runbook:module/user', {})).not.toEqual([]);
    for (const unsupported of [{ local: true }, { generate_ssh_key: true }, { seuser: 'user_u' }, { password_expire_max: 90 }, { skeleton: '/etc/skel' }, { umask: '077' }]) {
      expect(validate('runbook:module/user', { name: 'alice', ...unsupported }), JSON.stringify(unsupported)).not.toEqual([]);
    }
    expect(validate('runbook:module/group', { name: 'g', local: true })).not.toEqual([]);
    expect(validate('runbook:module/group', { name: 'g', force: true })).not.toEqual([]);
    expect(validate('runbook:module/group', { name: 'g', non_unique: true })).not.toEqual([]);
  });

  it('answers to user, group, ansible.builtin.* and ansible.legacy.*', () => {
    const { accepted, refused } = moduleNameTable();
    for (const name of ['user', 'group']) {
      for (const spelling of [name, `ansible.builtin.${name}`, `ansible.legacy.${name}`]) {
        expect(accepted.get(spelling)).toBe(name);
        expect(refused.has(spelling)).toBe(false);
      }
    }
  });
});

describe('the password hash never reaches output', () => {
  const probes = (shadow: string) => ({
    passwd: { code: 0, signal: null, stdout: ALICE, stderr: '' },
    groups: { code: 0, signal: null, stdout: GROUPS, stderr: '' },
    shadow: { code: 0, signal: null, stdout: shadow, stderr: '' },
    home: { code: 0, signal: null, stdout: 'present\n', stderr: '' },
  });

  it.each([
    ['a changed hash', `alice:$6$old$${'O'.repeat(86)}:20000:0:99999:7:::\n`, false],
    ['a new account', '', true],
  ])('%s: only the rendered command holds it; what is shown, summary, diff and result do not', (_, shadow, create) => {
    const context = fakeContext();
    const answers = probes(shadow);
    if (create) answers.passwd.stdout = '';
    const plan = userModule.plan({ name: 'alice', password: HASH }, answers, context);
    if (plan.kind !== 'change') throw new Error(`expected a change, got ${JSON.stringify(plan)}`);
    const rendered = plan.steps.map((step) => step.command.render()).join('\n');
    expect(rendered).toContain(HASH);
    const shown = JSON.stringify({
      summary: plan.summary,
      diff: plan.diff,
      result: plan.result,
      titles: plan.steps.map((step) => step.title),
      commands: plan.steps.map((step) => step.command.redacted()),
      finished: plan.finish?.({ account: { code: 0, signal: null, stdout: ALICE, stderr: '' } }),
    });
    expect(shown).not.toContain(HASH);
    expect(shown).not.toContain('QQQQ');
    expect(shown).toContain("-p '********'");
    expect(plan.result?.password).toBe('NOT_LOGGING_PASSWORD');
  });

  it('an unchanged hash is a no-op whose reason and result hold no hash', () => {
    const plan = userModule.plan({ name: 'alice', password: HASH }, probes(`alice:${HASH}:20000:0:99999:7:::\n`), fakeContext());
    expect(plan.kind).toBe('noop');
    expect(JSON.stringify(plan)).not.toContain(HASH);
  });
});

describe.each(SHELLS)('the missing home directory, made by %s', (shell) => {
  it('copies /etc/skel into a new directory (parents made), owned by the account, with the mode login.defs gives', () => {
    const home = join(root, shell.replaceAll('/', '_'), "it's here", 'alice');
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const result = runShell(createHomeCommand(home, `${uid}:${gid}`), undefined, undefined, shell);
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(home).isDirectory()).toBe(true);
    expect(readdirSync(home).sort()).toEqual(readdirSync('/etc/skel').sort());
    expect(statSync(home).uid).toBe(uid);
  });
});
