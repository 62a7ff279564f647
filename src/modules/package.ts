import type { AptArgs } from '../schema/generated/apt.js';
import type { DnfArgs } from '../schema/generated/dnf.js';
import type { PackageArgs } from '../schema/generated/package.js';
import type { YumArgs } from '../schema/generated/yum.js';
import { Command, sh } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleContext, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

/**
 * Ansible's apt, dnf, yum and package, one implementation: each module turns its arguments into a
 * PackageRequest for one manager, and the manager's planner decides from the package database.
 */
type Manager = 'apt' | 'dnf' | 'yum';

interface PackageRequest {
  manager: Manager;
  names: string[];
  state: 'present' | 'absent' | 'latest';
  updateCache: boolean;
  // apt only, from cacheValidTime to deb; then dnf and yum only.
  cacheValidTime: number;
  installRecommends?: boolean;
  purge: boolean;
  autoremove: boolean;
  lockTimeout: number;
  deb?: string;
  enablerepo: string[];
  disablerepo: string[];
  disableGpgCheck: boolean;
}

/** A package as the package database reports it; `broken` is dpkg's half-installed, unpacked, etc. */
interface Installed {
  status: 'installed' | 'absent' | 'config-files' | 'broken';
  version: string;
}

// dpkg-query and rpm formats, passed as quoted values: `${…}` and `%{…}` are theirs, not the shell's.
const DPKG_FORMAT = '${db:Status-Abbrev}\t${Version}';
const RPM_FORMAT = '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} ';
const APT_STAMP = '/var/lib/apt/periodic/update-success-stamp';
const APT_LISTS = '/var/lib/apt/lists';
/** Ansible's apt runs dpkg with these options by default (its dpkg_options). */
const APT_GET = sh`DEBIAN_FRONTEND=noninteractive apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold`;
const CHECK_MODE_MESSAGE = 'Check mode: No changes made, but would have if not in check mode';

const APT_DEFAULTS = { cacheValidTime: 0, purge: false, autoremove: false, lockTimeout: 60 };
const RPM_DEFAULTS = { enablerepo: [], disablerepo: [], disableGpgCheck: false };

export const aptModule: ModuleDefinition<AptArgs> = {
  name: 'apt',
  summary: "Ansible's apt: install, upgrade or remove packages and refresh the lists with apt-get",
  probe: (args) => packageProbes(aptRequest(args)),
  plan: (args, probes, context) => planRequest(aptRequest(args), probes, context),
};

export const dnfModule: ModuleDefinition<DnfArgs> = {
  name: 'dnf',
  summary: "Ansible's dnf: install, upgrade or remove packages and refresh the metadata",
  probe: (args) => packageProbes(rpmRequest('dnf', args)),
  plan: (args, probes, context) => planRequest(rpmRequest('dnf', args), probes, context),
};

// Ansible's yum runs dnf where the facts name dnf the package manager.
export const yumModule: ModuleDefinition<YumArgs> = {
  name: 'yum',
  summary: "Ansible's yum: install, upgrade or remove packages and refresh the metadata (dnf where the host has it)",
  probe: (args) => packageProbes(rpmRequest('yum', args)),
  plan: (args, probes, context) => planRequest(rpmRequest(context.facts.packageManager === 'dnf' ? 'dnf' : 'yum', args), probes, context),
};

export const packageModule: ModuleDefinition<PackageArgs> = {
  name: 'package',
  summary: "Ansible's package: apt, dnf or yum (from the facts, or use) with the other arguments",
  // The manager comes from the facts: the probes read what any of them needs, in the first round trip.
  probe: (args) => packageProbes({ ...aptRequest(args), manager: args.use === 'dnf' || args.use === 'yum' ? args.use : 'apt' }),
  plan(args, probes, context) {
    const manager = args.use === undefined || args.use === 'auto' ? context.facts.packageManager : args.use;
    if (manager === 'unknown') {
      return { kind: 'fail', message: 'Could not detect which package manager to use. Try gathering facts or setting the "use" option.' };
    }
    // As Ansible's package, the other arguments go to the manager's module, which refuses what it lacks.
    const unsupported = Object.keys(args).filter((key) => key !== 'use' && !(manager === 'apt' ? APT_KEYS : RPM_KEYS).has(key));
    const state = args.state;
    if (unsupported.length > 0) {
      return { kind: 'fail', message: `Unsupported parameters for (${manager}) module: ${unsupported.sort().join(', ')}` };
    }
    if (manager === 'apt' && (state === 'installed' || state === 'removed')) {
      return { kind: 'fail', message: `value of state must be one of: absent, latest, present, got: ${state}` };
    }
    const request = manager === 'apt' ? aptRequest(args as AptArgs) : rpmRequest(manager, args as DnfArgs);
    return planRequest(request, probes, context);
  },
};

