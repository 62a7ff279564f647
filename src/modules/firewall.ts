import type { FirewallArgs } from '../schema/generated/firewall.js';
import type { FirewalldArgs } from '../schema/generated/firewalld.js';
import { sh, type Command } from '../shell/command.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, Step } from './types.js';

/** One zone's services and ports, as firewalld lists them. */
export interface ZoneRules {
  services: string[];
  ports: string[];
}

export type FirewalldState =
  | { status: 'absent' | 'stopped' }
  | { status: 'running'; zone: string; known: string[]; runtime: ZoneRules; permanent: ZoneRules };

type Layer = 'runtime' | 'permanent';

export const firewallModule: ModuleDefinition<FirewallArgs> = {
  name: 'firewall',
  summary: 'Open or close firewalld services and ports, permanently and immediately',

  probe(args) {
    return { firewalld: firewalldProbe(args.zone) };
  },

  plan(args, probes, context) {
    const state = parseFirewalld(probeOutput(probes, 'firewalld').stdout);
    if (state.status !== 'running') {
      const why = state.status === 'absent' ? 'firewalld is not installed' : 'firewalld is not running';
      if (args.required) return { kind: 'fail', message: `${why} on ${context.host} (required: true)` };
      return { kind: 'noop', skipped: true, reason: `${why} on ${context.host}: nothing to open or close` };
    }
    return planRules(wantedRules(args), (args.state ?? 'enabled') === 'enabled', layersOf(args.permanent ?? true, args.immediate ?? true), state);
  },
};

/**
 * Ansible's ansible.posix.firewalld, planned as `firewall` but with Ansible's meaning: the running
 * configuration only, unless permanent: true (then only the permanent one, unless immediate: true);
 * a host where firewalld is not installed or not running fails, as in Ansible.
 */
export const firewalldModule: ModuleDefinition<FirewalldArgs> = {
  name: 'firewalld',
  summary: "Open or close firewalld services and ports (Ansible's ansible.posix.firewalld: running configuration unless permanent)",
  probe: (args) => ({ firewalld: firewalldProbe(args.zone) }),
  plan(args, probes, context) {
    const state = parseFirewalld(probeOutput(probes, 'firewalld').stdout);
    if (state.status !== 'running') {
      return { kind: 'fail', message: `firewalld is ${state.status === 'absent' ? 'not installed' : 'not running'} on ${context.host}` };
    }
    const permanent = args.permanent ?? false;
    return planRules(wantedRules(args), args.state === 'enabled', layersOf(permanent, !permanent || (args.immediate ?? false)), state);
  },
};

function wantedRules(args: { service?: string | string[]; port?: string | string[] }): ZoneRules {
  return { services: asList(args.service), ports: asList(args.port) };
}

function layersOf(permanent: boolean, immediate: boolean): Layer[] {
  return [...(permanent ? (['permanent'] as const) : []), ...(immediate ? (['runtime'] as const) : [])];
}

/**
 * Prints "status=…"; when running also the zone, the service names firewalld knows, and the zone's
 * `--list-all` for the running and the permanent configuration. No `exit`: probes share one script.
 */
function firewalldProbe(zone: string | undefined): Command {
  const pickZone = zone === undefined ? sh`zone=$(firewall-cmd --get-default-zone)` : sh`zone=${zone}`;
  return sh`if ! command -v firewall-cmd >/dev/null 2>&1; then echo status=absent
elif ! firewall-cmd --state >/dev/null 2>&1; then echo status=stopped
else ${pickZone}; echo status=running; printf 'zone=%s\n' "$zone"; printf 'known=%s\n' "$(firewall-cmd --get-services)"
echo '[runtime]'; firewall-cmd --zone="$zone" --list-all; echo '[permanent]'; firewall-cmd --permanent --zone="$zone" --list-all; fi`;
}

