import type { LvgArgs } from '../schema/generated/lvg.js';
import { sh, type Command } from '../shell/command.js';
import { failureText, parseVgs, rows, splitOptions, vgsProbe } from './lib/lvm.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleContext, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

const pvKey = (device: string): string => `pv ${device}`;

/** The devices as Ansible reads `pvs`: a list, or one string split on commas. */
function devicesOf(args: LvgArgs): string[] {
  if (args.pvs === undefined) return [];
  return typeof args.pvs === 'string' ? args.pvs.split(',') : [...args.pvs];
}

// Each given device and its real path (empty when it does not exist), tab-separated, one per line.
function devicesProbe(devices: string[]): Command {
  return sh`for rb_dev in ${devices}; do printf '%s\\t%s\\n' "$rb_dev" "$(realpath -e -- "$rb_dev" 2>/dev/null)"; done`;
}

// Every physical volume, by its real path, and its group (empty when in none): "PATH;VG".
function pvsProbe(): Command {
  return sh`rb_pvs=$(LC_ALL=C pvs --noheadings -o pv_name,vg_name --separator ';') || exit
printf '%s\\n' "$rb_pvs" | while IFS= read -r rb_line; do
  rb_line=$(printf '%s' "$rb_line" | sed 's/^ *//')
  [ -n "$rb_line" ] || continue
  printf '%s;%s\\n' "$(realpath -m -- "\${rb_line%%;*}")" "\${rb_line#*;}"
done`;
}

function pvdisplayProbe(device: string): Command {
  return sh`LC_ALL=C pvdisplay ${device} --units b --columns --noheadings --nosuffix --separator ';' -o dev_size,pv_size,pe_start,vg_extent_size`;
}

export const lvgModule: ModuleDefinition<LvgArgs> = {
  name: 'lvg',
  summary: "An LVM volume group on the given physical volumes, or absent (Ansible's lvg)",

  probe(args) {
    const probes: ProbeSet = { vgs: vgsProbe() };
    if ((args.state ?? 'present') === 'present') {
      probes.pvs = pvsProbe();
      const devices = devicesOf(args);
      if (devices.length > 0) probes.devices = devicesProbe(devices);
    }
    return probes;
  },

  plan(args, probes, context) {
    const vgs = probeOutput(probes, 'vgs');
    if (vgs.code !== 0) return { kind: 'fail', message: `vgs failed: ${failureText(vgs)}` };
    const group = parseVgs(vgs.stdout).find((candidate) => candidate.name === args.vg);
    if ((args.state ?? 'present') === 'absent') {
      if (group === undefined) return { kind: 'noop', reason: `volume group ${args.vg} does not exist` };
      if (group.lvCount > 0 && args.force !== true) return { kind: 'fail', message: `Refuse to remove non-empty volume group ${args.vg} without force=true` };
      return {
        kind: 'change',
        summary: `remove volume group ${args.vg}`,
        diff: [{ label: `volume group ${args.vg}`, before: 'state: present\n', after: 'state: absent\n' }],
        steps: [{ title: `remove volume group ${args.vg}`, command: sh`vgremove --force ${args.vg}` }],
      };
    }
    return planPresent(args, group !== undefined, probes, context);
  },
};

function planPresent(args: LvgArgs, exists: boolean, probes: ProbeResults, context: ModuleContext): Plan {
  const given = devicesOf(args);
  if (!exists && given.length === 0) return { kind: 'fail', message: 'No physical volumes given.' };
  const devices: string[] = [];
  if (given.length > 0) {
    for (const [device = '', resolved = ''] of probeOutput(probes, 'devices')
      .stdout.split('\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\t'))) {
      if (resolved === '') {
        const message = `Device ${device} not found.`;
        if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may create it)` };
        return { kind: 'fail', message };
      }
      if (!devices.includes(resolved)) devices.push(resolved);
    }
  }
  const pvsResult = probeOutput(probes, 'pvs');
  if (pvsResult.code !== 0) return { kind: 'fail', message: `Failed executing pvs command: ${failureText(pvsResult)}` };
  const pvs = rows(pvsResult.stdout).map(([name = '', vg = '']) => ({ name, vg }));
  const used = pvs.find((pv) => devices.includes(pv.name) && pv.vg !== '' && pv.vg !== args.vg);
  if (used) return { kind: 'fail', message: `Device ${used.name} is already in ${used.vg} volume group.` };

  const pvcreate = (device: string): Step => ({ title: `initialise ${device}`, command: sh`${['pvcreate', ...splitOptions(args.pv_options), '-f', device]}` });
  if (!exists) {
    const pesize = String(args.pesize ?? '4');
    return {
      kind: 'change',
      summary: `create volume group ${args.vg} on ${devices.join(', ')}`,
      diff: [{ label: `volume group ${args.vg}`, before: '', after: devices.map((device) => `pv: ${device}\n`).join('') }],
      steps: [
        ...devices.map(pvcreate),
        { title: `create volume group ${args.vg}`, command: sh`${['vgcreate', ...splitOptions(args.vg_options), '-s', pesize, args.vg, ...devices]}` },
      ],
    };
  }
  if (devices.length === 0) return { kind: 'noop', reason: `volume group ${args.vg} exists` };

  const current = pvs.filter((pv) => pv.vg === args.vg).map((pv) => pv.name);
  if (args.pvresize === true) {
    const missing = current.filter((device) => probes[pvKey(device)] === undefined);
    if (missing.length > 0) return { kind: 'probe', probes: Object.fromEntries(missing.map((device) => [pvKey(device), pvdisplayProbe(device)])) };
  }
  const steps: Step[] = [];
  if (args.pvresize === true) {
    for (const device of current) {
      const values = probeOutput(probes, pvKey(device));
      const [devSize, pvSize, peStart, extentSize] = (rows(values.stdout)[0] ?? []).map(Number);
      if (values.code !== 0 || [devSize, pvSize, peStart, extentSize].some((value) => value === undefined || !Number.isFinite(value))) {
        return { kind: 'fail', message: `cannot read the sizes of ${device}: ${failureText(values)}` };
      }
      if (devSize! - (peStart! + pvSize!) > extentSize!) steps.push({ title: `grow ${device}`, command: sh`pvresize ${device}` });
    }
  }
  const toAdd = devices.filter((device) => !current.includes(device));
  const toRemove = args.remove_extra_pvs === false ? [] : current.filter((device) => !devices.includes(device));
  if (toAdd.length > 0) {
    steps.push(...toAdd.map(pvcreate), { title: `extend ${args.vg} by ${toAdd.join(', ')}`, command: sh`vgextend ${args.vg} ${toAdd}` });
  }
  if (toRemove.length > 0) steps.push({ title: `reduce ${args.vg} by ${toRemove.join(', ')}`, command: sh`vgreduce --force ${args.vg} ${toRemove}` });
  if (steps.length === 0) return { kind: 'noop', reason: `volume group ${args.vg} is on ${current.join(', ')}` };
  const after = [...current.filter((device) => !toRemove.includes(device)), ...toAdd];
  return {
    kind: 'change',
    summary: steps.map((step) => step.title).join(', '),
    diff:
      toAdd.length + toRemove.length > 0
        ? [{ label: `volume group ${args.vg}`, before: current.map((device) => `pv: ${device}\n`).join(''), after: after.map((device) => `pv: ${device}\n`).join('') }]
        : [],
    steps,
  };
}