const APT_KEYS = new Set(['name', 'state', 'update_cache', 'cache_valid_time', 'install_recommends', 'purge', 'autoremove', 'lock_timeout', 'force_apt_get']);
const RPM_KEYS = new Set(['name', 'state', 'update_cache', 'enablerepo', 'disablerepo', 'disable_gpg_check']);

function nameList(name: string | readonly string[] | undefined): string[] {
  return name === undefined ? [] : typeof name === 'string' ? [name] : [...name];
}

function aptRequest(args: AptArgs | PackageArgs): PackageRequest {
  const request: PackageRequest = {
    ...APT_DEFAULTS,
    ...RPM_DEFAULTS,
    manager: 'apt',
    names: nameList(args.name),
    state: args.state === 'absent' || args.state === 'latest' ? args.state : 'present',
    // As in Ansible, cache_valid_time set implies update_cache.
    updateCache: args.update_cache === true || (args.cache_valid_time ?? 0) > 0,
    cacheValidTime: args.cache_valid_time ?? 0,
    purge: args.purge ?? false,
    autoremove: args.autoremove ?? false,
    lockTimeout: args.lock_timeout ?? APT_DEFAULTS.lockTimeout,
  };
  if (args.install_recommends !== undefined) request.installRecommends = args.install_recommends;
  if ('deb' in args && args.deb !== undefined) request.deb = args.deb;
  return request;
}

function rpmRequest(manager: 'dnf' | 'yum', args: DnfArgs | PackageArgs): PackageRequest {
  const state = args.state === 'absent' || args.state === 'removed' ? 'absent' : args.state === 'latest' ? 'latest' : 'present';
  return {
    ...APT_DEFAULTS,
    manager,
    names: nameList(args.name),
    state,
    updateCache: args.update_cache === true,
    enablerepo: nameList(args.enablerepo),
    disablerepo: nameList(args.disablerepo),
    disableGpgCheck: args.disable_gpg_check ?? false,
  };
}

// No facts needed, so this is read in the connection's first round trip; later rounds ask what the
// first answers call for (the .deb's package, candidate versions).
function packageProbes(request: PackageRequest): ProbeSet {
  const probes: ProbeSet = {};
  if (request.names.length > 0) probes.installed = hostDatabaseProbe(request.names);
  if (request.manager === 'apt') {
    probes.cacheTime = aptCacheTimeProbe();
    if (request.deb !== undefined) probes.debFields = sh`dpkg-deb -f -- ${request.deb} Package Version`;
    if (request.autoremove && request.names.length === 0 && request.deb === undefined) {
      probes.autoremovable = sh`apt-get -s -o Debug::NoLocking=1 autoremove`;
    }
  }
  return probes;
}

function planRequest(request: PackageRequest, probes: ProbeResults, context: ModuleContext): Plan {
  const family = context.facts.packageManager;
  if (request.manager === 'apt' ? family !== 'apt' : family === 'apt') {
    return { kind: 'fail', message: `${request.manager} is not the package manager of ${context.host} (${family})` };
  }
  const database = request.manager === 'apt' ? 'dpkg' : 'rpm';
  // A host with both databases (dpkg on Fedora, say) answered from the other one: ask its family's own.
  if (request.names.length > 0 && probes.familyDatabase === undefined && databaseOf(probeOutput(probes, 'installed')) !== database) {
    return { kind: 'probe', probes: { familyDatabase: databaseProbe(database, request.names) } };
  }
  if (request.manager === 'apt') return planApt(request, probes, context);
  return planRpm(request, probes, context);
}

type Database = 'dpkg' | 'rpm';

