import type { LvolArgs } from '../schema/generated/lvol.js';
import { sh, type Command } from '../shell/command.js';
import { failureText, rows } from './lib/lvm.js';
import { probeOutput } from './lib/probe-output.js';
import { splitCommandLine } from './lib/shlex.js';
import type { ModuleDefinition, Plan, Step } from './types.js';

/** A size as Ansible's lvol reads it: `[+-]NUMBER[UNIT]` for -L, or `[+-]PERCENT%VG|PVS|FREE` for -l. */
type Size =
  | { kind: 'absolute'; operator: '+' | '-' | undefined; number: string; unit: string }
  | { kind: 'percent'; operator: '+' | '-' | undefined; percent: number; of: 'VG' | 'PVS' | 'FREE' };

/** Ansible's message for a size it cannot read, or the size. */
export function parseSize(text: string): Size | string {
  let rest = text;
  let operator: '+' | '-' | undefined;
  if (rest.startsWith('+') || rest.startsWith('-')) {
    operator = rest[0] as '+' | '-';
    rest = rest.slice(1);
  }
  if (rest.includes('%')) {
    const [percent = '', of = ''] = rest.split('%', 2);
    if (!/^[0-9]+$/.test(percent)) return `Bad size specification of '${rest}'`;
    if (Number(percent) > 100) return 'Size percentage cannot be larger than 100%';
    if (of === 'ORIGIN') return 'Percentage of ORIGIN supported only for snapshot volumes';
    if (of !== 'VG' && of !== 'PVS' && of !== 'FREE') return 'Specify extents as a percentage of VG|PVS|FREE|ORIGIN';
    return { kind: 'percent', operator, percent: Number(percent), of };
  }
  let unit = 'm';
  if (rest !== '' && 'bskmgtpe'.includes(rest.at(-1)!.toLowerCase())) {
    unit = rest.at(-1)!;
    rest = rest.slice(0, -1);
  }
  if (!/^[0-9]+(\.[0-9]+)?$/.test(rest)) return `Bad size specification of '${rest}'`;
  return { kind: 'absolute', operator, number: rest, unit };
}

/** Sizes in `unit` as LVM reports them; a percentage is computed in megabytes, as Ansible does. */
function reportUnit(size: Size | undefined): string {
  return size?.kind === 'absolute' ? size.unit.toLowerCase() : 'm';
}

function vgsProbe(vg: string, unit: string): Command {
  return sh`LC_ALL=C vgs --noheadings --nosuffix --units ${unit} --separator ';' -o vg_name,size,free,vg_extent_size ${vg}`;
}

function lvsProbe(vg: string, unit: string): Command {
  return sh`LC_ALL=C lvs -a --noheadings --nosuffix --units ${unit} --separator ';' -o lv_name,size,lv_attr ${vg}`;
}

/** How Python prints a float (str(float)): 1024.0, 12.5. */
function pythonFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

function sizeText(size: Size): string {
  return size.kind === 'absolute' ? `${size.number}${size.unit}` : `${size.percent}%${size.of}`;
}

export const lvolModule: ModuleDefinition<LvolArgs> = {
  name: 'lvol',
  summary: "An LVM logical volume of a size (also %VG, %FREE), active or not, or removed (Ansible's lvol)",

  probe(args) {
    const size = args.size === undefined ? undefined : parseSize(String(args.size));
    const unit = reportUnit(typeof size === 'string' ? undefined : size);
    return { vgs: vgsProbe(args.vg, unit), lvs: lvsProbe(args.vg, unit) };
  },

  plan(args, probes) {
    const size = args.size === undefined ? undefined : parseSize(String(args.size));
    if (typeof size === 'string') return { kind: 'fail', message: size };
    const vgs = probeOutput(probes, 'vgs');
    const lvs = probeOutput(probes, 'lvs');
    if (vgs.code !== 0 || lvs.code !== 0) {
      const message = `Volume group ${args.vg} does not exist.`;
      if (args.state === 'absent') return { kind: 'noop', reason: message, result: { stdout: message } };
      return { kind: 'fail', message: `${message} (${failureText(vgs.code !== 0 ? vgs : lvs)})` };
    }
    const [vgRow = []] = rows(vgs.stdout);
    const group = { size: Number(vgRow[1]), free: Number(vgRow[2]), extent: Number(vgRow[3]) };
    const volume = rows(lvs.stdout)
      .map(([name = '', lvSize = '0', attr = '']) => ({ name: name.replace(/[[\]]/g, ''), size: Number(lvSize), active: attr[4] === 'a' }))
      .find((candidate) => candidate.name === args.lv);
    const unit = reportUnit(size);
    const target = `${args.vg}/${args.lv}`;
    const pvs = args.pvs ?? [];

    if (volume === undefined) {
      if (args.state === 'absent') return { kind: 'noop', reason: `logical volume ${target} does not exist` };
      if (size === undefined) return { kind: 'fail', message: 'No size given.' };
      if (size.operator === '-' || (size.operator === '+' && size.kind === 'absolute')) {
        return { kind: 'fail', message: `Bad size specification of '${size.operator}${sizeText(size)}' for creating LV` };
      }
      const sizeOption = size.kind === 'absolute' ? '-L' : '-l';
      const steps: Step[] = [
        {
          title: `create ${target}`,
          command: sh`${['lvcreate', '--yes', '-n', args.lv, sizeOption, sizeText(size), ...splitCommandLine(args.opts ?? ''), args.vg, ...pvs]}`,
        },
      ];
      if (args.active === false) steps.push({ title: `deactivate ${target}`, command: sh`lvchange -an ${target}` });
      return {
        kind: 'change',
        summary: `create logical volume ${target} of ${sizeText(size)}`,
        diff: [{ label: `logical volume ${target}`, before: '', after: `size: ${sizeText(size)}\n` }],
        steps,
        result: { msg: '' },
      };
    }

    if (args.state === 'absent') {
      if (args.force !== true) return { kind: 'fail', message: `Sorry, no removal of logical volume ${volume.name} without force=true.` };
      return {
        kind: 'change',
        summary: `remove logical volume ${target}`,
        diff: [{ label: `logical volume ${target}`, before: 'state: present\n', after: 'state: absent\n' }],
        steps: [{ title: `remove ${target}`, command: sh`lvremove --force ${target}` }],
      };
    }

    const resize = size === undefined ? undefined : planResize(args, size, volume, group, unit, target, pvs);
    if (resize !== undefined && 'kind' in resize) return resize;
    const steps: Step[] = resize?.step ? [resize.step] : [];
    const active = args.active ?? true;
    if (active !== volume.active) steps.push({ title: `${active ? 'activate' : 'deactivate'} ${target}`, command: sh`lvchange ${active ? '-ay' : '-an'} ${target}` });
    const result = { vg: args.vg, lv: volume.name, size: volume.size };
    if (steps.length === 0) return { kind: 'noop', reason: `logical volume ${target} is ${volume.size}${unit}${active ? '' : ', inactive'}`, result };
    return {
      kind: 'change',
      summary: steps.map((step) => step.title).join(', '),
      diff: resize?.step ? [{ label: `logical volume ${target}`, before: `size: ${volume.size}${unit}\n`, after: `size: ${resize.after}\n` }] : [],
      steps,
      result: resize?.msg === undefined ? result : { ...result, msg: resize.msg },
    };
  },
};

