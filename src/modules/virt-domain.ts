import { RunbookError } from '../errors.js';
import type { VirtDomainArgs } from '../schema/generated/virt_domain.js';
import type { ExecResult } from '../transport/types.js';
import { compareDefinition, normaliseDefinition, withUuid } from './lib/libvirt-definition.js';
import {
  defineFromStdin,
  dominfoProbe,
  isActive,
  libvirtDown,
  parseDominfo,
  shutdownCommand,
  summariseDomain,
  undefineCommand,
  virsh,
  type DomainInfo,
} from './lib/libvirt.js';
import { probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleContext, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

type State = NonNullable<VirtDomainArgs['state']>;

const peerKey = (peer: string): string => `peer ${peer}`;

export const virtDomainModule: ModuleDefinition<VirtDomainArgs> = {
  name: 'virt_domain',
  summary: 'A libvirt domain defined from XML (inline, file or template) and running, shut down, destroyed or undefined',

  probe(args, context) {
    const probes: ProbeSet = {
      domain: dominfoProbe(args.name),
      definition: virsh('dumpxml', '--inactive', '--domain', args.name),
    };
    for (const peer of peers(args, context)) probes[peerKey(peer)] = { host: peer, command: dominfoProbe(args.name) };
    return probes;
  },

  plan(args, probes, context) {
    const state: State = args.state ?? 'running';
    const presence = parseDominfo(probeOutput(probes, 'domain'));
    if (presence.kind === 'error') return libvirtDown(context, presence.message);
    const info = presence.kind === 'present' ? presence.info : undefined;
    if (state === 'undefined') return planUndefine(args.name, info, probeOutput(probes, 'definition'));
    if (args.peers !== undefined && state !== 'running') {
      return { kind: 'fail', message: `peers applies to state running only (state is ${state})` };
    }
    const elsewhere = runningOnPeers(args, probes, context, info);
    if (elsewhere) return elsewhere;

    const desired = desiredXml(args, context);
    const steps: Step[] = [];
    const diff: Diff[] = [];
    const done: string[] = [];
    let redefine = false;
    if (desired !== undefined) {
      if (info === undefined) {
        steps.push(defineStep(args.name, desired));
        diff.push({ label: `domain ${args.name} definition`, before: '', after: normaliseDefinition(desired) });
      } else {
        const comparison = compareDefinition(desired, probeOutput(probes, 'definition').stdout);
        redefine = !comparison.same;
        if (redefine) {
          steps.push(defineStep(args.name, withUuid(desired, info.uuid)));
          diff.push({ label: `domain ${args.name} definition`, before: comparison.before, after: comparison.after });
        } else done.push('definition unchanged');
      }
    } else if (info === undefined) {
      return { kind: 'fail', message: `domain ${args.name} is not defined on ${context.host}, and no xml, xml_file or template was given to define it` };
    }

    const before = info?.state ?? 'undefined';
    const run = runStateSteps(args, state, info);
    steps.push(...run.steps);
    if (run.steps.length === 0) done.push(run.done);
    const autostartChange = args.autostart !== undefined && info?.autostart !== args.autostart;
    if (autostartChange) {
      steps.push({
        title: `${args.autostart ? 'enable' : 'disable'} autostart of ${args.name}`,
        command: virsh('autostart', ...(args.autostart ? [] : ['--disable']), '--domain', args.name),
      });
    } else if (args.autostart !== undefined) done.push(`autostart ${args.autostart ? 'on' : 'off'}`);
    if (steps.length === 0) {
      return { kind: 'noop', reason: `domain ${args.name}: ${done.join(', ')}`, result: { state: before } };
    }
    const after = run.after ?? before;
    if (run.steps.length > 0 || autostartChange) {
      const autostart = (on: boolean | undefined): string => (args.autostart === undefined ? '' : `autostart: ${on ? 'on' : 'off'}\n`);
      diff.push({
        label: `domain ${args.name} state`,
        before: `state: ${before}\n${autostart(info?.autostart)}`,
        after: `state: ${after}\n${autostart(args.autostart)}`,
      });
    }
    // libvirt keeps a running domain as it is; the new definition applies from its next start.
    const note = redefine && info !== undefined && isActive(info) && state === 'running' ? ' (the new definition takes effect at its next start)' : '';
    return {
      kind: 'change',
      summary: `${steps.map((step) => step.title).join(', ')}${note}`,
      diff,
      steps,
      result: { state: after },
    };
  },
};

function peers(args: VirtDomainArgs, context: ModuleContext): string[] {
  return [...new Set((args.peers ?? []).map((peer) => context.resolveHost(peer)))].filter((peer) => peer !== context.host);
}

/** With peers: a domain running on exactly one peer (and not here) is where a migration put it. */
function runningOnPeers(args: VirtDomainArgs, probes: ProbeResults, context: ModuleContext, info: DomainInfo | undefined): Plan | undefined {
  const active: string[] = [];
  for (const peer of peers(args, context)) {
    if (context.hostVars(peer) === undefined) return { kind: 'fail', message: `peer ${peer} is not a host of the inventory` };
    const presence = parseDominfo(probeOutput(probes, peerKey(peer)));
    if (presence.kind === 'error') return { kind: 'fail', message: `cannot tell whether ${args.name} runs on peer ${peer}: ${presence.message}` };
    if (presence.kind === 'present' && isActive(presence.info)) active.push(peer);
  }
  const here = info !== undefined && isActive(info);
  if (active.length > 0 && here) {
    return { kind: 'fail', message: `domain ${args.name} runs both on ${context.host} and on ${active.join(', ')}: stop the copy that should not run` };
  }
  if (active.length > 1) return { kind: 'fail', message: `domain ${args.name} runs on several peers (${active.join(', ')})` };
  const [peer] = active;
  if (peer === undefined) return undefined;
  return { kind: 'noop', reason: `domain ${args.name} runs on ${peer} (a peer, e.g. after a migration); not started on ${context.host}`, result: { state: 'elsewhere', running_on: peer } };
}

function desiredXml(args: VirtDomainArgs, context: ModuleContext): string | undefined {
  const sources = [args.xml, args.xml_file, args.template].filter((source) => source !== undefined);
  if (sources.length > 1) throw new RunbookError('RB_VALIDATION', 'virt_domain: give only one of xml, xml_file and template');
  let xml: string | undefined;
  if (args.xml !== undefined) xml = args.xml;
  else if (args.xml_file !== undefined) xml = context.readLocalFile(args.xml_file).toString('utf8');
  else if (args.template !== undefined) xml = context.renderTemplate(context.readLocalFile(args.template).toString('utf8'));
  if (xml === undefined) return undefined;
  const named = summariseDomain(xml).name;
  if (named !== args.name) {
    throw new RunbookError('RB_VALIDATION', `virt_domain: the XML defines domain ${JSON.stringify(named)}, not ${JSON.stringify(args.name)}`);
  }
  return xml;
}

function defineStep(name: string, xml: string): Step {
  return { title: `define ${name}`, command: defineFromStdin(), stdin: xml, failureMessage: `libvirt refused the definition of ${name}` };
}

function runStateSteps(args: VirtDomainArgs, state: State, info: DomainInfo | undefined): { steps: Step[]; done: string; after?: string } {
  const name = args.name;
  const active = info !== undefined && isActive(info);
  switch (state) {
    case 'running':
      if (info?.state === 'paused') return { steps: [{ title: `resume ${name}`, command: virsh('resume', '--domain', name) }], done: '', after: 'running' };
      if (active) return { steps: [], done: 'running' };
      return { steps: [{ title: `start ${name}`, command: virsh('start', '--domain', name) }], done: '', after: 'running' };
    case 'shutdown': {
      if (!active) return { steps: [], done: 'shut off' };
      const timeout = args.shutdown_timeout ?? 120;
      return {
        steps: [
          {
            title: `shut down ${name}`,
            command: shutdownCommand(name, timeout, args.on_shutdown_timeout ?? 'fail'),
            // The wait loop is bounded by shutdown_timeout; the margin covers virsh itself.
            timeoutMs: (timeout + 60) * 1000,
          },
        ],
        done: '',
        after: 'shut off',
      };
    }
    case 'destroyed':
      if (!active) return { steps: [], done: 'shut off' };
      return { steps: [{ title: `destroy ${name}`, command: virsh('destroy', '--domain', name) }], done: '', after: 'shut off' };
    case 'defined':
      return { steps: [], done: `defined (${info?.state ?? 'shut off'})` };
    case 'undefined':
      throw new RunbookError('RB_INTERNAL', 'virt_domain: undefined is planned by planUndefine');
  }
}

function planUndefine(name: string, info: DomainInfo | undefined, definition: ExecResult): Plan {
  if (info === undefined) return { kind: 'noop', reason: `domain ${name} is not defined` };
  const steps: Step[] = [];
  if (isActive(info)) steps.push({ title: `destroy ${name}`, command: virsh('destroy', '--domain', name) });
  // A transient domain disappears when it stops: there is nothing left to undefine.
  if (info.persistent) {
    const hasNvram = definition.code === 0 && summariseDomain(definition.stdout).hasNvram;
    steps.push({ title: `undefine ${name}`, command: undefineCommand(name, info, hasNvram) });
  }
  return {
    kind: 'change',
    summary: steps.map((step) => step.title).join(', '),
    diff: [{ label: `domain ${name} state`, before: `state: ${info.state}\n`, after: 'state: undefined\n' }],
    steps,
    result: { state: 'undefined' },
  };
}
