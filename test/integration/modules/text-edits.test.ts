import { beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// lineinfile, replace and blockinfile (Ansible's meaning, Python regular expressions) on one sandbox host.
const DIR = '/srv/rb text edits';
const CONF = `${DIR}/app.conf`;
const NEW = `${DIR}/new.d/x.conf`;
const ORIGINAL = '# app\nPort 22\n#ListenAddress 0.0.0.0\n[main]\nkey=old\nkey2=old\n';

const setup = `
- name: a config file to edit
  hosts: kvm1
  tasks:
    - name: the directory
      file: { path: "${DIR}", state: directory, mode: "0755" }
    - name: the original file
      copy: { dest: "${CONF}", content: ${JSON.stringify(ORIGINAL)}, mode: "0644" }
`;

const edits = (listen: string, blockState: string) => `
- name: text edits
  hosts: kvm1
  tasks:
    - name: listen address
      ansible.builtin.lineinfile:
        path: "${CONF}"
        regexp: '^#?ListenAddress\\s'
        line: "ListenAddress ${listen}"
      register: listened
    - name: port, by backrefs and a named group
      lineinfile:
        dest: "${CONF}"
        regexp: '^(?P<key>Port)\\s+\\d+$'
        line: '\\g<key> 2222'
        backrefs: true
    - name: a new file in a new directory
      lineinfile: { path: "${NEW}", line: "x=1", create: true, mode: "0600" }
    - name: a managed block after [main]
      blockinfile:
        path: "${CONF}"
        insertafter: '^\\[main\\]'
        block: |
          a=1
          b=2
        state: ${blockState}
    - name: key values
      ansible.builtin.replace:
        path: "${CONF}"
        regexp: '^(key\\d?)=old$'
        replace: '\\1=new'
        backup: true
      register: keys
    - name: Ansible's messages are registered
      assert:
        that:
          - listened.msg in ['line replaced', '']
          - keys.msg in ['2 replacements made', '']
`;

const EDITED =
  '# app\nPort 2222\nListenAddress 127.0.0.1\n[main]\n# BEGIN ANSIBLE MANAGED BLOCK\na=1\nb=2\n# END ANSIBLE MANAGED BLOCK\nkey=new\nkey2=new\n';

async function readBack(): Promise<{ conf: string; created: string; backups: number }> {
  const result = await sshToHost(
    'kvm1',
    sh`cat -- ${CONF}; echo --; stat -c %a -- ${NEW} && cat -- ${NEW}; echo --; ls -a -- ${DIR} | grep -c '^app\\.conf\\.[0-9]*\\.[0-9-]*@[0-9:]*~$' || true`,
  );
  const [conf = '', created = '', backups = ''] = result.stdout.split('--\n');
  return { conf, created, backups: Number(backups.trim()) };
}

beforeAll(async () => {
  expect((await sshToHost('kvm1', sh`test -e ${DIR} && echo exists || echo absent`)).stdout).toBe('absent\n');
  expect(changedCount(await apply(setup))).toBe(2);
});

describe('lineinfile, replace and blockinfile on a sandbox host', () => {
  it('--check reports every edit and changes nothing', async () => {
    const checked = await apply(edits('127.0.0.1', 'present'), { check: true, diff: true });
    expect(changedCount(checked)).toBe(5);
    expect(checked.stdout).toContain('+ListenAddress 127.0.0.1');
    expect(await readBack()).toEqual({ conf: ORIGINAL, created: '', backups: 0 });
  });

  it('apply edits the files as Ansible would; read back over ssh', async () => {
    const applied = await apply(edits('127.0.0.1', 'present'));
    expect(changedCount(applied)).toBe(5);
    expect(resultsOf(applied, 'listen address').kvm1!.status).toBe('changed');
    expect(await readBack()).toEqual({ conf: EDITED, created: '600\nx=1\n', backups: 1 });
  });

  it('re-applying changes nothing', async () => {
    const again = await apply(edits('127.0.0.1', 'present'));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'listen address').kvm1!.message).toBe(`the line is already in ${CONF}`);
    expect(await readBack()).toEqual({ conf: EDITED, created: '600\nx=1\n', backups: 1 });
  });

  it('--check of other values reports them and changes nothing', async () => {
    const checked = await apply(edits('10.0.0.1', 'absent'), { check: true, diff: true });
    expect(changedCount(checked)).toBe(2);
    expect(checked.stdout).toContain('-# BEGIN ANSIBLE MANAGED BLOCK');
    expect(await readBack()).toEqual({ conf: EDITED, created: '600\nx=1\n', backups: 1 });
  });
});
