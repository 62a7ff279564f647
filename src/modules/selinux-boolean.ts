import type { SebooleanArgs } from '../schema/generated/seboolean.js';
import type { SelinuxBooleanArgs } from '../schema/generated/selinux_boolean.js';
import { sh } from '../shell/command.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeSet } from './types.js';

type Value = 'on' | 'off';

/** The running value, and the stored one when known (undefined: the policy's default, unread). */
export interface BooleanState {
  running: Value | undefined;
  persistent: Value | undefined;
  error: string | undefined;
}

export const selinuxBooleanModule: ModuleDefinition<SelinuxBooleanArgs> = {
  name: 'selinux_boolean',
  summary: 'Set an SELinux boolean at run time and persistently (skipped where SELinux is off)',

  probe(args, context): ProbeSet {
    if (!selinuxActive(context.facts.selinux)) return {};
    return { boolean: booleanProbe(args.name) };
  },

  plan(args, probes, context) {
    if (!selinuxActive(context.facts.selinux)) {
      const why = context.facts.selinux === 'disabled' ? 'SELinux is disabled' : 'SELinux is not present';
      return { kind: 'noop', skipped: true, reason: `${why} on ${context.host}: no boolean to set` };
    }
    return planBoolean(args.name, isOn(args.state), args.persistent ?? true, parseBooleanState(probeOutput(probes, 'boolean').stdout));
  },
};

/** Ansible's boolean words (convert_bool.py) for seboolean's state. */
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);

/**
 * Ansible's ansible.posix.seboolean, planned as selinux_boolean with Ansible's meaning: only the
 * running value unless persistent: true, and a host without SELinux fails (unless ignore_selinux_state).
 */
export const sebooleanModule: ModuleDefinition<SebooleanArgs> = {
  name: 'seboolean',
  summary: "Set an SELinux boolean (Ansible's ansible.posix.seboolean: running value only unless persistent)",
  probe: (args, context): ProbeSet => (selinuxActive(context.facts.selinux) || args.ignore_selinux_state === true ? { boolean: booleanProbe(args.name) } : {}),
  plan(args, probes, context) {
    if (!selinuxActive(context.facts.selinux) && args.ignore_selinux_state !== true) return { kind: 'fail', message: 'SELinux is disabled on this host.' };
    const wanted = typeof args.state === 'boolean' ? args.state : TRUE_WORDS.has(args.state.toLowerCase());
    const persistent = args.persistent ?? false;
    const plan = planBoolean(args.name, wanted, persistent, parseBooleanState(probeOutput(probes, 'boolean').stdout));
    const result = { name: args.name, persistent, state: wanted };
    return plan.kind === 'fail' ? plan : { ...plan, result };
  },
};

function isOn(state: SelinuxBooleanArgs['state']): boolean {
  return state === true || state === 'on';
}

// Names are compared with `=` in the shell, never put into a regex.
function booleanProbe(name: string) {
  return sh`printf 'running=%s\n' "$(getsebool -- ${name} 2>&1)"
if command -v semanage >/dev/null 2>&1; then semanage boolean -l 2>/dev/null | while read -r n rest; do [ "$n" = ${name} ] && printf 'policy=%s\n' "$rest"; done; fi
t=$(sed -n 's/^SELINUXTYPE=//p' /etc/selinux/config 2>/dev/null)
cat -- "/var/lib/selinux/\${t:-targeted}/active/booleans.local" "/etc/selinux/\${t:-targeted}/active/booleans.local" 2>/dev/null | while IFS='=' read -r n v; do [ "$n" = ${name} ] && printf 'local=%s\n' "$v"; done; true`;
}

function selinuxActive(mode: string): boolean {
  return mode === 'enforcing' || mode === 'permissive';
}

/**
 * running= is getsebool's answer ("virt_use_nfs --> off"); policy= is semanage's line
 * "virt_use_nfs  (off  ,  off)  Allow …" (current, stored); local= is a value setsebool -P stored
 * in booleans.local, which wins over the policy's default.
 */
export function parseBooleanState(stdout: string): BooleanState {
  const lines = stdout.split('\n');
  const running = lines.find((line) => line.startsWith('running='))?.slice('running='.length) ?? '';
  const runningValue = /-->\s*(on|off)\s*$/.exec(running)?.[1] as Value | undefined;
  const policy = lines.find((line) => line.startsWith('policy='));
  const stored = policy === undefined ? undefined : (/\(\s*(?:on|off)\s*,\s*(on|off)\s*\)/.exec(policy)?.[1] as Value | undefined);
  const local = lines.findLast((line) => line.startsWith('local='))?.slice('local='.length).trim();
  const localValue = local === '1' || local === 'true' || local === 'on' ? 'on' : local === undefined ? undefined : 'off';
  return {
    running: runningValue,
    persistent: localValue ?? stored,
    error: runningValue === undefined ? running.trim() || 'getsebool printed nothing' : undefined,
  };
}

function planBoolean(name: string, on: boolean, persistent: boolean, state: BooleanState): Plan {
  if (state.error !== undefined) return { kind: 'fail', message: `cannot read SELinux boolean ${name}: ${state.error}` };
  const wanted: Value = on ? 'on' : 'off';
  const runningOk = state.running === wanted;
  const storedOk = !persistent || state.persistent === wanted;
  if (runningOk && storedOk) {
    return { kind: 'noop', reason: `${name} is ${wanted}${persistent ? ' (running and persistent)' : ''}` };
  }
  const stored = state.persistent ?? 'policy default (unread)';
  return {
    kind: 'change',
    summary: `set ${name} ${wanted}${persistent ? ' persistently' : ''}`,
    diff: [
      {
        label: `SELinux boolean ${name}`,
        before: diffLines([`running: ${state.running}`, ...(persistent ? [`persistent: ${stored}`] : [])]),
        after: diffLines([`running: ${wanted}`, ...(persistent ? [`persistent: ${wanted}`] : [])]),
      },
    ],
    steps: [
      persistent
        ? { title: `setsebool -P ${name} ${wanted}`, command: sh`setsebool -P -- ${name} ${wanted}`, timeoutMs: 600_000 }
        : { title: `setsebool ${name} ${wanted}`, command: sh`setsebool -- ${name} ${wanted}` },
    ],
  };
}