interface Volume {
  name: string;
  size: number;
}

interface Group {
  size: number;
  free: number;
  extent: number;
}

/** lvextend or lvreduce to `size`, as Ansible decides it; nothing when the volume already has that size. */
function planResize(
  args: LvolArgs,
  size: Size,
  volume: Volume,
  group: Group,
  unit: string,
  target: string,
  pvs: string[],
): Plan | { step: Step | undefined; after?: string; msg?: string } {
  let extend: boolean | undefined;
  let after: string;
  let msg: string | undefined;
  if (size.kind === 'percent') {
    let requested = (size.percent * (size.of === 'FREE' ? group.free : group.size)) / 100;
    if (size.operator === '+') requested += volume.size;
    else if (size.operator === '-') requested = volume.size - requested;
    // LVM rounds extents down.
    requested -= requested % group.extent;
    if (volume.size < requested) {
      if (!(group.free > 0 && group.free >= requested - volume.size)) {
        return {
          kind: 'fail',
          message: `Logical Volume ${volume.name} could not be extended. Not enough free space left (${pythonFloat(requested - volume.size)}${unit} required / ${pythonFloat(group.free)}${unit} available)`,
        };
      }
      extend = true;
    } else if (args.shrink !== false && volume.size > requested + group.extent) {
      const refused = shrinkRefusal(args, volume, requested < 1, '');
      if (refused) return refused;
      extend = false;
    }
    after = `${pythonFloat(requested)}${unit}`;
    msg = `Volume ${volume.name} resized to ${pythonFloat(requested)}${unit}`;
  } else {
    const wanted = Number(size.number);
    // LVM rounds a size up to whole extents: a volume already of that size is left as it is.
    const rounded = Math.ceil(wanted / group.extent) * group.extent;
    if (size.operator === '+' || (size.operator === undefined && rounded > volume.size)) extend = true;
    else if (size.operator === '-' || (args.shrink !== false && rounded < volume.size)) {
      const refused = shrinkRefusal(args, volume, wanted === 0, '.');
      if (refused) return refused;
      extend = false;
    }
    after = size.operator === undefined ? `${rounded}${unit}` : `${size.operator}${sizeText(size)}`;
  }
  if (extend === undefined) return { step: undefined };
  const sizeOption = size.kind === 'absolute' ? '-L' : '-l';
  const value = `${size.operator ?? ''}${sizeText(size)}`;
  const resizefs = args.resizefs === true ? ['--resizefs'] : [];
  const command = extend
    ? sh`${['lvextend', ...resizefs, sizeOption, value, target, ...pvs]}`
    : sh`${['lvreduce', '--force', ...resizefs, sizeOption, value, target, ...pvs]}`;
  return { step: { title: `${extend ? 'extend' : 'reduce'} ${target} to ${after}`, command }, after, ...(msg === undefined ? {} : { msg }) };
}

/** Ansible's refusals; its message without force ends in a period for absolute sizes only. */
function shrinkRefusal(args: LvolArgs, volume: Volume, toZero: boolean, period: '' | '.'): Plan | undefined {
  if (toZero) return { kind: 'fail', message: `Sorry, no shrinking of ${volume.name} to 0 permitted.` };
  if (args.force !== true) return { kind: 'fail', message: `Sorry, no shrinking of ${volume.name} without force=true${period}` };
  return undefined;
}