export function parseFirewalld(stdout: string): FirewalldState {
  const lines = stdout.split('\n');
  const value = (key: string) => lines.find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1).trim() ?? '';
  const status = value('status');
  if (status !== 'running') return { status: status === 'stopped' ? 'stopped' : 'absent' };
  const sections: Record<Layer, ZoneRules> = { runtime: { services: [], ports: [] }, permanent: { services: [], ports: [] } };
  let section: Layer | undefined;
  for (const line of lines) {
    const header = /^\[(runtime|permanent)\]$/.exec(line);
    if (header) section = header[1] as Layer;
    const entry = /^\s+(services|ports):\s*(.*)$/.exec(line);
    if (entry && section) sections[section][entry[1] as keyof ZoneRules] = words(entry[2] ?? '');
  }
  return { status: 'running', zone: value('zone'), known: words(value('known')), ...sections };
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function planRules(wanted: ZoneRules, enable: boolean, layers: Layer[], state: Extract<FirewalldState, { status: 'running' }>): Plan {
  const unknown = wanted.services.filter((service) => !state.known.includes(service));
  if (enable && unknown.length > 0) {
    return { kind: 'fail', message: `firewalld knows no service ${unknown.join(', ')} (see firewall-cmd --get-services)` };
  }
  const steps: Step[] = [];
  /** Items changed → the layers they change in, for a one-line summary. */
  const changes = new Map<string, Layer[]>();
  for (const layer of layers) {
    const current = state[layer];
    const services = wanted.services.filter((service) => current.services.includes(service) !== enable);
    const ports = wanted.ports.filter((port) => current.ports.includes(port) !== enable);
    if (services.length + ports.length === 0) continue;
    const verb = enable ? 'add' : 'remove';
    const permanent = layer === 'permanent' ? sh` --permanent` : sh``;
    // firewall-cmd takes several --add-service (or --add-port) at once, but not the two mixed.
    for (const [kind, items] of [['service', services], ['port', ports]] as const) {
      if (items.length === 0) continue;
      steps.push({
        title: `${verb} ${items.join(', ')} (${layer})`,
        command: sh`firewall-cmd${permanent} --zone=${state.zone} ${items.map((item) => sh`--${verb}-${kind}=${item}`)}`,
      });
    }
    const items = [...services, ...ports].join(', ');
    changes.set(items, [...(changes.get(items) ?? []), layer]);
  }
  const everything = [...wanted.services, ...wanted.ports].join(', ');
  if (steps.length === 0) {
    return {
      kind: 'noop',
      reason: `${everything} already ${enable ? 'allowed' : 'closed'} in zone ${state.zone} (${layers.join(' and ')})`,
    };
  }
  return {
    kind: 'change',
    summary: `${enable ? 'allow' : 'close'} ${[...changes].map(([items, where]) => `${items} (${where.join(' and ')})`).join('; ')} in zone ${state.zone}`,
    diff: [
      {
        label: `firewalld zone ${state.zone}`,
        before: describe(state, layers, () => undefined),
        after: describe(state, layers, (rules) => apply(rules, wanted, enable)),
      },
    ],
    steps,
  };
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : [...value];
}

function apply(rules: ZoneRules, wanted: ZoneRules, enable: boolean): ZoneRules {
  const change = (current: string[], items: string[]) =>
    enable ? [...current, ...items.filter((item) => !current.includes(item))] : current.filter((item) => !items.includes(item));
  return { services: change(rules.services, wanted.services), ports: change(rules.ports, wanted.ports) };
}

function describe(
  state: Extract<FirewalldState, { status: 'running' }>,
  layers: Layer[],
  transform: (rules: ZoneRules) => ZoneRules | undefined,
): string {
  return diffLines(
    (['permanent', 'runtime'] as const).flatMap((layer) => {
      const rules = (layers.includes(layer) ? transform(state[layer]) : undefined) ?? state[layer];
      return [`${layer} services: ${rules.services.join(' ')}`, `${layer} ports: ${rules.ports.join(' ')}`];
    }),
  );
}
