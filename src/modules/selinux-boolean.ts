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
    // Names are compared with `=` in the shell, never put into a regex.
    return {
      boolean: sh`printf 'running=%s\n' "$(getsebool -- ${args.name} 2>&1)"
if command -v semanage >/dev/null 2>&1; then semanage boolean -l 2>/dev/null | while read -r n rest; do [ "$n" = ${args.name} ] && printf 'policy=%s\n' "$rest"; done; fi
t=$(sed -n 's/^SELINUXTYPE=//p' /etc/selinux/config 2>/dev/null)
cat -- "/var/lib/selinux/\${t:-targeted}/active/booleans.local" "/etc/selinux/\${t:-targeted}/active/booleans.local" 2>/dev/null | while IFS='=' read -r n v; do [ "$n" = ${args.name} ] && printf 'local=%s\n' "$v"; done; true`,
    };
  },

  plan(args, probes, context) {
    if (!selinuxActive(context.facts.selinux)) {
      const why = context.facts.selinux === 'disabled' ? 'SELinux is disabled' : 'SELinux is not present';
      return { kind: 'noop', skipped: true, reason: `${why} on ${context.host}: no boolean to set` };
    }
    return planBoolean(args, parseBooleanState(probeOutput(probes, 'boolean').stdout));
  },
};

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

function planBoolean(args: SelinuxBooleanArgs, state: BooleanState): Plan {
  const name = args.name;
  if (state.error !== undefined) return { kind: 'fail', message: `cannot read SELinux boolean ${name}: ${state.error}` };
  const wanted: Value = args.state === true || args.state === 'on' ? 'on' : 'off';
  const persistent = args.persistent ?? true;
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
