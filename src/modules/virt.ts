import { RunbookError } from '../errors.js';
import type { VirtArgs } from '../schema/generated/virt.js';
import { raw, sh, type Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { compareDefinition, normaliseDefinition, withUuid } from './lib/libvirt-definition.js';
import { child, parseXml, serializeXml } from './lib/libvirt-xml.js';
import { ansibleDomainStatus, defineFromStdin, dominfoProbe, firstLine, libvirtDown, parseDominfo, virsh, type DomainInfo } from './lib/libvirt.js';
import { probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleContext, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

type State = NonNullable<VirtArgs['state']>;

/**
 * Ansible's community.libvirt.virt. State changes and autostart are planned from `virsh dominfo`;
 * `command: define` compares the XML with libvirt's definition as virt_domain does; the other
 * commands only read.
 */
export const virtModule: ModuleDefinition<VirtArgs> = {
  name: 'virt',
  summary: "A libvirt domain's state, autostart or definition, and status, XML, uuid or the list of domains (Ansible's virt)",

  probe(args) {
    if (args.command === 'list_vms') return { domains: listDomainsProbe() };
    if (args.command === 'get_xml') return { xml: virsh('dumpxml', '--domain', nameOf(args)) };
    const name = args.command === 'define' ? definitionOf(args).name : nameOf(args);
    if (name === undefined) return {};
    const probes: ProbeSet = { domain: dominfoProbe(name) };
    if (args.command === 'define') probes.definition = virsh('dumpxml', '--inactive', '--domain', name);
    return probes;
  },

  plan(args, probes, context) {
    switch (args.command) {
      case 'list_vms':
        return planList(args.state, probeOutput(probes, 'domains'), context);
      case 'get_xml':
        return planGetXml(nameOf(args), probeOutput(probes, 'xml'), context);
      case 'define':
        return planDefine(args, probes, context);
      default:
        return planDomain(args, probes, context);
    }
  },
};

function nameOf(args: VirtArgs): string {
  const name = args.name ?? args.guest;
  if (name === undefined) throw new RunbookError('RB_INTERNAL', 'virt: the schema requires name or guest here');
  return name;
}

// Each domain's name and state, one per line ("NAME<TAB>STATE"); a domain gone between the two reads
// is left out, as Ansible skips it.
function listDomainsProbe(): Command {
  const state = virsh('domstate', '--domain', raw('"$rb_name"'));
  return sh`rb_names=$(${virsh('list', '--all', '--name')}) || exit
printf '%s\\n' "$rb_names" | while IFS= read -r rb_name; do
  [ -n "$rb_name" ] || continue
  rb_state=$(${state}) && printf '%s\\t%s\\n' "$rb_name" "$rb_state"
done`;
}

function failedRead(result: ExecResult): string {
  return firstLine(result.stderr) || firstLine(result.stdout) || `virsh exited ${result.code ?? result.signal ?? '?'}`;
}

function planList(state: State | undefined, result: ExecResult, context: ModuleContext): Plan {
  if (result.code !== 0) return libvirtDown(context, failedRead(result));
  const names = result.stdout
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => line.split('\t'))
    .filter(([, virshState]) => state === undefined || ansibleDomainStatus((virshState ?? '').trim()) === state)
    .map(([name]) => name ?? '');
  const which = state === undefined ? '' : ` ${state}`;
  return { kind: 'noop', reason: `${names.length}${which} domain${names.length === 1 ? '' : 's'}`, result: { list_vms: names } };
}

/** A domain an earlier task may define is missing in check mode: skipped, not failed. */
function notFound(context: ModuleContext, message: string): Plan {
  if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may define it)` };
  return { kind: 'fail', message };
}

function planGetXml(name: string, result: ExecResult, context: ModuleContext): Plan {
  if (result.code === 0) return { kind: 'noop', reason: `read the XML of domain ${name}`, result: { get_xml: result.stdout } };
  const presence = parseDominfo(result);
  if (presence.kind === 'absent') return notFound(context, `virtual machine ${name} not found`);
  return libvirtDown(context, failedRead(result));
}

function readDomain(name: string, probes: ProbeResults, context: ModuleContext): { info: DomainInfo | undefined } | { plan: Plan } {
  const presence = parseDominfo(probeOutput(probes, 'domain'));
  if (presence.kind === 'error') return { plan: libvirtDown(context, presence.message) };
  return { info: presence.kind === 'present' ? presence.info : undefined };
}

function autostartStep(name: string, wanted: boolean | undefined, current: boolean): Step[] {
  if (wanted === undefined || wanted === current) return [];
  return [{ title: `${wanted ? 'enable' : 'disable'} autostart of ${name}`, command: virsh('autostart', ...(wanted ? [] : ['--disable']), '--domain', name) }];
}

/** state, autostart, status and uuid: one domain that must exist. */
function planDomain(args: VirtArgs, probes: ProbeResults, context: ModuleContext): Plan {
  const name = nameOf(args);
  const read = readDomain(name, probes, context);
  if ('plan' in read) return read.plan;
  const { info } = read;
  if (info === undefined) {
    // Ansible's two messages: autostart looks the domain up first, a state change after.
    return notFound(context, args.autostart !== undefined ? `domain ${name} not found` : `virtual machine ${name} not found`);
  }
  const status = ansibleDomainStatus(info.state);
  if (args.command === 'status') return { kind: 'noop', reason: `domain ${name} is ${status}`, result: { status } };
  if (args.command === 'uuid') return { kind: 'noop', reason: `domain ${name} has uuid ${info.uuid}`, result: { uuid: info.uuid } };

  const steps = autostartStep(name, args.autostart, info.autostart);
  const stateStep = args.state === undefined ? undefined : stateChange(name, args.state, status);
  if (stateStep) steps.push(stateStep.step);
  const done = [
    ...(args.state !== undefined && !stateStep ? [status] : []),
    ...(args.autostart !== undefined && steps.length === (stateStep ? 1 : 0) ? [`autostart ${args.autostart ? 'on' : 'off'}`] : []),
  ];
  if (steps.length === 0) return { kind: 'noop', reason: `domain ${name}: ${done.join(', ')}` };
  const diff: Diff[] = [];
  if (stateStep) diff.push({ label: `domain ${name} state`, before: `status: ${status}\n`, after: `status: ${stateStep.after}\n` });
  if (steps.length > (stateStep ? 1 : 0)) {
    diff.push({ label: `domain ${name} autostart`, before: `autostart: ${String(info.autostart)}\n`, after: `autostart: ${String(args.autostart)}\n` });
  }
  // Ansible registers the libvirt call's return value (0) as msg after a state change.
  return { kind: 'change', summary: steps.map((step) => step.title).join(', '), diff, steps, result: stateStep ? { msg: 0 } : {} };
}

/** What Ansible's virt does for each state, by the domain's status; undefined when nothing. */
function stateChange(name: string, state: State, status: string): { step: Step; after: string } | undefined {
  switch (state) {
    case 'running':
      if (status === 'paused') return { step: { title: `resume ${name}`, command: virsh('resume', '--domain', name) }, after: 'running' };
      if (status === 'running') return undefined;
      return { step: { title: `start ${name}`, command: virsh('start', '--domain', name) }, after: 'running' };
    case 'shutdown':
      // Requested, not waited for: the guest shuts down on its own time.
      if (status === 'shutdown') return undefined;
      return { step: { title: `request the shutdown of ${name}`, command: virsh('shutdown', '--domain', name) }, after: 'shutdown' };
    case 'destroyed':
      if (status === 'shutdown') return undefined;
      return { step: { title: `destroy ${name}`, command: virsh('destroy', '--domain', name) }, after: 'shutdown' };
    case 'paused':
      if (status !== 'running') return undefined;
      return { step: { title: `pause ${name}`, command: virsh('suspend', '--domain', name) }, after: 'paused' };
  }
}

type Definition = { name: string; xml: string } | { name: undefined; error: string };

/** The domain XML of command define, named as Ansible names it: by its <name>, else by `name` (added to it). */
function definitionOf(args: VirtArgs): Definition {
  let domain;
  try {
    domain = parseXml(args.xml ?? '');
  } catch {
    return { name: undefined, error: 'given XML is invalid' };
  }
  const given = args.name ?? args.guest;
  const named = child(domain, 'name')?.text;
  if (named !== undefined) {
    if (given !== undefined && named !== given) return { name: undefined, error: "given 'name' parameter does not match name in XML" };
    if (named === '') return { name: undefined, error: 'domain name cannot be an empty string' };
    return { name: named, xml: args.xml ?? '' };
  }
  if (given === undefined) return { name: undefined, error: "missing 'name' parameter and no name provided in XML" };
  domain.children.push({ name: 'name', attributes: {}, children: [], text: given });
  return { name: given, xml: serializeXml(domain) };
}

function planDefine(args: VirtArgs, probes: ProbeResults, context: ModuleContext): Plan {
  const definition = definitionOf(args);
  if (definition.name === undefined) return { kind: 'fail', message: definition.error };
  const { name } = definition;
  const read = readDomain(name, probes, context);
  if ('plan' in read) return read.plan;
  const { info } = read;
  const steps: Step[] = [];
  const diff: Diff[] = [];
  let result: Record<string, unknown> = {};
  const define = (xml: string): Step => ({ title: `define ${name}`, command: defineFromStdin(), stdin: xml, failureMessage: `libvirt refused the definition of ${name}` });
  if (info === undefined) {
    steps.push(define(definition.xml));
    diff.push({ label: `domain ${name} definition`, before: '', after: normaliseDefinition(definition.xml) });
    result = { created: name };
  } else {
    const incomingUuid = child(parseXml(definition.xml), 'uuid')?.text;
    if (incomingUuid !== undefined && incomingUuid !== info.uuid) {
      return { kind: 'fail', message: `attempting to re-define domain ${name}/${info.uuid} with a different UUID: ${incomingUuid}` };
    }
    const addUuid = (args.mutate_flags ?? ['ADD_UUID']).includes('ADD_UUID');
    const comparison = compareDefinition(definition.xml, probeOutput(probes, 'definition').stdout);
    if (!comparison.same) {
      steps.push(define(addUuid ? withUuid(definition.xml, info.uuid) : definition.xml));
      diff.push({ label: `domain ${name} definition`, before: comparison.before, after: comparison.after });
      result = { change_reason: 'domain definition changed' };
    }
  }
  const autostart = autostartStep(name, args.autostart, info?.autostart ?? false);
  if (autostart.length > 0) {
    steps.push(...autostart);
    diff.push({ label: `domain ${name} autostart`, before: `autostart: ${String(info?.autostart ?? false)}\n`, after: `autostart: ${String(args.autostart)}\n` });
    result = { ...result, change_reason: 'autostart' };
  }
  if (steps.length === 0) {
    const autostartNote = args.autostart === undefined ? '' : `, autostart ${args.autostart ? 'on' : 'off'}`;
    return { kind: 'noop', reason: `domain ${name}: definition unchanged${autostartNote}` };
  }
  return { kind: 'change', summary: steps.map((step) => step.title).join(', '), diff, steps, result };
}
