import type { ServiceArgs } from '../schema/generated/service.js';
import { sh } from '../shell/command.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, Step } from './types.js';

/** What systemd says about a unit; `enablement` is `systemctl is-enabled` (it also knows SysV scripts). */
export interface UnitState {
  loadState: string;
  activeState: string;
  subState: string;
  enablement: string;
  needDaemonReload: boolean;
}

const RUNNING = new Set(['active', 'reloading', 'activating']);
const ENABLED = new Set(['enabled', 'enabled-runtime', 'alias', 'linked', 'linked-runtime']);
/** Units started by others (dependencies, generators, sockets): enabled as far as a user can tell. */
const STATIC = new Set(['static', 'indirect', 'generated', 'transient']);

export const serviceModule: ModuleDefinition<ServiceArgs> = {
  name: 'service',
  summary: 'Start, stop, restart or reload a systemd unit, and enable or disable it at boot',

  probe(args) {
    return {
      unit: sh`systemctl show -p LoadState,ActiveState,SubState,NeedDaemonReload -- ${args.name}; printf 'Enablement=%s\n' "$(systemctl is-enabled -- ${args.name} 2>/dev/null)"`,
    };
  },

  plan(args, probes, context) {
    const result = probeOutput(probes, 'unit');
    if (result.code !== 0) {
      return { kind: 'fail', message: `could not read the state of ${args.name}: ${result.stderr.trim() || `exit ${result.code}`}` };
    }
    const unit = parseUnitState(result.stdout);
    if (unit.loadState === 'not-found') {
      const message = `unit ${args.name} not found on ${context.host}`;
      // In check mode the package that brings the unit may be one an earlier task would install.
      if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may install it)` };
      return { kind: 'fail', message };
    }
    return planService(args, unit);
  },
};

export function parseUnitState(stdout: string): UnitState {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) values.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return {
    loadState: values.get('LoadState') ?? '',
    activeState: values.get('ActiveState') ?? '',
    subState: values.get('SubState') ?? '',
    enablement: values.get('Enablement') || 'unknown',
    needDaemonReload: values.get('NeedDaemonReload') === 'yes',
  };
}

function planService(args: ServiceArgs, unit: UnitState): Plan {
  const name = args.name;
  const masked = unit.loadState === 'masked' || unit.enablement.startsWith('masked');
  const running = RUNNING.has(unit.activeState);
  const steps: Step[] = [];
  const actions: string[] = [];
  let activeAfter = unit.activeState;
  let enabledAfter = unit.enablement;

  if (args.enabled !== undefined) {
    const isEnabled = ENABLED.has(unit.enablement) || STATIC.has(unit.enablement);
    if (args.enabled && masked) return { kind: 'fail', message: `${name} is masked; unmask it before enabling it` };
    if (!args.enabled && STATIC.has(unit.enablement)) {
      return { kind: 'fail', message: `${name} is ${unit.enablement}: it has no install section to disable (mask it to keep it from starting)` };
    }
    if (args.enabled && !isEnabled) {
      steps.push({ title: `enable ${name}`, command: sh`systemctl enable -- ${name}` });
      actions.push('enable');
      enabledAfter = 'enabled';
    } else if (!args.enabled && isEnabled) {
      steps.push({ title: `disable ${name}`, command: sh`systemctl disable -- ${name}` });
      actions.push('disable');
      enabledAfter = 'disabled';
    }
  }

  const state = args.state;
  if ((state === 'started' || state === 'restarted') && masked) {
    return { kind: 'fail', message: `${name} is masked and cannot be started` };
  }
  if (state === 'started' && !running) {
    steps.push({ title: `start ${name}`, command: sh`systemctl start -- ${name}` });
    actions.push('start');
    activeAfter = 'active';
  } else if (state === 'stopped' && unit.activeState !== 'inactive' && unit.activeState !== 'failed') {
    steps.push({ title: `stop ${name}`, command: sh`systemctl stop -- ${name}` });
    actions.push('stop');
    activeAfter = 'inactive';
  } else if (state === 'restarted') {
    steps.push({ title: `restart ${name}`, command: sh`systemctl restart -- ${name}` });
    actions.push('restart');
    activeAfter = 'active (restarted)';
  } else if (state === 'reloaded' && running) {
    // Units that cannot reload are restarted: the point of a reload is that the new configuration is live.
    steps.push({ title: `reload ${name}`, command: sh`systemctl reload-or-restart -- ${name}` });
    actions.push('reload');
    activeAfter = 'active (reloaded)';
  }

  if (steps.length === 0) return { kind: 'noop', reason: noopReason(args, unit, running) };
  if (unit.needDaemonReload) {
    steps.unshift({ title: 'systemctl daemon-reload', command: sh`systemctl daemon-reload` });
  }
  return {
    kind: 'change',
    summary: `${actions.join(' and ')} ${name}`,
    diff: [
      {
        label: `service ${name}`,
        before: diffLines([`active: ${unit.activeState}`, `enabled: ${unit.enablement}`]),
        after: diffLines([`active: ${activeAfter}`, `enabled: ${enabledAfter}`]),
      },
    ],
    steps,
  };
}

function noopReason(args: ServiceArgs, unit: UnitState, running: boolean): string {
  const parts: string[] = [];
  if (args.state === 'reloaded' && !running) {
    parts.push(`${args.name} is ${unit.activeState}: nothing to reload (it reads its configuration when it starts)`);
  } else if (args.state !== undefined) {
    parts.push(`${args.name} is ${unit.activeState} (${unit.subState})`);
  }
  if (args.enabled !== undefined) parts.push(`${args.state === undefined ? `${args.name} is` : 'and'} ${unit.enablement}`);
  return parts.join(' ');
}