// The first line names the database; then one line per name, "NAME<TAB>STATUS<TAB>VERSION",
// whatever the database knows of it. rpm's answers use dpkg's status letters: one parser reads both.
function databaseProbe(database: Database, names: string[]): Command {
  return database === 'dpkg'
    ? sh`echo dpkg; for p in ${names}; do if s=$(dpkg-query -W --showformat=${DPKG_FORMAT} -- "$p" 2>/dev/null); then printf '%s\t%s\n' "$p" "$s"; else printf '%s\tun \t\n' "$p"; fi; done`
    : sh`echo rpm; for p in ${names}; do if v=$(rpm -q --qf ${RPM_FORMAT} -- "$p" 2>/dev/null); then printf '%s\tii \t%s\n' "$p" "$v"; else printf '%s\tun \t\n' "$p"; fi; done`;
}

/** The database the host has (dpkg first), so the probe needs no facts; prints nothing without either. */
function hostDatabaseProbe(names: string[]): Command {
  return sh`if command -v dpkg-query >/dev/null 2>&1; then ${databaseProbe('dpkg', names)}; elif command -v rpm >/dev/null 2>&1; then ${databaseProbe('rpm', names)}; fi`;
}

function databaseOf(result: ExecResult): string {
  return result.stdout.split('\n', 1)[0] ?? '';
}

function installedProbe(probes: ProbeResults): ExecResult {
  return probeOutput(probes, probes.familyDatabase ? 'familyDatabase' : 'installed');
}

/**
 * "now", then the time of the apt cache as Ansible's apt reads it: the mtime of the update-success
 * stamp, else of the lists directory; 0 without either. A lists directory that images emptied has a
 * fresh mtime but no lists: it counts as never updated.
 */
function aptCacheTimeProbe(): Command {
  return sh`date +%s; if ! ls -- ${APT_LISTS} 2>/dev/null | grep -q '_Packages'; then echo 0; elif [ -e ${APT_STAMP} ]; then stat -c %Y -- ${APT_STAMP}; else stat -c %Y -- ${APT_LISTS}; fi`;
}

/** dpkg's abbreviated status: the second letter is the package's state (i installed, n gone, c configuration files left). */
export function parseInstalled(result: ExecResult, names: readonly string[]): Map<string, Installed> {
  const found = new Map<string, Installed>();
  for (const line of result.stdout.split('\n')) {
    const [name, abbrev, version] = line.split('\t');
    if (name === undefined || abbrev === undefined || !names.includes(name) || found.has(name)) continue;
    const state = abbrev[1];
    const status = state === 'i' ? 'installed' : state === 'n' ? 'absent' : state === 'c' ? 'config-files' : 'broken';
    found.set(name, { status, version: (version ?? '').trim() });
  }
  for (const name of names) if (!found.has(name)) found.set(name, { status: 'absent', version: '' });
  return found;
}

/** Candidate versions from `apt-cache policy`: name → version, or undefined when none is installable. */
export function parseAptCandidates(stdout: string): Map<string, string | undefined> {
  const candidates = new Map<string, string | undefined>();
  let current: string | undefined;
  for (const line of stdout.split('\n')) {
    const header = /^(\S+):$/.exec(line);
    if (header) current = header[1];
    const candidate = /^\s+Candidate:\s*(\S+)/.exec(line);
    if (candidate && current !== undefined) candidates.set(current, candidate[1] === '(none)' ? undefined : candidate[1]);
  }
  return candidates;
}

/** Upgrades listed by `dnf/yum check-update` (exit 100 when there are some): name → new version. */
export function parseRpmUpdates(stdout: string, names: readonly string[]): Map<string, string> {
  const updates = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 3) continue;
    const [nameArch, version] = fields as [string, string, string];
    const name = nameArch.includes('.') ? nameArch.slice(0, nameArch.lastIndexOf('.')) : nameArch;
    if (names.includes(name) && !updates.has(name)) updates.set(name, version);
  }
  return updates;
}

/** From aptCacheTimeProbe: the cache's time (0: never updated) and its age in seconds. */
export function parseCacheTime(stdout: string): { time: number; age: number } {
  const [now = 0, time = 0] = stdout.trim().split('\n').map(Number);
  return { time, age: now - time };
}

/** Packages `apt-get -s autoremove` would remove ("Remv NAME [VERSION]"). */
export function parseAutoremovable(stdout: string): string[] {
  return [...stdout.matchAll(/^Remv (\S+)/gm)].map((match) => match[1] as string);
}

/** The lines before and after a change, for the diff and the summary. */
class ChangeList {
  readonly before: string[] = [];
  readonly after: string[] = [];
  readonly summary: string[] = [];
  readonly steps: Step[] = [];

