import type { GroupArgs } from '../schema/generated/group.js';
import { Command, sh } from '../shell/command.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Outcome, Plan } from './types.js';

/** A line of the group database: name:password:gid:members. */
export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export function parseGroupLine(line: string): GroupEntry | undefined {
  const fields = line.split(':');
  if (fields.length < 4) return undefined;
  const gid = Number(fields[2]);
  if (!Number.isInteger(gid)) return undefined;
  return { name: fields[0] ?? '', gid, members: (fields[3] ?? '').split(',').filter((member) => member !== '') };
}

export const groupModule: ModuleDefinition<GroupArgs> = {
  name: 'group',
  summary: 'Ensure a local group (gid), or its absence',

  probe(args) {
    // getent exits 2 when the group is unknown: the probe reports that as "no line".
    return { group: sh`getent group -- ${args.name}; rc=$?; [ $rc -eq 2 ] && exit 0; exit $rc` };
  },

  plan(args, probes) {
    const read = probeOutput(probes, 'group');
    if (read.code !== 0) {
      return { kind: 'fail', message: `could not read group ${args.name}: ${read.stderr.trim() || `exit ${read.code}`}` };
    }
    const current = read.stdout
      .split('\n')
      .map(parseGroupLine)
      .find((entry) => entry?.name === args.name);
    return planGroup(args, current);
  },
};

function planGroup(args: GroupArgs, current: GroupEntry | undefined): Plan {
  const name = args.name;
  const system = args.system ?? false;
  const result = (gid: number | undefined, state: 'present' | 'absent') => ({
    name,
    state,
    system,
    ...(gid === undefined ? {} : { gid }),
  });

  if ((args.state ?? 'present') === 'absent') {
    if (current === undefined) return { kind: 'noop', reason: `group ${name} is absent`, result: result(undefined, 'absent') };
    return {
      kind: 'change',
      summary: `remove group ${name}`,
      diff: [{ label: `group ${name}`, before: describe(current), after: 'state: absent\n' }],
      steps: [{ title: `groupdel ${name}`, command: sh`groupdel -- ${name}` }],
      result: result(undefined, 'absent'),
    };
  }

  const unique = args.non_unique ? sh` -o` : sh``;
  if (current === undefined) {
    const options: Command[] = [];
    if (args.gid !== undefined) options.push(sh` -g ${String(args.gid)}${unique}`);
    if (system) options.push(sh` -r`);
    const after: GroupEntry = { name, gid: args.gid ?? -1, members: [] };
    return {
      kind: 'change',
      summary: `create group ${name}${args.gid === undefined ? '' : ` (gid ${args.gid})`}`,
      diff: [{ label: `group ${name}`, before: 'state: absent\n', after: describe(after) }],
      steps: [{ title: `groupadd ${name}`, command: sh`groupadd${Command.join(options, '')} -- ${name} && getent group -- ${name}`, capture: 'group' }],
      result: result(args.gid, 'present'),
      finish: (captured) => readBack(name, captured.group?.stdout ?? '', result),
    };
  }
  if (args.gid !== undefined && args.gid !== current.gid) {
    return {
      kind: 'change',
      summary: `change the gid of group ${name} from ${current.gid} to ${args.gid}`,
      diff: [{ label: `group ${name}`, before: describe(current), after: describe({ ...current, gid: args.gid }) }],
      steps: [{ title: `groupmod ${name}`, command: sh`groupmod -g ${String(args.gid)}${unique} -- ${name} && getent group -- ${name}`, capture: 'group' }],
      result: result(args.gid, 'present'),
      finish: (captured) => readBack(name, captured.group?.stdout ?? '', result),
    };
  }
  return { kind: 'noop', reason: `group ${name} exists with gid ${current.gid}`, result: result(current.gid, 'present') };
}

/** The group as the host has it after the change: its gid registered (a new group's is chosen by groupadd). */
function readBack(name: string, stdout: string, result: (gid: number | undefined, state: 'present') => Record<string, unknown>): Outcome {
  const entry = stdout
    .split('\n')
    .map(parseGroupLine)
    .find((line) => line?.name === name);
  if (entry === undefined) return { failure: `group ${name} is not in the group database after the change` };
  return { result: result(entry.gid, 'present') };
}

function describe(group: GroupEntry): string {
  return diffLines(['state: present', `gid: ${group.gid < 0 ? '(next free)' : group.gid}`]);
}
