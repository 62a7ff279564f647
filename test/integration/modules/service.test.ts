import { beforeAll, describe, expect, it } from 'vitest';
import { sh } from '../../../src/shell/command.js';
import { sshToHost } from '../../helpers/sandbox.js';
import { apply, changedCount, resultsOf } from './apply.js';

// A unit of the test's own, so nothing of the lab is started or stopped.
const UNIT = 'rb-module-test';
const UNIT_FILE = `[Unit]
Description=runbook service module test
[Service]
ExecStart=/bin/sleep infinity
ExecReload=/bin/true
[Install]
WantedBy=multi-user.target
`;

const playbook = (args: string) => `
- name: service module on the sandbox
  hosts: kvm2
  tasks:
    - name: the unit
      service: ${args}
`;

async function unitState(): Promise<string> {
  return (await sshToHost('kvm2', sh`systemctl is-active ${UNIT}; systemctl is-enabled ${UNIT}`)).stdout;
}

async function mainPid(): Promise<string> {
  return (await sshToHost('kvm2', sh`systemctl show -p MainPID --value ${UNIT}`)).stdout.trim();
}

beforeAll(async () => {
  const path = `/etc/systemd/system/${UNIT}.service`;
  const result = await sshToHost('kvm2', sh`printf '%s' ${UNIT_FILE} > ${path} && systemctl daemon-reload`);
  expect(result.code, result.stderr).toBe(0);
});

