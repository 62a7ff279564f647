import { RunbookError } from '../../errors.js';
import { sh, type Command } from '../../shell/command.js';
import type { ExecResult } from '../../transport/types.js';
import type { Diff, ModuleContext, Plan, ProbeResults, ProbeSet, Step } from '../types.js';
import { probeOutput } from './probe-output.js';
import { firstLine, libvirtDown, virsh } from './libvirt.js';

/**
 * Ansible's virt_net and virt_pool share their logic (community.libvirt's "entries"): a network or a
 * storage pool is defined from XML once (an existing definition is never compared or updated), and is
 * active or inactive, autostarted or not. The two differ only in virsh's subcommands and names.
 */
export interface EntryKind {
  /** In Ansible's messages: "network", "storage pool". */
  noun: string;
  /** virsh's prefix: "net" or "pool". */
  prefix: 'net' | 'pool';
  /** The list command and its result key: list_nets, list_pools. */
  listCommand: string;
}

export const NETWORK: EntryKind = { noun: 'network', prefix: 'net', listCommand: 'list_nets' };
export const POOL: EntryKind = { noun: 'storage pool', prefix: 'pool', listCommand: 'list_pools' };

export interface EntryArgs {
  /** name, or its Ansible alias (network, pool), resolved by the module. */
  name: string | undefined;
  state?: 'active' | 'inactive' | 'present' | 'absent' | 'undefined' | 'deleted';
  command?: string;
  xml?: string;
  autostart?: boolean;
  mode?: 'new' | 'no_overwrite' | 'overwrite' | 'normal';
}

export interface EntryInfo {
  active: boolean;
  autostart: boolean;
}

type Presence = { kind: 'absent' } | { kind: 'present'; info: EntryInfo } | { kind: 'error'; message: string };

const BUILD_FLAGS: Record<string, string[]> = { new: [], no_overwrite: ['--no-overwrite'], overwrite: ['--overwrite'] };

function entryVirsh(kind: EntryKind, subcommand: string, ...args: string[]): Command {
  return virsh(`${kind.prefix}-${subcommand}`, ...args);
}

function required(name: string | undefined): string {
  if (name === undefined) throw new RunbookError('RB_INTERNAL', 'the schema requires a name here');
  return name;
}

export function probeEntry(kind: EntryKind, args: EntryArgs): ProbeSet {
  if (args.command === kind.listCommand) {
    return { active: entryVirsh(kind, 'list', '--name'), inactive: entryVirsh(kind, 'list', '--inactive', '--name') };
  }
  const name = required(args.name);
  if (args.command === 'get_xml') return { xml: entryVirsh(kind, 'dumpxml', name) };
  return { entry: entryVirsh(kind, 'info', name) };
}

/** virsh 9: "failed to get network 'x'" / "failed to get pool 'x'"; older: "Network not found", "Storage pool not found". */
function isNotFound(stderr: string): boolean {
  return /failed to get (network|pool)|(network|storage pool) not found/i.test(stderr);
}

function failedRead(result: ExecResult): string {
  return firstLine(result.stderr) || firstLine(result.stdout) || `virsh exited ${result.code ?? result.signal ?? '?'}`;
}

/** `virsh net-info` (Active: yes) or `virsh pool-info` (State: running); both say Autostart: yes|no. */
export function parseEntryInfo(result: ExecResult): Presence {
  if (result.code !== 0) return isNotFound(result.stderr) ? { kind: 'absent' } : { kind: 'error', message: failedRead(result) };
  const fields = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const active = fields.has('active') ? fields.get('active') === 'yes' : fields.has('state') ? fields.get('state') !== 'inactive' : undefined;
  if (active === undefined) return { kind: 'error', message: 'virsh printed neither an Active nor a State line' };
  return { kind: 'present', info: { active, autostart: fields.get('autostart') === 'yes' } };
}

