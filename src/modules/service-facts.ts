import type { ServiceFactsArgs } from '../schema/generated/service_facts.js';
import { Command, sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults } from './types.js';

/** Exit status of the probe where PID 1 is not systemd or systemctl is missing. */
const NO_SYSTEMD = 3;
/** Between the two listings in the probe's output. */
const UNIT_FILES = '--- unit files';
/** The unit states Ansible keeps as a service's status over what the unit file says. */
const BAD_STATES = ['not-found', 'masked', 'failed'];

interface Service {
  name: string;
  state: string;
  status: string;
  source: 'systemd';
}

export const serviceFactsModule: ModuleDefinition<ServiceFactsArgs> = {
  name: 'service_facts',
  summary: 'Read the state of every systemd service into ansible_facts.services (name, state, status, source)',
  // As Ansible's: systemd only where PID 1 is systemd; the units systemd has loaded, then every unit file.
  probe: () => ({
    services: sh`read -r rb_comm </proc/1/comm 2>/dev/null; case $rb_comm in *systemd*) ;; *) exit ${NO_SYSTEMD} ;; esac; command -v systemctl >/dev/null 2>&1 || exit ${NO_SYSTEMD}; LC_ALL=C systemctl list-units --no-pager --type service --all || exit; echo ${UNIT_FILES}; LC_ALL=C systemctl list-unit-files --no-pager --type service --all`,
  }),
  plan: (_args, probes, context) => planServiceFacts(probes, () => context.evaluate('ansible_facts | default({})')),
};

function planServiceFacts(probes: ProbeResults, knownFacts: () => unknown): Plan {
  const output = probeOutput(probes, 'services');
  if (output.code === NO_SYSTEMD) return skipped();
  if (output.code !== 0) return { kind: 'fail', message: `could not list the services: ${output.stderr.trim() || `exit ${output.code ?? output.signal ?? 'unknown'}`}` };
  const [units = '', unitFiles = ''] = output.stdout.split(`\n${UNIT_FILES}\n`);
  const services = fromUnits(units);
  const files = fromUnitFiles(unitFiles);
  // A unit file systemd has not loaded: its state asked of systemd, one unit at a time as Ansible does.
  const unloaded = files.filter(([name]) => services[name] === undefined);
  if (unloaded.length > 0 && probes.states === undefined) {
    return {
      kind: 'probe',
      probes: {
        states: Command.join(
          unloaded.map(([name]) => sh`printf 'unit %s\\n' ${name}; LC_ALL=C systemctl show ${name} --property=ActiveState 2>/dev/null || true`),
          '; ',
        ),
      },
    };
  }
  const states = activeStates(probes.states?.stdout ?? '');
  for (const [name, status] of files) {
    const service = services[name];
    if (service === undefined) services[name] = { name, state: states.get(name) || 'unknown', status, source: 'systemd' };
    else if (!BAD_STATES.includes(service.status)) service.status = status;
  }
  const count = Object.keys(services).length;
  if (count === 0) return skipped();
  const known = knownFacts();
  return {
    kind: 'noop',
    reason: `read ${count} service${count === 1 ? '' : 's'}`,
    result: { ansible_facts: { services } },
    // Merged into the facts the host had, as Ansible caches them. Ansible also injects a top-level
    // `services` variable, but above play vars of that name: runbook leaves it out rather than let it win.
    setFacts: { ansible_facts: { ...(typeof known === 'object' && known !== null ? known : {}), services } },
  };
}

function skipped(): Plan {
  return { kind: 'noop', skipped: true, reason: 'Failed to find any services. This can be due to privileges or some other configuration issue.' };
}

/** `systemctl list-units` lines, read as Ansible's service_facts reads them. */
function fromUnits(text: string): Record<string, Service> {
  const services: Record<string, Service> = {};
  for (const line of text.split('\n').filter((candidate) => candidate.includes('.service'))) {
    let fields = line.trim().split(/\s+/);
    let status: string;
    const bad = BAD_STATES.find((state) => fields.includes(state));
    if (bad !== undefined) {
      // A unit in a bad state is marked by a leading bullet.
      status = bad;
      fields = fields.slice(1);
    } else status = fields[2] ?? 'unknown';
    const name = fields[0];
    if (name === undefined) continue;
    services[name] = { name, state: fields[3] === 'running' ? 'running' : 'stopped', status, source: 'systemd' };
  }
  return services;
}

/** `systemctl list-unit-files` lines: unit name and its state (enabled, disabled, static, …). */
function fromUnitFiles(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .filter((line) => line.includes('.service'))
    .flatMap((line) => {
      const [name, status] = line.trim().split(/\s+/);
      return name === undefined || status === undefined ? [] : [[name, status] as [string, string]];
    });
}

/** The second probe's `unit NAME` lines, each followed by `ActiveState=...` when systemd answered. */
function activeStates(text: string): Map<string, string> {
  const states = new Map<string, string>();
  let unit: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('unit ')) unit = line.slice('unit '.length);
    else if (unit !== undefined && line.startsWith('ActiveState=')) states.set(unit, line.slice('ActiveState='.length).trimEnd());
  }
  return states;
}
