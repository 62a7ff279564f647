import type { TimezoneArgs } from '../schema/generated/timezone.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults, Step } from './types.js';

const ZONEINFO = '/usr/share/zoneinfo';

export const timezoneModule: ModuleDefinition<TimezoneArgs> = {
  name: 'timezone',
  summary: "The host's time zone, through timedatectl or /etc/timezone and /etc/localtime (community.general.timezone)",
  probe: (args) => ({
    timedatectl: sh`timedatectl status`,
    zone: sh`test -f ${`${ZONEINFO}/${args.name}`}`,
    // Read only when timedatectl cannot be used: the Debian files.
    timezoneFile: sh`cat /etc/timezone`,
    localtime: sh`readlink /etc/localtime`,
  }),
  plan: (args, probes) => planTimezone(args, probes),
};

/** The zone `timedatectl status` reports ("Time zone: Europe/Paris (CET, +0100)"). */
export function timedatectlZone(status: string): string | undefined {
  return /^\s*Time ?zone\s*:\s*(\S+)/m.exec(status)?.[1];
}

function zoneDiff(before: string, after: string) {
  return [{ label: 'timezone', before: `name: ${before}\n`, after: `name: ${after}\n` }];
}

function planTimezone(args: TimezoneArgs, probes: ProbeResults): Plan {
  const name = args.name;
  if (probeOutput(probes, 'zone').code !== 0) return { kind: 'fail', message: `given timezone "${name}" is not available` };
  const status = probeOutput(probes, 'timedatectl');
  if (status.code === 0) {
    const current = timedatectlZone(status.stdout);
    if (current === undefined) return { kind: 'fail', message: 'timedatectl status reports no time zone' };
    if (current === name) return { kind: 'noop', reason: `the time zone is ${name}` };
    return {
      kind: 'change',
      summary: `set the time zone to ${name} (was ${current})`,
      diff: zoneDiff(current, name),
      steps: [{ title: `timedatectl set-timezone ${name}`, command: sh`timedatectl set-timezone ${name}` }],
    };
  }
  // Without a usable timedatectl (no systemd-timedated): Debian's files, as Ansible's fallback writes them.
  const timezoneRead = probeOutput(probes, 'timezoneFile');
  const configured = timezoneRead.code === 0 ? (/^(\S+)/m.exec(timezoneRead.stdout)?.[1] ?? '') : '';
  const linkRead = probeOutput(probes, 'localtime');
  const link = linkRead.code === 0 ? linkRead.stdout.trim() : '';
  const zoneFile = `${ZONEINFO}/${name}`;
  const linked = link === zoneFile || link === `..${zoneFile}`;
  if (configured === name && linked) return { kind: 'noop', reason: `the time zone is ${name} (/etc/timezone and /etc/localtime)` };
  const steps: Step[] = [
    { title: 'write /etc/timezone', command: sh`cat > /etc/timezone`, stdin: `${name}\n` },
    { title: 'link /etc/localtime', command: sh`ln -sf ${zoneFile} /etc/localtime` },
    { title: 'dpkg-reconfigure tzdata', command: sh`if command -v dpkg-reconfigure >/dev/null; then DEBIAN_FRONTEND=noninteractive dpkg-reconfigure --frontend noninteractive tzdata; fi` },
  ];
  const before = configured === '' ? 'n/a' : configured;
  return { kind: 'change', summary: `set the time zone to ${name} in /etc/timezone and /etc/localtime`, diff: zoneDiff(before, name), steps };
}
