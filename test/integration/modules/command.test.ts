import { describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// command and shell with Ansible's meaning on a sandbox host: words expanded as Ansible expands them
// ($VARS and ~, on the host), creates/removes as globs, stdin with a newline, stdout without one.
const playbook = `
- hosts: kvm1
  gather_facts: false
  tasks:
    - name: words expanded on the host
      ansible.builtin.command: printf '%s|' $HOME ~ ~root/x '$(id)' '*' $NO_SUCH_VARIABLE
      register: words
      changed_when: false
    - name: a marker file
      ansible.builtin.command: touch /tmp/rb-command-marker.1
      args:
        creates: /tmp/rb-command-marker.*
    - name: stdin gets a newline, stdout loses it
      ansible.builtin.shell: cat
      args:
        stdin: hello
      register: echoed
      changed_when: false
    - name: what Ansible would register
      ansible.builtin.assert:
        that:
          - words.stdout == '/root|/root|/root/x|$(id)|*|$NO_SUCH_VARIABLE|'
          - words.cmd[0] == 'printf'
          - echoed.stdout == 'hello'
          - echoed.stdout_lines == ['hello']
`;

describe('command and shell as Ansible runs them', () => {
  it('expands words on the host, guards with globs, and converges', async () => {
    const first = await apply(playbook);
    expect(changedCount(first)).toBe(1);
    expect((await sshToHost('kvm1', sh`ls /tmp/rb-command-marker.1`)).code).toBe(0);
    const again = await apply(playbook);
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'a marker file').kvm1?.message).toBe("creates /tmp/rb-command-marker.* exists");
  });
});
