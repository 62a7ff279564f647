import type { ServiceArgs } from '../schema/generated/service.js';
import type { SystemdArgs } from '../schema/generated/systemd.js';
import { sh } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { ModuleContext, ModuleDefinition, Plan, ProbeSet, Step } from './types.js';

/**
 * Ansible's systemd (systemd_service) and service, one implementation: on a systemd host Ansible's
 * service runs its systemd module with name, state and enabled.
 */
interface UnitRequest {
  name?: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  enabled?: boolean;
  masked?: boolean;
  daemonReload: boolean;
  daemonReexec: boolean;
  noBlock: boolean;
  force: boolean;
}

/** `systemctl show`'s properties (Ansible's `status`), and `systemctl is-enabled -l`'s answer. */
export interface UnitState {
  status: Record<string, string>;
  enablement: string;
  enablementCode: number | null;
}

export const systemdModule: ModuleDefinition<SystemdArgs> = {
  name: 'systemd',
  summary: "Ansible's systemd: start, stop, restart, reload, enable, mask a unit; daemon-reload",
  probe: (args) => unitProbes(systemdRequest(args)),
  plan: (args, probes, context) => planUnit(systemdRequest(args), probes, context),
};

export const serviceModule: ModuleDefinition<ServiceArgs> = {
  name: 'service',
  summary: "Ansible's service on systemd hosts: start, stop, restart or reload a unit, enable it at boot",
  probe: (args) => unitProbes(serviceRequest(args)),
  plan(args, probes, context) {
    if (context.facts.initSystem !== 'systemd') {
      return { kind: 'fail', message: `${context.host} does not run systemd: runbook's service manages systemd units only` };
    }
    return planUnit(serviceRequest(args), probes, context);
  },
};

function systemdRequest(args: SystemdArgs): UnitRequest {
  return {
    ...(args.name === undefined ? {} : { name: args.name }),
    ...(args.state === undefined ? {} : { state: args.state }),
    ...(args.enabled === undefined ? {} : { enabled: args.enabled }),
    ...(args.masked === undefined ? {} : { masked: args.masked }),
    daemonReload: args.daemon_reload ?? false,
    daemonReexec: args.daemon_reexec ?? false,
    noBlock: args.no_block ?? false,
    force: args.force ?? false,
  };
}

function serviceRequest(args: ServiceArgs): UnitRequest {
  return {
    name: args.name,
    ...(args.state === undefined ? {} : { state: args.state }),
    ...(args.enabled === undefined ? {} : { enabled: args.enabled }),
    daemonReload: false,
    daemonReexec: false,
    noBlock: false,
    force: false,
  };
}

function unitProbes(request: UnitRequest): ProbeSet {
  if (request.name === undefined) return {};
  return {
    unit: sh`systemctl show -- ${request.name}`,
    // Its exit status is the answer (0: enabled, static, …): printed last, since the probe itself must succeed.
    enablement: sh`systemctl is-enabled -l -- ${request.name} 2>/dev/null; echo "rc=$?"`,
  };
}

/** `systemctl show`'s KEY=VALUE lines, as Ansible's parse_systemctl_show reads them (multi-line `{ … }` values joined). */
export function parseSystemctlShow(stdout: string): Record<string, string> {
  const status: Record<string, string> = {};
  const lines = stdout.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] as string;
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    let value = line.slice(at + 1);
    // ExecStart= and the like span lines from "{" to a closing "}".
    if (key.startsWith('Exec') && value.trimStart().startsWith('{') && !value.trimEnd().endsWith('}')) {
      const parts = [value];
      while (index + 1 < lines.length) {
        index += 1;
        parts.push(lines[index] as string);
        if ((lines[index] as string).trimEnd().endsWith('}')) break;
      }
      value = parts.join('\n');
    }
    status[key] = value.trim();
  }
  return status;
}

export function parseUnitState(unit: string, enablement: string): UnitState {
  const lines = enablement.trimEnd().split('\n');
  const code = /^rc=(\d+)$/.exec(lines.at(-1) ?? '');
  return {
    status: parseSystemctlShow(unit),
    // With -l, systemctl also lists the unit's symbolic links after its state: Ansible reads the first line.
    enablement: lines.length > 1 ? (lines[0] as string).trim() : '',
    enablementCode: code ? Number(code[1]) : null,
  };
}

const ACTIVE_AFTER = { start: 'active', stop: 'inactive', restart: 'active (restarted)', reload: 'active (reloaded)' } as const;

const isRunning = (status: Record<string, string>) => status.ActiveState === 'active' || status.ActiveState === 'activating';

