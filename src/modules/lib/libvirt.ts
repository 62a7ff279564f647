import { sh, type Command, type ShellValue } from '../../shell/command.js';
import type { ExecResult } from '../../transport/types.js';
import type { ModuleContext, Plan } from '../types.js';
import { child, childrenNamed, parseXml, serializeXml, type XmlElement } from './libvirt-xml.js';

/** The system instance of the qemu driver: the one lab hosts run guests in. */
export const SYSTEM_URI = 'qemu:///system';

/** `virsh -c qemu:///system ARGS…`, every argument quoted. */
export function virsh(...args: ShellValue[]): Command {
  return sh`virsh -c ${SYSTEM_URI} ${args}`;
}

export type DomainPresence =
  | { kind: 'absent' }
  | { kind: 'present'; info: DomainInfo }
  /** libvirt did not answer (daemon down, not installed, permission denied). */
  | { kind: 'error'; message: string };

export interface DomainInfo {
  /** As virsh prints it: running, idle, paused, in shutdown, shut off, crashed, pmsuspended. */
  state: string;
  uuid: string;
  persistent: boolean;
  autostart: boolean;
  managedSave: boolean;
}

/** States in which a domain has a running qemu process (everything but shut off and crashed). */
export function isActive(info: DomainInfo): boolean {
  return info.state !== 'shut off' && info.state !== 'crashed';
}

/**
 * A domain's state as Ansible's virt names it (from libvirt's state numbers): running (also idle and
 * no state), paused, shutdown (in shutdown or shut off), crashed; anything else is unknown.
 */
export function ansibleDomainStatus(virshState: string): string {
  switch (virshState) {
    case 'running':
    case 'idle':
    case 'no state':
      return 'running';
    case 'paused':
      return 'paused';
    case 'in shutdown':
    case 'shut off':
      return 'shutdown';
    case 'crashed':
      return 'crashed';
    default:
      return 'unknown';
  }
}

/**
 * Defines a domain from the XML on stdin. Through `cat`, /dev/stdin is always a pipe: virsh cannot open
 * it when the step's stdin is a socket (ENXIO), as some transports provide it.
 */
export function defineFromStdin(): Command {
  return sh`cat | ${virsh('define', '--file', '/dev/stdin')}`;
}

export function dominfoProbe(name: string): Command {
  return virsh('dominfo', '--domain', name);
}

/** Whether virsh's error says the domain is not defined: virsh 9 says "failed to get domain"; older releases "Domain not found". */
export function isDomainNotFound(stderr: string): boolean {
  return /failed to get domain|domain not found|no domain with matching/i.test(stderr);
}

export function parseDominfo(result: ExecResult): DomainPresence {
  if (result.code !== 0) {
    const message = firstLine(result.stderr) || firstLine(result.stdout) || `virsh exited ${result.code ?? result.signal ?? '?'}`;
    return isDomainNotFound(result.stderr) ? { kind: 'absent' } : { kind: 'error', message };
  }
  const fields = new Map<string, string>();
  for (const line of result.stdout.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim());
  }
  const state = fields.get('state');
  if (state === undefined) return { kind: 'error', message: 'virsh dominfo printed no State line' };
  return {
    kind: 'present',
    info: {
      state,
      uuid: fields.get('uuid') ?? '',
      persistent: fields.get('persistent') === 'yes',
      autostart: fields.get('autostart') === 'enable',
      managedSave: fields.get('managed save') === 'yes',
    },
  };
}

/** What migration and undefine need to know from a domain's XML. */
export interface DomainSummary {
  name: string;
  uuid: string | undefined;
  /** The domain type: qemu (software emulation) or kvm. */
  type: string;
  arch: string | undefined;
  machine: string | undefined;
  /** Memory the guest is given now, in KiB. */
  memoryKiB: number;
  disks: DiskSummary[];
  /** The <cpu> element as XML, when the domain asks for a CPU model. */
  cpuXml: string | undefined;
  cpuMode: string | undefined;
  hasNvram: boolean;
  /** Host bridges the domain's network interfaces join (`<interface type='bridge'>`). */
  bridges: string[];
}

export interface DiskSummary {
  /** Image file or block device path; undefined for network disks and empty CD-ROM drives. */
  path: string | undefined;
  target: string;
  device: string;
  /** The driver's cache attribute; undefined means the hypervisor default (writeback for qemu). */
  cache: string | undefined;
  readonly: boolean;
  shareable: boolean;
}

export function summariseDomain(xml: string): DomainSummary {
  const domain = parseXml(xml);
  const os = child(domain, 'os');
  const osType = os && child(os, 'type');
  const memory = child(domain, 'currentMemory') ?? child(domain, 'memory');
  const cpu = child(domain, 'cpu');
  const devices = child(domain, 'devices');
  return {
    name: child(domain, 'name')?.text ?? '',
    uuid: child(domain, 'uuid')?.text,
    type: domain.attributes.type ?? 'qemu',
    arch: osType?.attributes.arch,
    machine: osType?.attributes.machine,
    memoryKiB: memory ? toKiB(memory) : 0,
    disks: devices ? childrenNamed(devices, 'disk').map(summariseDisk) : [],
    cpuXml: cpu && (child(cpu, 'model') || cpu.attributes.mode !== undefined) ? serializeXml(cpu) : undefined,
    cpuMode: cpu?.attributes.mode,
    hasNvram: os !== undefined && child(os, 'nvram') !== undefined,
    bridges: devices
      ? [...new Set(childrenNamed(devices, 'interface').filter((nic) => nic.attributes.type === 'bridge').flatMap((nic) => child(nic, 'source')?.attributes.bridge ?? []))]
      : [],
  };
}

