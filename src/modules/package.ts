import type { HostFacts } from '../facts/host.js';
import type { PackageArgs } from '../schema/generated/package.js';
import { sh, type Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleDefinition, Plan, ProbeResults, ProbeSet, Step } from './types.js';

type Manager = Exclude<HostFacts['packageManager'], 'unknown'>;

/** A package as the package database reports it; `broken` is dpkg's half-installed, unpacked, etc. */
interface Installed {
  status: 'installed' | 'absent' | 'broken';
  version: string;
}

// dpkg-query and rpm formats, passed as quoted values: `${…}` and `%{…}` are theirs, not the shell's.
const DPKG_FORMAT = '${db:Status-Abbrev}\t${Version}';
const RPM_FORMAT = '%|EPOCH?{%{EPOCH}:}:{}|%{VERSION}-%{RELEASE} ';
const APT_STAMP = '/var/lib/apt/periodic/update-success-stamp';
const APT_LISTS = '/var/lib/apt/lists';

const APT_INSTALL = sh`DEBIAN_FRONTEND=noninteractive apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold`;

export const packageModule: ModuleDefinition<PackageArgs> = {
  name: 'package',
  summary: 'Install, remove or upgrade packages with apt, dnf or yum (chosen from facts)',

  // No facts needed, so this is read in the connection's first round trip; `latest` asks for the
  // candidate versions in a second round, from the manager the facts name.
  probe(args) {
    const names = packageNames(args);
    const probes: ProbeSet = { installed: hostDatabaseProbe(names) };
    // Read on every host, used on apt hosts only: cheaper than a round trip to learn the manager first.
    if (wantsCacheUpdate(args)) probes.cacheAge = aptCacheAgeProbe();
    return probes;
  },

  plan(args, probes, context) {
    const manager = context.facts.packageManager;
    if (manager === 'unknown') {
      return { kind: 'fail', message: `no supported package manager (apt, dnf, yum) found on ${context.host}` };
    }
    const names = packageNames(args);
    const database = manager === 'apt' ? 'dpkg' : 'rpm';
    // A host with both databases (dpkg on Fedora, say) answered from the other one: ask its family's own.
    if (probes.familyDatabase === undefined && databaseOf(probeOutput(probes, 'installed')) !== database) {
      return { kind: 'probe', probes: { familyDatabase: databaseProbe(database, names) } };
    }
    if ((args.state ?? 'present') === 'latest' && probes.candidates === undefined) {
      return {
        kind: 'probe',
        probes: { candidates: manager === 'apt' ? sh`apt-cache policy -- ${names}` : sh`${manager} -q check-update -- ${names}` },
      };
    }
    return planPackages(args, manager, probes);
  },
};

function packageNames(args: PackageArgs): string[] {
  return typeof args.name === 'string' ? [args.name] : [...args.name];
}

