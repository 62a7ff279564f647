import { describe, expect, it } from 'vitest';
import { parseSystemctlShow, parseUnitState, serviceModule, systemdModule } from '../../../../src/modules/service.js';
import { validate } from '../../../../src/schema/validate.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

const result = (stdout: string) => ({ code: 0, signal: null, stdout, stderr: '' });

describe("systemctl show, read as Ansible's parse_systemctl_show reads it", () => {
  it('keeps every property, joins multi-line Exec values, and leaves a lone "{" in other values alone', () => {
    const stdout = [
      'Id=nginx.service',
      'Description={ not a block',
      'ExecStart={ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx -g daemon on;',
      '  ignore_errors=no ; start_time=[n/a] }',
      'MainPID=1234',
      'Environment=A=1 B=2',
      '',
    ].join('\n');
    expect(parseSystemctlShow(stdout)).toEqual({
      Id: 'nginx.service',
      Description: '{ not a block',
      ExecStart: '{ path=/usr/sbin/nginx ; argv[]=/usr/sbin/nginx -g daemon on;\n  ignore_errors=no ; start_time=[n/a] }',
      MainPID: '1234',
      Environment: 'A=1 B=2',
    });
  });

  it("reads is-enabled's answer and its exit status", () => {
    expect(parseUnitState('LoadState=loaded\n', 'static\nrc=0\n')).toEqual({ status: { LoadState: 'loaded' }, enablement: 'static', enablementCode: 0 });
    expect(parseUnitState('LoadState=not-found\n', 'rc=1\n')).toEqual({ status: { LoadState: 'not-found' }, enablement: '', enablementCode: 1 });
    // -l lists the unit's links after its state.
    expect(parseUnitState('', 'enabled\n/etc/systemd/system/multi-user.target.wants/rb.service\nrc=0\n')).toMatchObject({ enablement: 'enabled', enablementCode: 0 });
  });
});

describe('daemon-reload and daemon-reexec are not changes', () => {
  it('daemon_reload alone runs, and its outcome says changed: false', () => {
    const plan = systemdModule.plan({ daemon_reload: true } as never, {}, fakeContext());
    if (plan.kind !== 'change') throw new Error(`expected a change plan, got ${plan.kind}`);
    expect(plan.steps.map((step) => step.command.render())).toEqual(['systemctl daemon-reload']);
    expect(plan.finish!({})).toEqual({ changed: false, message: 'nothing else to do; ran systemctl daemon-reload' });
  });

  it('with a real change, the change counts (no finish overrides it)', () => {
    const probes = { unit: result('LoadState=loaded\nActiveState=inactive\nSubState=dead\n'), enablement: result('enabled\nrc=0\n') };
    const plan = systemdModule.plan({ name: 'rpcbind', state: 'started', daemon_reload: true } as never, probes, fakeContext());
    expect(plan).toMatchObject({ kind: 'change', summary: 'start rpcbind', result: { name: 'rpcbind', state: 'started' } });
    expect((plan as { finish?: unknown }).finish).toBeUndefined();
  });
});

describe('schemas', () => {
  it("service refuses what Ansible ignores under systemd, and systemd refuses user and global scope", () => {
    for (const extra of [{ sleep: 1 }, { pattern: 'nginx' }, { arguments: '-d' }, { runlevel: '3' }]) {
      expect(validate('runbook:module/service', { name: 'nginx', state: 'started', ...extra })).not.toEqual([]);
    }
    expect(validate('runbook:module/systemd', { name: 'nginx', state: 'started', scope: 'user' })).not.toEqual([]);
    expect(validate('runbook:module/systemd', { state: 'started' })).not.toEqual([]);
    expect(validate('runbook:module/systemd', { daemon_reload: true })).toEqual([]);
    expect(validate('runbook:module/service', { name: 'nginx' })).not.toEqual([]);
  });

  it('the probe passes a hostile unit name as one quoted word', () => {
    const probes = serviceModule.probe!({ name: "x'; reboot; '" } as never, fakeContext());
    expect(probes['unit']!.toString()).toBe("systemctl show -- 'x'\\''; reboot; '\\'''");
  });
});
