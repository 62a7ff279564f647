import type { HostnameArgs } from '../schema/generated/hostname.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults, Step } from './types.js';

export const hostnameModule: ModuleDefinition<HostnameArgs> = {
  name: 'hostname',
  summary: "The host's static and running name, through hostnamectl (Ansible's hostname, systemd strategy)",
  probe: () => ({
    transient: sh`hostnamectl --transient status`,
    permanent: sh`hostnamectl --static status`,
    fqdn: sh`hostname -f`,
  }),
  plan: (args, probes, context) => {
    if (args.use === undefined && context.facts.initSystem !== 'systemd') {
      return { kind: 'fail', message: `hostname: runbook sets names through systemd's hostnamectl only, and ${context.host} does not run systemd` };
    }
    return planHostname(args, probes);
  },
};

/** Ansible's returned facts for the name, with the fully qualified name the host resolves. */
function hostnameFacts(name: string, fqdn: string): Record<string, unknown> {
  return {
    ansible_hostname: name.split('.')[0],
    ansible_nodename: name,
    ansible_fqdn: fqdn,
    ansible_domain: fqdn.split('.').slice(1).join('.'),
  };
}

function commandFailure(result: { code: number | null; stdout: string; stderr: string }): string {
  return `Command failed rc=${result.code ?? 'signal'}, out=${result.stdout}, err=${result.stderr}`;
}

function planHostname(args: HostnameArgs, probes: ProbeResults): Plan {
  const transientRead = probeOutput(probes, 'transient');
  const permanentRead = probeOutput(probes, 'permanent');
  for (const read of [transientRead, permanentRead]) if (read.code !== 0) return { kind: 'fail', message: commandFailure(read) };
  const current = transientRead.stdout.trim();
  const permanent = permanentRead.stdout.trim();
  const fqdnRead = probeOutput(probes, 'fqdn');
  const fqdn = fqdnRead.code === 0 ? fqdnRead.stdout.trim() : current;
  const name = args.name;
  if (current === name && permanent === name) {
    return { kind: 'noop', reason: `the host is named ${name}`, result: { name, ansible_facts: hostnameFacts(name, fqdn) } };
  }
  // As Ansible: the permanent name first (NetworkManager complains otherwise), then the running one.
  const steps: Step[] = [];
  if (permanent !== name) steps.push({ title: 'set the static hostname', command: sh`hostnamectl --pretty --static set-hostname ${name}` });
  if (current !== name) steps.push({ title: 'set the running hostname', command: sh`hostnamectl --transient set-hostname ${name}` });
  steps.push({ title: 'read the fully qualified name', command: sh`hostname -f`, okCodes: [0, 1], capture: 'fqdn' });
  const before = current !== name ? current : permanent;
  const changedParts = [permanent !== name ? `static (was ${permanent || 'unset'})` : '', current !== name ? `running (was ${current})` : ''].filter(Boolean);
  return {
    kind: 'change',
    summary: `name the host ${name}: ${changedParts.join(', ')}`,
    diff: [{ label: 'hostname', before: `hostname = ${before}\n`, after: `hostname = ${name}\n` }],
    steps,
    result: { name, ansible_facts: hostnameFacts(name, name) },
    finish: (captured) => {
      const read = captured.fqdn;
      const resolved = read?.code === 0 ? read.stdout.trim() : name;
      return { result: { name, ansible_facts: hostnameFacts(name, resolved) } };
    },
  };
}