function wantsCacheUpdate(args: PackageArgs): boolean {
  return args.update_cache === true || args.cache_valid_time !== undefined;
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

/**
 * Seconds since the last `apt-get update`: "now", then the mtimes of the stamp and the lists. An emptied
 * lists directory (images clean it) has a fresh mtime but no lists: it does not count.
 */
function aptCacheAgeProbe(): Command {
  return sh`date +%s; stat -c %Y -- ${APT_STAMP} 2>/dev/null; if ls -- ${APT_LISTS} 2>/dev/null | grep -q '_Packages'; then stat -c %Y -- ${APT_LISTS}; fi; true`;
}

/** dpkg's abbreviated status: the second letter is the package's state (i installed, n/c gone). */
export function parseInstalled(result: ExecResult, names: readonly string[]): Map<string, Installed> {
  const found = new Map<string, Installed>();
  for (const line of result.stdout.split('\n')) {
    const [name, abbrev, version] = line.split('\t');
    if (name === undefined || abbrev === undefined || !names.includes(name) || found.has(name)) continue;
    const state = abbrev[1];
    const status = state === 'i' ? 'installed' : state === 'n' || state === 'c' ? 'absent' : 'broken';
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

/** Age of the apt lists in seconds from aptCacheAgeProbe; undefined when they were never updated. */
export function parseCacheAge(stdout: string): number | undefined {
  const [now, ...mtimes] = stdout.trim().split('\n').map(Number);
  if (now === undefined || mtimes.length === 0) return undefined;
  return now - Math.max(...mtimes);
}

function planPackages(args: PackageArgs, manager: Manager, probes: ProbeResults): Plan {
  const names = packageNames(args);
  const state = args.state ?? 'present';
  const installed = parseInstalled(probeOutput(probes, probes.familyDatabase ? 'familyDatabase' : 'installed'), names);
  const isInstalled = (name: string) => installed.get(name)?.status === 'installed';

  const toInstall = state === 'absent' ? [] : names.filter((name) => !isInstalled(name));
  const toRemove = state === 'absent' ? names.filter((name) => installed.get(name)?.status !== 'absent') : [];
  const upgrades = new Map<string, string>();
  if (state === 'latest') {
    const candidates = probeOutput(probes, 'candidates');
    if (manager === 'apt') {
      const policy = parseAptCandidates(candidates.stdout);
      for (const name of names.filter(isInstalled)) {
        // apt-cache policy heads a block "libc6:" even when asked about libc6:amd64.
        const candidate = policy.get(name) ?? policy.get(name.split(':')[0] ?? name);
        if (candidate !== undefined && candidate !== installed.get(name)?.version) upgrades.set(name, candidate);
      }
    } else {
      if (candidates.code !== 0 && candidates.code !== 100) {
        return { kind: 'fail', message: `${manager} check-update failed: ${candidates.stderr.trim() || `exit ${candidates.code}`}` };
      }
      for (const [name, version] of parseRpmUpdates(candidates.stdout, names)) if (isInstalled(name)) upgrades.set(name, version);
    }
  }

  const cache = cacheDecision(args, manager, probes, toInstall.length + upgrades.size > 0);
  const steps: Step[] = [];
  const before: string[] = [];
  const after: string[] = [];
  const summary: string[] = [];
  if (cache.update) {
    steps.push(cacheUpdateStep(manager));
    summary.push(`update the ${manager} cache`);
    before.push(`${manager} cache: ${cache.description}`);
    after.push(`${manager} cache: updated`);
  }
  // apt-get install also upgrades installed packages: one apt run for both.
  const installs = manager === 'apt' ? [...toInstall, ...upgrades.keys()] : toInstall;
  if (installs.length > 0) steps.push(installStep(manager, installs, args.install_recommends));
  if (toInstall.length > 0) {
    summary.push(`install ${toInstall.join(', ')}`);
    for (const name of toInstall) {
      before.push(`${name} ${installed.get(name)?.status === 'broken' ? 'partly installed' : 'absent'}`);
      after.push(`${name} installed`);
    }
  }
  if (upgrades.size > 0) {
    if (manager !== 'apt') steps.push(upgradeStep(manager, [...upgrades.keys()]));
    summary.push(`upgrade ${[...upgrades.keys()].join(', ')}`);
    for (const [name, version] of upgrades) {
      before.push(`${name} ${installed.get(name)?.version}`);
      after.push(`${name} ${version}`);
    }
  }
  if (toRemove.length > 0) {
    steps.push(removeStep(manager, toRemove));
    summary.push(`remove ${toRemove.join(', ')}`);
    for (const name of toRemove) {
      before.push(`${name} installed${installed.get(name)?.version ? ` (${installed.get(name)?.version})` : ''}`);
      after.push(`${name} absent`);
    }
  }

  if (steps.length === 0) {
    const reason = state === 'absent' ? `${names.join(', ')} not installed` : installedReason(names, installed, state);
    return { kind: 'noop', reason: cache.description === undefined ? reason : `${reason}; ${manager} cache ${cache.description}` };
  }
  const diff: Diff[] = [{ label: 'packages', before: diffLines(before), after: diffLines(after) }];
  return { kind: 'change', summary: summary.join('; '), diff, steps };
}

function installedReason(names: string[], installed: Map<string, Installed>, state: 'present' | 'latest'): string {
  const described = names.map((name) => `${name} ${installed.get(name)?.version}`).join(', ');
  return state === 'latest' ? `${described}: the latest version installed` : `${described} installed`;
}

/**
 * apt: update when the lists are older than cache_valid_time (always without it). dnf/yum refresh
 * only before an install or upgrade that runs anyway: their own metadata expiry governs otherwise.
 */
function cacheDecision(
  args: PackageArgs,
  manager: Manager,
  probes: ProbeResults,
  installing: boolean,
): { update: boolean; description?: string } {
  if (!wantsCacheUpdate(args)) return { update: false };
  if (manager !== 'apt') return installing ? { update: true, description: 'metadata as cached' } : { update: false };
  const age = parseCacheAge(probeOutput(probes, 'cacheAge').stdout);
  const valid = args.cache_valid_time;
  const ageText = age === undefined ? 'never updated' : `updated ${age} s ago`;
  if (valid === undefined || age === undefined || age >= valid) return { update: true, description: ageText };
  return { update: false, description: `${ageText} (valid for ${valid} s)` };
}

function cacheUpdateStep(manager: Manager): Step {
  if (manager === 'apt') {
    // The stamp is what Ubuntu's update hook writes; it dates this update even when no list changed.
    return {
      title: 'apt-get update',
      command: sh`apt-get update && mkdir -p -- /var/lib/apt/periodic && touch -- ${APT_STAMP}`,
    };
  }
  return { title: `${manager} makecache`, command: sh`${manager} -y makecache` };
}

function installStep(manager: Manager, names: string[], recommends: boolean | undefined): Step {
  if (manager === 'apt') {
    const install = recommends === undefined ? APT_INSTALL : sh`${APT_INSTALL} ${recommends ? '--install-recommends' : '--no-install-recommends'}`;
    return { title: `install ${names.join(', ')}`, command: sh`${install} -- ${names}`, progress: aptProgress() };
  }
  return { title: `install ${names.join(', ')}`, command: sh`${manager} install -y -- ${names}`, progress: rpmProgress() };
}

function upgradeStep(manager: 'dnf' | 'yum', names: string[]): Step {
  const verb = manager === 'dnf' ? 'upgrade' : 'update';
  return { title: `upgrade ${names.join(', ')}`, command: sh`${manager} ${verb} -y -- ${names}`, progress: rpmProgress() };
}

function removeStep(manager: Manager, names: string[]): Step {
  if (manager === 'apt') {
    return {
      title: `remove ${names.join(', ')}`,
      command: sh`DEBIAN_FRONTEND=noninteractive apt-get remove -y -- ${names}`,
      progress: aptProgress(),
    };
  }
  return { title: `remove ${names.join(', ')}`, command: sh`${manager} remove -y -- ${names}`, progress: rpmProgress() };
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