  add(summary: string, steps: Step[], before: string[], after: string[]): void {
    this.summary.push(summary);
    this.steps.push(...steps);
    this.before.push(...before);
    this.after.push(...after);
  }

  diff(): Diff[] {
    return [{ label: 'packages', before: diffLines(this.before), after: diffLines(this.after) }];
  }
}

function planApt(request: PackageRequest, probes: ProbeResults, context: ModuleContext): Plan {
  if (request.deb !== undefined) return planDeb(request, probes, context);
  const cache = parseCacheTime(probeOutput(probes, 'cacheTime').stdout);
  const cacheStale = request.updateCache && (cache.time === 0 || cache.age > request.cacheValidTime);
  const cacheText = cache.time === 0 ? 'never updated' : `updated ${cache.age} s ago`;
  const changes = new ChangeList();
  const cacheSteps = cacheStale ? [aptUpdateStep(request), aptCacheTimeStep()] : [];
  if (cacheStale) changes.add('update the apt cache', [], [`apt cache: ${cacheText}`], ['apt cache: updated']);

  if (request.names.length === 0) {
    // update_cache alone, or autoremove: Ansible's apt counts the cache as changed when its time moved.
    if (request.autoremove) {
      const removable = parseAutoremovable(probeOutput(probes, 'autoremovable').stdout);
      if (removable.length > 0) {
        changes.add(`autoremove ${removable.join(', ')}`, [aptStep(request, 'autoremove', [], request.purge ? ['--purge'] : [])], removable.map((name) => `${name} installed`), removable.map((name) => `${name} absent`));
      }
      if (!cacheStale && changes.steps.length === 0) return { kind: 'noop', reason: 'no package to autoremove' };
    }
    if (!cacheStale && changes.steps.length === 0) {
      return { kind: 'noop', reason: `apt cache ${cacheText} (valid for ${request.cacheValidTime} s)`, result: { cache_updated: false, cache_update_time: cache.time } };
    }
    const counted = changes.steps.length > 0;
    return {
      kind: 'change',
      summary: changes.summary.join('; '),
      diff: changes.diff(),
      steps: [...cacheSteps, ...changes.steps],
      result: { cache_updated: cacheStale, cache_update_time: cache.time },
      finish: (captured) => {
        const updated = cacheUpdated(captured, cache.time);
        return { changed: counted || updated.cache_updated, result: updated };
      },
    };
  }

  const installed = parseInstalled(installedProbe(probes), request.names);
  const isInstalled = (name: string) => installed.get(name)?.status === 'installed';
  if (request.state === 'absent') {
    const toRemove = request.names.filter((name) => {
      const status = installed.get(name)?.status;
      return status === 'installed' || status === 'broken' || (status === 'config-files' && request.purge);
    });
    if (toRemove.length > 0) {
      const flags = [...(request.purge ? ['--purge'] : []), ...(request.autoremove ? ['--auto-remove'] : [])];
      changes.add(
        `${request.purge ? 'purge' : 'remove'} ${toRemove.join(', ')}`,
        [aptStep(request, 'remove', toRemove, flags)],
        toRemove.map((name) => describeInstalled(name, installed.get(name))),
        toRemove.map((name) => `${name} absent`),
      );
    }
    // Ansible's apt updates the cache before a removal too, but reports only the removal.
    if (changes.steps.length > 0) return { kind: 'change', summary: changes.summary.join('; '), diff: changes.diff(), steps: [...cacheSteps, ...changes.steps] };
    const reason = `${request.names.join(', ')} not installed`;
    return cacheStale ? cacheOnlyPlan(cache, cacheText, reason, cacheSteps, context, false) : { kind: 'noop', reason };
  }

  const toInstall = request.names.filter((name) => !isInstalled(name));
  const upgrades = new Map<string, string>();
  if (request.state === 'latest') {
    if (probes.candidates === undefined) return { kind: 'probe', probes: { candidates: sh`apt-cache policy -- ${request.names}` } };
    const policy = parseAptCandidates(probeOutput(probes, 'candidates').stdout);
    for (const name of request.names.filter(isInstalled)) {
      // apt-cache policy heads a block "libc6:" even when asked about libc6:amd64.
      const candidate = policy.get(name) ?? policy.get(name.split(':')[0] ?? name);
      if (candidate !== undefined && candidate !== installed.get(name)?.version) upgrades.set(name, candidate);
    }
  }
  // apt-get install also upgrades installed packages: one apt run for both.
  const installs = [...toInstall, ...upgrades.keys()];
  if (installs.length > 0) {
    const flags = [
      ...(request.installRecommends === undefined ? [] : ['-o', `APT::Install-Recommends=${request.installRecommends ? 'yes' : 'no'}`]),
      ...(request.autoremove ? ['--auto-remove'] : []),
    ];
    const summary = [...(toInstall.length > 0 ? [`install ${toInstall.join(', ')}`] : []), ...(upgrades.size > 0 ? [`upgrade ${[...upgrades.keys()].join(', ')}`] : [])];
    changes.add(
      summary.join('; '),
      [aptStep(request, 'install', installs, flags)],
      [...toInstall.map((name) => (installed.get(name)?.status === 'broken' ? `${name} partly installed` : `${name} absent`)), ...[...upgrades.keys()].map((name) => `${name} ${installed.get(name)?.version}`)],
      [...toInstall.map((name) => `${name} installed`), ...[...upgrades].map(([name, version]) => `${name} ${version}`)],
    );
  }
  const reason = installedReason(request.names, installed, request.state);
  if (changes.steps.length === 0) {
    if (!cacheStale) {
      return { kind: 'noop', reason: request.updateCache ? `${reason}; apt cache ${cacheText} (valid for ${request.cacheValidTime} s)` : reason, result: { cache_updated: false, cache_update_time: cache.time } };
    }
    return cacheOnlyPlan(cache, cacheText, reason, cacheSteps, context, true);
  }
  return {
    kind: 'change',
    summary: changes.summary.join('; '),
    diff: changes.diff(),
    steps: [...cacheSteps, ...changes.steps],
    result: { cache_updated: cacheStale, cache_update_time: cache.time },
    finish: (captured) => ({ result: cacheStale ? cacheUpdated(captured, cache.time) : {} }),
  };
}

