import { beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// stat, slurp, ping, wait_for, pause and fail on one sandbox host, in a directory of the test's own.
const HOST = 'kvm1';
const DIR = '/tmp/rb-builtin-checks';
const FILE = `${DIR}/app.conf`;

const PLAYBOOK = `
- name: builtin checks on the sandbox
  hosts: ${HOST}
  tasks:
    - name: the directory
      file: { path: ${DIR}, state: directory, mode: "0755" }
    - name: the file
      copy: { dest: ${FILE}, content: "name=web\\nport=8080\\n", mode: "0640" }
    - name: the link
      file: { path: ${DIR}/current, src: app.conf, state: link }
    - name: ping
      ansible.builtin.ping:
      register: pinged
    - name: stat the file
      ansible.builtin.stat: { path: ${FILE}, checksum_algorithm: sha256 }
      register: st
    - name: stat the link
      stat: path=${DIR}/current
      register: link
    - name: stat a missing path
      ansible.legacy.stat: { path: ${DIR}/missing }
      register: missing
    - name: slurp the file
      slurp: { src: ${FILE} }
      register: slurped
    - name: wait for sshd
      ansible.builtin.wait_for: { port: 22, timeout: 10 }
      register: sshd
    - name: wait for the port line
      wait_for: { path: ${FILE}, search_regex: '^port=(?P<port>\\d+)$', timeout: 5 }
      register: portline
    - name: a closed port is stopped
      wait_for: { port: 1, state: stopped, timeout: 5 }
    - name: pause a second
      ansible.builtin.pause: { seconds: 1 }
      register: paused
    - name: what was read
      debug:
        msg: >-
          ping={{ pinged.ping }} exists={{ st.stat.exists }} isreg={{ st.stat.isreg }} isdir={{ st.stat.isdir }}
          mode={{ st.stat.mode }} owner={{ st.stat.pw_name }}:{{ st.stat.gr_name }} uid={{ st.stat.uid }} size={{ st.stat.size }}
          checksum={{ st.stat.checksum }} inode={{ st.stat.inode }} mtime={{ st.stat.mtime | int }}
          islnk={{ link.stat.islnk }} target={{ link.stat.lnk_target }} source={{ link.stat.lnk_source }}
          missing={{ missing.stat.exists }} encoding={{ slurped.encoding }} content={{ slurped.content | b64decode | to_json }}
          sshd={{ sshd.state }}:{{ sshd.port }} groups={{ portline.match_groups | to_json }} port={{ portline.match_groupdict.port }}
          paused={{ paused.delta }}
    - name: fail only when the mode is wrong
      ansible.builtin.fail: { msg: "the file is not 0640" }
      when: st.stat.mode != '0640'
`;

const FAILING = `
- name: failing checks on the sandbox
  hosts: ${HOST}
  tasks:
    - name: a port that never opens
      wait_for: { port: 1, timeout: 2, connect_timeout: 1 }
      ignore_errors: true
    - name: fail
      fail:
`;

async function onHost(command: ReturnType<typeof sh>): Promise<string> {
  const result = await sshToHost(HOST, command);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

beforeAll(async () => {
  await onHost(sh`rm -rf -- ${DIR}`);
});

describe('stat, slurp, ping, wait_for, pause and fail on a sandbox host', () => {
  let firstMessage = '';

  it('applies: only the file tasks change; the registered values are what the host says', async () => {
    const applied = await apply(PLAYBOOK);
    expect(changedCount(applied)).toBe(3);
    for (const task of ['ping', 'stat the file', 'stat the link', 'stat a missing path', 'slurp the file', 'wait for sshd', 'wait for the port line', 'a closed port is stopped', 'pause a second']) {
      expect(resultsOf(applied, task)[HOST]!.status, task).toBe('ok');
    }
    expect(resultsOf(applied, 'fail only when the mode is wrong')[HOST]!.status).toBe('skipped');
    const [checksum, inode, mtime, uid, user, group] = (
      await onHost(sh`sha256sum < ${FILE} | cut -d' ' -f1; stat -c '%i' -- ${FILE}; stat -c '%Y' -- ${FILE}; stat -c '%u' -- ${FILE}; stat -c '%U' -- ${FILE}; stat -c '%G' -- ${FILE}`)
    ).trim().split('\n');
    firstMessage = resultsOf(applied, 'what was read')[HOST]!.message;
    expect(firstMessage).toBe(
      `ping=pong exists=True isreg=True isdir=False mode=0640 owner=${user}:${group} uid=${uid} size=19 checksum=${checksum} inode=${inode} mtime=${mtime}` +
        ` islnk=True target=app.conf source=${FILE} missing=False encoding=base64 content="name=web\\nport=8080\\n"` +
        ` sshd=started:22 groups=["8080"] port=8080 paused=1`,
    );
    expect(resultsOf(applied, 'pause a second')[HOST]!.durationMs).toBeGreaterThanOrEqual(1000);
  });

  it('re-applies with 0 changed and reads the same', async () => {
    const again = await apply(PLAYBOOK);
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'what was read')[HOST]!.message).toBe(firstMessage);
  });

  it('--check changes nothing, and the checks read the host as it is (fail fires on a wrong mode)', async () => {
    await onHost(sh`chmod 0600 -- ${FILE}`);
    const checked = await apply(PLAYBOOK, { check: true });
    expect(checked.code).toBe(1);
    expect(resultsOf(checked, 'the file')[HOST]!.status).toBe('changed');
    expect(resultsOf(checked, 'what was read')[HOST]!.message).toContain(' mode=0600 ');
    expect(resultsOf(checked, 'fail only when the mode is wrong')[HOST]!).toMatchObject({ status: 'failed', message: 'the file is not 0640' });
    expect(await onHost(sh`stat -c '%a' -- ${FILE}`)).toBe('600\n');
    await onHost(sh`chmod 0640 -- ${FILE}`);
  });

  it("fails with Ansible's messages: a wait that times out, a bare fail", async () => {
    const failed = await apply(FAILING);
    expect(failed.code).toBe(1);
    expect(resultsOf(failed, 'a port that never opens')[HOST]!).toMatchObject({ message: 'Timeout when waiting for 127.0.0.1:1', ignored: true });
    expect(resultsOf(failed, 'fail')[HOST]!).toMatchObject({ status: 'failed', message: 'Failed as requested from task' });
  });
});