describe('service through systemd on a sandbox host', () => {
  it('--check on the stopped, disabled unit reports the change and changes nothing', async () => {
    const checked = await apply(playbook(`{ name: ${UNIT}, state: started, enabled: true }`), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(resultsOf(checked, 'the unit').kvm2!.message).toBe(`would enable and start ${UNIT}`);
    expect(await unitState()).toBe('inactive\ndisabled\n');
  });

  it('starts and enables it, the diff showing active and enabled before and after', async () => {
    const applied = await apply(playbook(`{ name: ${UNIT}, state: started, enabled: true }`), { diff: true });
    expect(changedCount(applied)).toBe(1);
    expect(resultsOf(applied, 'the unit').kvm2!.diff).toEqual([
      { label: `service ${UNIT}`, before: 'active: inactive\nenabled: disabled\n', after: 'active: active\nenabled: enabled\n' },
    ]);
    expect(applied.stdout).toContain('-active: inactive');
    expect(applied.stdout).toContain('+enabled: enabled');
    expect(await unitState()).toBe('active\nenabled\n');
  });

  it('re-applies with 0 changed and says why', async () => {
    const again = await apply(playbook(`{ name: ${UNIT}, state: started, enabled: true }`));
    expect(changedCount(again)).toBe(0);
    expect(resultsOf(again, 'the unit').kvm2!.message).toBe(`${UNIT} is active (running) and enabled`);
  });

  it('restarted changes every time, with a new main process', async () => {
    const before = await mainPid();
    expect(changedCount(await apply(playbook(`{ name: ${UNIT}, state: restarted }`)))).toBe(1);
    const between = await mainPid();
    expect(changedCount(await apply(playbook(`{ name: ${UNIT}, state: restarted }`)))).toBe(1);
    const after = await mainPid();
    expect(new Set([before, between, after]).size).toBe(3);
    expect(await unitState()).toBe('active\nenabled\n');
  });

  it("reloaded reloads a running unit and, as Ansible's does, starts a stopped one", async () => {
    const pid = await mainPid();
    const reloaded = await apply(playbook(`{ name: ${UNIT}, state: reloaded }`));
    expect(changedCount(reloaded)).toBe(1);
    expect(resultsOf(reloaded, 'the unit').kvm2!.message).toBe(`reload ${UNIT}`);
    expect(await mainPid()).toBe(pid);

    expect(changedCount(await apply(playbook(`{ name: ${UNIT}, state: stopped, enabled: false }`)))).toBe(1);
    expect(await unitState()).toBe('inactive\ndisabled\n');
    const stopped = await apply(playbook(`{ name: ${UNIT}, state: reloaded }`));
    expect(changedCount(stopped)).toBe(1);
    expect(resultsOf(stopped, 'the unit').kvm2!.message).toBe(`start ${UNIT}`);
    expect(await unitState()).toBe('active\ndisabled\n');
  });

  it('a missing unit fails with Ansible\'s message', async () => {
    const failed = await apply(playbook('{ name: rb-no-such-unit, state: started }'));
    expect(failed.code).not.toBe(0);
    const result = resultsOf(failed, 'the unit').kvm2!;
    expect(result).toMatchObject({ status: 'failed', message: 'Could not find the requested service rb-no-such-unit: host' });
  });
});

const systemdPlaybook = (args: string) => `
- name: systemd module on the sandbox
  hosts: kvm2
  tasks:
    - name: the unit
      ansible.builtin.systemd: ${args}
      register: out
    - name: registered
      debug: { msg: "{{ out.state | default('-') }} {{ out.status.ActiveState | default('-') }} {{ out.status.LoadState | default('-') }} {{ out.status.MainPID | default('-') }}" }
`;

describe("systemd (Ansible's systemd) on a sandbox host", () => {
  it("registers name, state and systemctl show's properties as status, read before the change", async () => {
    const applied = await apply(systemdPlaybook(`{ name: ${UNIT}, state: stopped }`));
    expect(changedCount(applied)).toBe(1);
    expect(resultsOf(applied, 'registered').kvm2!.message).toMatch(/^stopped active loaded [1-9]\d*$/);
    expect(await unitState()).toBe('inactive\ndisabled\n');
  });

  // systemctl refuses to mask a unit whose file is in /etc/systemd/system: this one is not installed at all.
  it('masks a unit not installed (check mode first), which then cannot start; unmasks it', async () => {
    const MASKED = 'rb-mask-test';
    const linkOf = async () => (await sshToHost('kvm2', sh`readlink /etc/systemd/system/${MASKED}.service || echo none`)).stdout.trim();
    const checked = await apply(systemdPlaybook(`{ name: ${MASKED}, masked: true }`), { check: true });
    expect(changedCount(checked)).toBe(1);
    expect(await linkOf()).toBe('none');
    expect(changedCount(await apply(systemdPlaybook(`{ name: ${MASKED}, masked: true }`)))).toBe(1);
    expect(await linkOf()).toBe('/dev/null');
    expect(changedCount(await apply(systemdPlaybook(`{ name: ${MASKED}, masked: true }`)))).toBe(0);
    const refused = await apply(systemdPlaybook(`{ name: ${MASKED}, state: started }`));
    expect(resultsOf(refused, 'the unit').kvm2!).toMatchObject({ status: 'failed', message: `Unable to start service ${MASKED}: Unit ${MASKED} is masked.` });
    expect(changedCount(await apply(systemdPlaybook(`{ name: ${MASKED}, masked: false }`)))).toBe(1);
    expect(await linkOf()).toBe('none');
  });

  it('daemon_reload alone runs systemctl daemon-reload, and is not a change', async () => {
    const marker = 'Description=runbook daemon-reload test';
    const edit = await sshToHost('kvm2', sh`sed -i ${`s/^Description=.*/${marker}/`} /etc/systemd/system/${UNIT}.service`);
    expect(edit.code, edit.stderr).toBe(0);
    const applied = await apply(systemdPlaybook('{ daemon_reload: true }'));
    expect(changedCount(applied)).toBe(0);
    expect(resultsOf(applied, 'the unit').kvm2!.status).toBe('ok');
    expect((await sshToHost('kvm2', sh`systemctl show -p Description --value ${UNIT}`)).stdout.trim()).toBe('runbook daemon-reload test');
  });
});
