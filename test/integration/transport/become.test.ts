import { describe, expect, it } from 'vitest';
import { apply, resultsOf } from '../modules/apply.js';

// Keywords that change how a task's commands run, on a real sandbox host (root logs in; sudo and su
// are installed): become_method su and sudo, become_flags, a templated become, environment through
// become, and delegate_to another sandbox host.
const playbook = `
- name: how commands run
  hosts: kvm1
  gather_facts: false
  tasks:
    - name: a user to become
      user: { name: rbbecome, uid: 2471, shell: /bin/sh }
    - name: through su
      command: id -un
      become: true
      become_user: rbbecome
      become_method: su
      register: via_su
    - name: through sudo
      command: id -un
      become: true
      become_user: rbbecome
      register: via_sudo
    - name: a nologin user through su, given a shell
      command: id -un
      become: "{{ 'yes' }}"
      become_user: nobody
      become_method: su
      become_flags: -s /bin/sh
      register: via_flags
    - name: a nologin user through su without one
      command: id -un
      become: true
      become_user: nobody
      become_method: su
      ignore_errors: true
    - name: environment through su
      shell: printf '%s|%s' "$RB_GREETING" "$HOME"
      environment: { RB_GREETING: "it's $HOME; \`id\`" }
      become: true
      become_user: rbbecome
      become_method: su
      register: environment
    - name: here
      command: hostname
      register: here
    - name: delegated
      command: hostname
      delegate_to: nfs
      register: there
    - name: show
      debug: { msg: "{{ via_su.stdout }} {{ via_sudo.stdout }} {{ via_flags.stdout }} {{ environment.stdout }} {{ here.stdout != there.stdout }}" }
    - name: remove the user
      user: { name: rbbecome, state: absent, remove: true }
`;

describe('become, environment and delegate_to on a sandbox host', () => {
  it('runs each command as the keywords say', async () => {
    const applied = await apply(playbook);
    expect(resultsOf(applied, 'show').kvm1?.message).toBe("rbbecome rbbecome nobody it's $HOME; `id`|/home/rbbecome True");
    expect(resultsOf(applied, 'a nologin user through su without one').kvm1).toMatchObject({ status: 'ok', ignored: true });
    expect(resultsOf(applied, 'a nologin user through su without one').kvm1?.message).toMatch(/^privilege escalation failed: the login shell of become_user refuses commands \(nologin\)/);
    expect(applied.code, applied.stdout).toBe(0);
  });
});