/** A missing entry an earlier task may define is skipped in check mode; otherwise Ansible's "not found" failure. */
function notFound(kind: EntryKind, name: string, context: ModuleContext): Plan {
  const message = `${kind.noun} ${name} not found`;
  if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may define it)` };
  return { kind: 'fail', message };
}

function statusOf(info: EntryInfo): 'active' | 'inactive' {
  return info.active ? 'active' : 'inactive';
}

export function planEntry(kind: EntryKind, args: EntryArgs, probes: ProbeResults, context: ModuleContext): Plan {
  if (args.command === kind.listCommand) return planList(kind, args.state, probes, context);
  const name = required(args.name);
  if (args.command === 'get_xml') {
    const result = probeOutput(probes, 'xml');
    if (result.code === 0) return { kind: 'noop', reason: `read the XML of ${kind.noun} ${name}`, result: { get_xml: result.stdout } };
    return isNotFound(result.stderr) ? notFound(kind, name, context) : libvirtDown(context, failedRead(result));
  }
  const presence = parseEntryInfo(probeOutput(probes, 'entry'));
  if (presence.kind === 'error') return libvirtDown(context, presence.message);
  const info = presence.kind === 'present' ? presence.info : undefined;
  const target = `${kind.noun} ${name}`;

  if (args.state === 'present' || args.command === 'define') {
    if (info !== undefined) return { kind: 'noop', reason: `${target} is defined (an existing definition is not compared, as in Ansible)` };
    if (args.xml === undefined) return { kind: 'fail', message: `${kind.noun} '${name}' not present, but xml not specified` };
    return {
      kind: 'change',
      summary: `define ${target}`,
      diff: [{ label: `${target} definition`, before: '', after: args.xml.endsWith('\n') ? args.xml : `${args.xml}\n` }],
      steps: [{ title: `define ${target}`, command: sh`cat | ${entryVirsh(kind, 'define', '--file', '/dev/stdin')}`, stdin: args.xml, failureMessage: `libvirt refused the definition of ${target}` }],
      result: { created: name },
    };
  }
  // Stopping or removing what is not there is no change; anything else needs the entry.
  const gone = args.state === 'inactive' || args.state === 'absent' || args.state === 'undefined' || args.state === 'deleted';
  if (info === undefined) return gone ? { kind: 'noop', reason: `${target} is not defined` } : notFound(kind, name, context);

  if (args.command === 'status') return { kind: 'noop', reason: `${target} is ${statusOf(info)}`, result: { status: statusOf(info) } };
  const steps: Step[] = [];
  const stop = (): void => {
    if (info.active) steps.push({ title: `stop ${target}`, command: entryVirsh(kind, 'destroy', name) });
  };
  const undefine = (): void => {
    steps.push({ title: `undefine ${target}`, command: entryVirsh(kind, 'undefine', name) });
  };
  const deleteStep = (): Step => ({ title: `delete the storage of ${target}`, command: entryVirsh(kind, 'delete', name) });
  let after: string | undefined;
  switch (args.state ?? args.command) {
    case 'active':
      if (!info.active) steps.push({ title: `start ${target}`, command: entryVirsh(kind, 'start', name) });
      after = 'active';
      break;
    case 'inactive':
      stop();
      after = 'inactive';
      break;
    case 'absent':
    case 'undefined':
      stop();
      undefine();
      after = 'undefined';
      break;
    case 'deleted':
      stop();
      steps.push(deleteStep());
      undefine();
      after = 'undefined';
      break;
    case 'build':
      // As Ansible's build: run every time, reported changed.
      return { kind: 'change', summary: `build ${target}`, steps: [{ title: `build ${target}`, command: entryVirsh(kind, 'build', name, ...BUILD_FLAGS[args.mode ?? 'new']!) }], result: { build: 0 } };
    case 'delete':
      return { kind: 'change', summary: `delete the storage of ${target}`, steps: [deleteStep()], result: { delete: 0 } };
    default:
      if (args.autostart === undefined) throw new RunbookError('RB_INTERNAL', `the schema allows no ${args.state ?? args.command ?? 'empty'} task here`);
  }
  if (args.autostart !== undefined && args.autostart !== info.autostart) {
    steps.push({ title: `${args.autostart ? 'enable' : 'disable'} autostart of ${target}`, command: entryVirsh(kind, 'autostart', name, ...(args.autostart ? [] : ['--disable'])) });
  }
  if (steps.length === 0) {
    const now = after === undefined ? `autostart ${info.autostart ? 'on' : 'off'}` : statusOf(info);
    return { kind: 'noop', reason: `${target} is ${now}` };
  }
  const diff: Diff[] =
    after === undefined
      ? [{ label: `${target} autostart`, before: `autostart: ${String(info.autostart)}\n`, after: `autostart: ${String(args.autostart)}\n` }]
      : [{ label: `${target} state`, before: `state: ${statusOf(info)}\n`, after: `state: ${after}\n` }];
  // Ansible registers the libvirt call's return value (0) as msg.
  return { kind: 'change', summary: steps.map((step) => step.title).join(', '), diff, steps, result: { msg: 0 } };
}

function planList(kind: EntryKind, state: EntryArgs['state'], probes: ProbeResults, context: ModuleContext): Plan {
  const names = (key: 'active' | 'inactive'): string[] | ExecResult => {
    const result = probeOutput(probes, key);
    return result.code === 0 ? result.stdout.split('\n').filter((line) => line.trim() !== '') : result;
  };
  const active = names('active');
  const inactive = names('inactive');
  for (const listed of [active, inactive]) if (!Array.isArray(listed)) return libvirtDown(context, failedRead(listed));
  const all = [...(state === 'inactive' ? [] : (active as string[])), ...(state === 'active' ? [] : (inactive as string[]))];
  const which = state === undefined ? '' : ` ${state}`;
  const noun = all.length === 1 ? kind.noun : kind.noun === 'network' ? 'networks' : 'storage pools';
  return { kind: 'noop', reason: `${all.length}${which} ${noun}`, result: { [kind.listCommand]: all } };
}