/**
 * The lists need refreshing but the packages are in place: Ansible's apt updates the cache and
 * reports no change (cache_updated says whether the lists moved). In check mode nothing runs.
 */
function cacheOnlyPlan(
  cache: { time: number },
  cacheText: string,
  reason: string,
  cacheSteps: Step[],
  context: ModuleContext,
  reportsCache: boolean,
): Plan {
  const result = reportsCache ? { cache_updated: true, cache_update_time: cache.time } : {};
  if (context.check) return { kind: 'noop', reason: `${reason}; apt cache ${cacheText}: would be updated (not a change)`, result };
  return {
    kind: 'change',
    summary: `update the apt cache (${reason})`,
    steps: cacheSteps,
    result,
    finish: (captured) => ({ changed: false, message: `${reason}; apt cache updated`, result: reportsCache ? cacheUpdated(captured, cache.time) : {} }),
  };
}

function cacheUpdated(captured: ProbeResults, before: number): { cache_updated: boolean; cache_update_time: number } {
  const after = parseCacheTime(captured.cacheTime?.stdout ?? '').time;
  return { cache_updated: after !== before, cache_update_time: after };
}

/** A local .deb: installed unless the same version of its package is. */
function planDeb(request: PackageRequest, probes: ProbeResults, context: ModuleContext): Plan {
  const deb = request.deb as string;
  const fields = probeOutput(probes, 'debFields');
  if (fields.code !== 0) {
    const message = `Unable to install package: ${deb}: ${fields.stderr.trim() || `dpkg-deb exit ${fields.code}`}`;
    if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may provide it)` };
    return { kind: 'fail', message };
  }
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(fields.stdout)?.[1]?.trim() ?? '';
  const name = field('Package');
  const version = field('Version');
  if (probes.debInstalled === undefined) return { kind: 'probe', probes: { debInstalled: databaseProbe('dpkg', [name]) } };
  const current = parseInstalled(probeOutput(probes, 'debInstalled'), [name]).get(name);
  if (current?.status === 'installed' && current.version === version) return { kind: 'noop', reason: `${name} ${version} installed (${deb})` };
  const flags = request.installRecommends === undefined ? [] : ['-o', `APT::Install-Recommends=${request.installRecommends ? 'yes' : 'no'}`];
  return {
    kind: 'change',
    summary: `install ${name} ${version} from ${deb}`,
    diff: [{ label: 'packages', before: `${describeInstalled(name, current)}\n`, after: `${name} ${version}\n` }],
    steps: [aptStep(request, 'install', [deb], flags)],
  };
}

function describeInstalled(name: string, installed: Installed | undefined): string {
  switch (installed?.status) {
    case 'installed':
      return `${name} installed (${installed.version})`;
    case 'broken':
      return `${name} partly installed`;
    case 'config-files':
      return `${name} configuration files`;
    default:
      return `${name} absent`;
  }
}

function installedReason(names: string[], installed: Map<string, Installed>, state: 'present' | 'latest'): string {
  const described = names.map((name) => `${name} ${installed.get(name)?.version}`).join(', ');
  return state === 'latest' ? `${described}: the latest version installed` : `${described} installed`;
}

/** Words as one command: each quoted, none for an empty list. */
function words(...groups: (Command | readonly string[])[]): Command {
  return Command.join(
    groups.filter((group) => group instanceof Command || group.length > 0).map((group) => (group instanceof Command ? group : sh`${group}`)),
    ' ',
  );
}

function aptStep(request: PackageRequest, operation: 'install' | 'remove' | 'autoremove', names: string[], flags: string[]): Step {
  return {
    title: `apt-get ${operation}${names.length > 0 ? ` ${names.join(', ')}` : ''}`,
    command: words(APT_GET, ['-o', `DPkg::Lock::Timeout=${request.lockTimeout}`], flags, [operation], names.length > 0 ? ['--', ...names] : []),
    progress: aptProgress(),
  };
}

function aptUpdateStep(request: PackageRequest): Step {
  return { title: 'apt-get update', command: sh`apt-get -o DPkg::Lock::Timeout=${String(request.lockTimeout)} update` };
}

/** Reads the cache's time after the update, for cache_updated and cache_update_time. */
function aptCacheTimeStep(): Step {
  return { title: 'read the apt cache time', command: aptCacheTimeProbe(), capture: 'cacheTime' };
}

function planRpm(request: PackageRequest, probes: ProbeResults, context: ModuleContext): Plan {
  const manager = request.manager as 'dnf' | 'yum';
  const options = rpmOptions(request);
  if (request.names.length === 0) {
    // update_cache alone: Ansible refreshes the metadata and reports no change, even in check mode.
    const result = { msg: 'Cache updated', results: [], rc: 0 };
    const refresh = manager === 'dnf' ? words(['dnf', '-y', ...options, 'makecache']) : words(['yum', '-d', '2', '-y', ...options, 'clean', 'expire-cache']);
    if (context.check) return { kind: 'noop', reason: `the ${manager} metadata would be refreshed (not a change; check mode runs nothing)`, result };
    return { kind: 'change', summary: `refresh the ${manager} metadata`, steps: [{ title: `refresh the ${manager} metadata`, command: refresh }], result, finish: () => ({ changed: false, message: 'Cache updated', result }) };
  }
  const installed = parseInstalled(installedProbe(probes), request.names);
  const isInstalled = (name: string) => installed.get(name)?.status === 'installed';
  const changes = new ChangeList();
  // dnf refreshes with the transaction; Ansible's yum expires its cache first.
  const refresh = request.updateCache && manager === 'dnf' ? ['--refresh'] : [];
  if (request.state === 'absent') {
    const toRemove = request.names.filter((name) => installed.get(name)?.status !== 'absent');
    if (toRemove.length > 0) {
      changes.add(`remove ${toRemove.join(', ')}`, [rpmStep(manager, 'remove', options, toRemove)], toRemove.map((name) => describeInstalled(name, installed.get(name))), toRemove.map((name) => `${name} absent`));
    }
  } else {
    const toInstall = request.names.filter((name) => !isInstalled(name));
    if (toInstall.length > 0) {
      changes.add(`install ${toInstall.join(', ')}`, [rpmStep(manager, 'install', [...refresh, ...options], toInstall)], toInstall.map((name) => `${name} absent`), toInstall.map((name) => `${name} installed`));
    }
    if (request.state === 'latest') {
      if (probes.candidates === undefined) return { kind: 'probe', probes: { candidates: words([manager, '-q', ...options, 'check-update', '--', ...request.names]) } };
      const candidates = probeOutput(probes, 'candidates');
      if (candidates.code !== 0 && candidates.code !== 100) {
        return { kind: 'fail', message: `${manager} check-update failed: ${candidates.stderr.trim() || `exit ${candidates.code}`}` };
      }
      const upgrades = [...parseRpmUpdates(candidates.stdout, request.names)].filter(([name]) => isInstalled(name));
      if (upgrades.length > 0) {
        const names = upgrades.map(([name]) => name);
        changes.add(`upgrade ${names.join(', ')}`, [rpmStep(manager, manager === 'dnf' ? 'upgrade' : 'update', [...refresh, ...options], names)], names.map((name) => `${name} ${installed.get(name)?.version}`), upgrades.map(([name, version]) => `${name} ${version}`));
      }
    }
  }
  if (changes.steps.length > 0 && request.updateCache && manager === 'yum' && request.state !== 'absent') {
    changes.steps.unshift({ title: 'yum clean expire-cache', command: words(['yum', '-d', '2', '-y', ...options, 'clean', 'expire-cache']) });
  }
  if (changes.steps.length === 0) {
    const reason = request.state === 'absent' ? `${request.names.join(', ')} not installed` : installedReason(request.names, installed, request.state);
    return { kind: 'noop', reason, result: { msg: 'Nothing to do', results: [], rc: 0 } };
  }
  const results = changes.after.map((line) => {
    const [name = ''] = line.split(' ');
    return line.endsWith(' absent') ? `Removed: ${name}` : `Installed: ${name}`;
  });
  return {
    kind: 'change',
    summary: changes.summary.join('; '),
    diff: changes.diff(),
    steps: changes.steps,
    result: { msg: context.check ? CHECK_MODE_MESSAGE : '', results, rc: 0 },
  };
}

function rpmOptions(request: PackageRequest): string[] {
  return [
    ...request.enablerepo.map((repo) => `--enablerepo=${repo}`),
    ...request.disablerepo.map((repo) => `--disablerepo=${repo}`),
    ...(request.disableGpgCheck ? ['--nogpgcheck'] : []),
  ];
}

function rpmStep(manager: 'dnf' | 'yum', verb: 'install' | 'upgrade' | 'update' | 'remove', options: string[], names: string[]): Step {
  return { title: `${manager} ${verb} ${names.join(', ')}`, command: words([manager, verb, '-y', ...options, '--', ...names]), progress: rpmProgress() };
}

type Progress = NonNullable<Step['progress']>;

/** Feeds whole lines to `onLine`; output arrives in chunks that split lines anywhere. */
function lineProgress(onLine: (line: string) => ReturnType<Progress>): Progress {
  let pending = '';
  return (chunk) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    let update: ReturnType<Progress>;
    for (const line of parts) update = onLine(line) ?? update;
    return update;
  };
}

/**
 * apt announces "N upgraded, M newly installed, R to remove"; then each package is unpacked and set
 * up (or removed): the percentage counts those lines.
 */
export function aptProgress(): Progress {
  let total = 0;
  let done = 0;
  return lineProgress((line) => {
    const plan = /^(\d+) upgraded, (\d+) newly installed, (\d+) to remove/.exec(line);
    if (plan) {
      const [upgraded, installed, removed] = plan.slice(1).map(Number) as [number, number, number];
      total = 2 * (upgraded + installed) + removed;
      return { message: line.trim() };
    }
    const action = /^(Unpacking|Setting up|Removing) (\S+)/.exec(line);
    if (!action) return undefined;
    done += 1;
    const message = `${action[1]} ${action[2]}`;
    return total > 0 ? { message, percent: Math.min(100, Math.round((100 * done) / total)) } : { message };
  });
}

/** dnf and yum number the transaction's elements: "  Installing : nfs-utils-2.5.4.x86_64   3/12". */
export function rpmProgress(): Progress {
  return lineProgress((line) => {
    const match = /^\s*(Installing|Upgrading|Updating|Cleanup|Erasing|Removing|Verifying)\s*:\s*(\S+)\s+(\d+)\/(\d+)\s*$/.exec(line);
    if (!match) return undefined;
    const [, action, name, index, count] = match as unknown as [string, string, string, string, string];
    // Verifying counts the same elements a second time: the last fifth of the bar.
    const share = action === 'Verifying' ? 80 + (20 * Number(index)) / Number(count) : (80 * Number(index)) / Number(count);
    return { message: `${action} ${name}`, percent: Math.round(share) };
  });
}
