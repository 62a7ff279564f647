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

  it('reloaded reloads a running unit and leaves a stopped one alone, saying so', async () => {
    const pid = await mainPid();
    const reloaded = await apply(playbook(`{ name: ${UNIT}, state: reloaded }`));
    expect(changedCount(reloaded)).toBe(1);
    expect(resultsOf(reloaded, 'the unit').kvm2!.message).toBe(`reload ${UNIT}`);
    expect(await mainPid()).toBe(pid);

    expect(changedCount(await apply(playbook(`{ name: ${UNIT}, state: stopped, enabled: false }`)))).toBe(1);
    expect(await unitState()).toBe('inactive\ndisabled\n');
    const stopped = await apply(playbook(`{ name: ${UNIT}, state: reloaded }`));
    expect(changedCount(stopped)).toBe(0);
    expect(resultsOf(stopped, 'the unit').kvm2!.message).toBe(`${UNIT} is inactive: nothing to reload (it reads its configuration when it starts)`);
    expect(await unitState()).toBe('inactive\ndisabled\n');
  });

  it('a missing unit fails clearly', async () => {
    const failed = await apply(playbook('{ name: rb-no-such-unit, state: started }'));
    expect(failed.code).not.toBe(0);
    const result = resultsOf(failed, 'the unit').kvm2!;
    expect(result).toMatchObject({ status: 'failed', message: 'unit rb-no-such-unit not found on kvm2' });
  });
});