function summariseDisk(disk: XmlElement): DiskSummary {
  const source = child(disk, 'source');
  return {
    path: source?.attributes.file ?? source?.attributes.dev,
    target: (child(disk, 'target')?.attributes.dev ?? '') || '?',
    device: disk.attributes.device ?? 'disk',
    cache: child(disk, 'driver')?.attributes.cache,
    readonly: child(disk, 'readonly') !== undefined,
    shareable: child(disk, 'shareable') !== undefined,
  };
}

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  bytes: 1,
  kb: 1000,
  k: 1024,
  kib: 1024,
  mb: 1000 ** 2,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1000 ** 4,
  t: 1024 ** 4,
  tib: 1024 ** 4,
};

/** A libvirt scaled integer (<memory unit='MiB'>64</memory>) in KiB; libvirt's default unit is KiB. */
export function toKiB(element: XmlElement): number {
  const unit = (element.attributes.unit ?? 'KiB').toLowerCase();
  const bytes = UNIT_BYTES[unit];
  const value = Number(element.text);
  if (bytes === undefined || !Number.isFinite(value)) return Number.NaN;
  return Math.round((value * bytes) / 1024);
}

/** Memory the destination can give a guest: free plus page cache, in KiB, from `virsh nodememstats`. */
export function parseAvailableMemoryKiB(result: ExecResult): number | undefined {
  if (result.code !== 0) return undefined;
  let total = 0;
  let seen = false;
  for (const match of result.stdout.matchAll(/^\s*(free|buffers|cached)\s*:\s*(\d+)\s*KiB/gim)) {
    total += Number(match[2]);
    seen = true;
  }
  return seen ? total : undefined;
}

export interface JobInfo {
  elapsedMs: number | undefined;
  downtimeMs: number | undefined;
}

/** `virsh domjobinfo --completed`: "Time elapsed: 1803 ms", "Total downtime: 45 ms". */
export function parseJobInfo(text: string): JobInfo {
  const number = (label: string): number | undefined => {
    const match = new RegExp(`^\\s*${label}:\\s*(\\d+)\\s*ms`, 'im').exec(text);
    return match ? Number(match[1]) : undefined;
  };
  return { elapsedMs: number('Time elapsed'), downtimeMs: number('Total downtime') };
}

/** Percent from `virsh migrate --verbose` ("Migration: [ 45 %]", newer virsh "[ 45.12 %]"); the last one in the chunk. */
export function parseMigrationProgress(chunk: string): { percent: number } | undefined {
  const matches = [...chunk.matchAll(/Migration:\s*\[\s*(\d+(?:\.\d+)?)\s*%\]/g)];
  const last = matches.at(-1);
  return last ? { percent: Math.floor(Number(last[1])) } : undefined;
}

/**
 * Graceful shutdown: ask the guest, wait up to `timeoutS` seconds for it to be off (a transient domain
 * disappears instead), then fail or power it off. The domain is reported off once virsh no longer
 * knows it or says "shut off".
 */
export function shutdownCommand(name: string, timeoutS: number, onTimeout: 'fail' | 'destroy'): Command {
  const state = virsh('domstate', '--domain', name);
  const message = `${name} did not shut down within ${timeoutS} s`;
  const fallback =
    onTimeout === 'destroy'
      ? sh`echo ${`${message}; powering it off`} >&2; ${virsh('destroy', '--domain', name)}`
      : sh`echo ${`${message} (the guest may not react to ACPI shutdown; on_shutdown_timeout: destroy powers it off)`} >&2; exit 1`;
  return sh`rb_off() { rb_state=$(${state} 2>/dev/null) || return 0; [ "$rb_state" = 'shut off' ]; }
if ${virsh('shutdown', '--domain', name)}; then
  rb_waited=0
  while ! rb_off && [ "$rb_waited" -lt ${timeoutS} ]; do sleep 1; rb_waited=$((rb_waited + 1)); done
fi
rb_off || { ${fallback}; }`;
}

/** Undefine, removing what would otherwise be left behind (managed save image, UEFI variables). */
export function undefineCommand(name: string, info: DomainInfo, hasNvram: boolean): Command {
  return virsh('undefine', '--domain', name, ...(info.managedSave ? ['--managed-save'] : []), ...(hasNvram ? ['--nvram'] : []));
}

/** In check mode libvirt may be missing only because an earlier task would install it. */
export function libvirtDown(context: ModuleContext, message: string): Plan {
  const problem = `libvirt on ${context.host} does not answer: ${message}`;
  if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${problem} (check mode: an earlier task may install it)` };
  return { kind: 'fail', message: problem };
}

export function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line !== '') ?? ''
  );
}