function planUnit(request: UnitRequest, probes: Record<string, ExecResult>, context: ModuleContext): Plan {
  const flags = [...(request.noBlock ? ['--no-block'] : []), ...(request.force ? ['--force'] : [])];
  const systemctl = (action: string, unitName: string) => sh`systemctl ${[...flags, action]} -- ${unitName}`;
  // Ansible runs these first, and never in check mode; they alone are not a change.
  const preliminary: Step[] = [
    ...(request.daemonReload ? [{ title: 'systemctl daemon-reload', command: sh`systemctl daemon-reload`, failureMessage: 'failure during daemon-reload' }] : []),
    ...(request.daemonReexec ? [{ title: 'systemctl daemon-reexec', command: sh`systemctl daemon-reexec`, failureMessage: 'failure during daemon-reexec' }] : []),
  ];
  const name = request.name;
  if (name === undefined) return preliminaryPlan(preliminary, {}, context, 'nothing else to do');

  const shown = probeOutput(probes, 'unit');
  if (shown.code !== 0) {
    return { kind: 'fail', message: `could not read the state of ${name}: ${shown.stderr.trim() || `exit ${shown.code}`}` };
  }
  const unit = parseUnitState(shown.stdout, probeOutput(probes, 'enablement').stdout);
  const status = unit.status;
  const found = status.LoadState !== undefined && status.LoadState !== 'not-found';
  const masked = status.LoadState === 'masked';
  if (found && !masked && status.LoadError !== undefined && status.LoadError !== '') {
    return { kind: 'fail', message: `Error loading unit file '${name}': ${status.LoadError}` };
  }
  const result: Record<string, unknown> = { name, status };
  const missing = (): Plan => {
    const message = `Could not find the requested service ${name}: host`;
    // In check mode the package that brings the unit may be one an earlier task would install.
    if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may install it)`, result };
    return { kind: 'fail', message, result };
  };

  const steps: Step[] = [];
  const actions: string[] = [];
  let maskedAfter = unit.enablement === 'masked';
  let enabledAfter = unit.enablement || 'unknown';
  let activeAfter = status.ActiveState ?? 'unknown';

  if (request.masked !== undefined && maskedAfter !== request.masked) {
    const action = request.masked ? 'mask' : 'unmask';
    steps.push({ title: `${action} ${name}`, command: systemctl(action, name) });
    actions.push(action);
    maskedAfter = request.masked;
    enabledAfter = request.masked ? 'masked' : 'disabled';
  }

  if (request.enabled !== undefined) {
    if (!found) return missing();
    // As Ansible reads `systemctl is-enabled -l`: exit 0 is enabled, unless it says indirect or alias.
    const enabled = unit.enablementCode === 0 && unit.enablement !== 'indirect' && unit.enablement !== 'alias';
    result.enabled = request.enabled;
    if (enabled !== request.enabled) {
      if (request.enabled && maskedAfter) return { kind: 'fail', message: `Unable to enable service ${name}: Unit file ${name} is masked.`, result };
      if (!request.enabled && unit.enablement === 'static') {
        return { kind: 'fail', message: `${name} is static: it has no install section to disable (mask it to keep it from starting)`, result };
      }
      const action = request.enabled ? 'enable' : 'disable';
      steps.push({ title: `${action} ${name}`, command: systemctl(action, name), failureMessage: `Unable to ${action} service ${name}` });
      actions.push(action);
      enabledAfter = request.enabled ? 'enabled' : 'disabled';
    }
  }

  if (request.state !== undefined) {
    if (!found) return missing();
    if (status.ActiveState === undefined) return { kind: 'fail', message: 'Service is in unknown state', result };
    const running = isRunning(status);
    let action: 'start' | 'stop' | 'restart' | 'reload' | undefined;
    if (request.state === 'started') action = running ? undefined : 'start';
    else if (request.state === 'stopped') action = running || status.ActiveState === 'deactivating' ? 'stop' : undefined;
    else action = running ? (request.state === 'restarted' ? 'restart' : 'reload') : 'start';
    result.state = request.state === 'restarted' || request.state === 'reloaded' ? 'started' : request.state;
    if (action !== undefined) {
      if (action !== 'stop' && maskedAfter) return { kind: 'fail', message: `Unable to ${action} service ${name}: Unit ${name} is masked.`, result };
      steps.push({ title: `${action} ${name}`, command: systemctl(action, name), failureMessage: `Unable to ${action} service ${name}` });
      actions.push(action);
      activeAfter = ACTIVE_AFTER[action];
    }
  }

  if (steps.length === 0) return preliminaryPlan(preliminary, result, context, noopReason(request, unit));
  return {
    kind: 'change',
    summary: `${actions.join(' and ')} ${name}`,
    diff: [
      {
        label: `service ${name}`,
        before: diffLines([`active: ${status.ActiveState ?? 'unknown'}`, `enabled: ${unit.enablement || 'unknown'}`]),
        after: diffLines([`active: ${activeAfter}`, `enabled: ${enabledAfter}`]),
      },
    ],
    steps: [...preliminary, ...steps],
    result,
  };
}

/** Nothing to change: only daemon-reload or daemon-reexec to run (not in check mode), or nothing at all. */
function preliminaryPlan(preliminary: Step[], result: Record<string, unknown>, context: ModuleContext, reason: string): Plan {
  if (preliminary.length === 0) return { kind: 'noop', reason, result };
  const ran = preliminary.map((step) => step.title).join(', ');
  if (context.check) return { kind: 'noop', reason: `${reason}; ${ran} not run in check mode`, result };
  return { kind: 'change', summary: `${ran} (${reason})`, steps: preliminary, result, finish: () => ({ changed: false, message: `${reason}; ran ${ran}` }) };
}

function noopReason(request: UnitRequest, unit: UnitState): string {
  const name = request.name as string;
  const parts: string[] = [];
  if (request.state !== undefined) parts.push(`${name} is ${unit.status.ActiveState} (${unit.status.SubState ?? ''})`);
  if (request.enabled !== undefined) parts.push(`${request.state === undefined ? `${name} is` : 'and'} ${unit.enablement || 'unknown'}`);
  if (request.masked !== undefined) parts.push(`${parts.length === 0 ? `${name} is` : 'and'} ${request.masked ? 'masked' : 'not masked'}`);
  return parts.join(' ');
}
