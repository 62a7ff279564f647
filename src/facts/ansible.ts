import type { ProbeOutput } from './probe-output.js';
import { fnmatchRegExp } from '../python/fnmatch.js';

/**
 * Ansible's facts (ansible.builtin.setup on Linux, ansible-core 2.14) from what the host-facts
 * script printed, without the `ansible_` prefix. Names, forms and derivations follow Ansible's fact
 * collectors (module_utils/facts); a fact runbook cannot read without Python or without starting
 * more programs is left out rather than guessed (see GATHERED_FACTS).
 */
export function ansibleFacts(probe: ProbeOutput): Record<string, unknown> {
  const platform = platformFacts(probe);
  return {
    ...platform,
    ...distributionFacts(probe),
    lsb: lsbFacts(probe),
    pkg_mgr: pkgMgrOf(probe),
    service_mgr: serviceMgrOf(probe),
    selinux: selinuxOf(probe.one('selinux_enforce')),
    ...userFacts(probe),
    ...dateTimeFacts(probe.one('date')),
    ...memoryFacts(probe.proc('/proc/meminfo')),
    ...cpuFacts(probe.proc('/proc/cpuinfo'), probe.proc('/proc/self/status'), String(platform.architecture)),
    ...networkFacts(probe),
  };
}

/** Each fact runbook gathers, by the Ansible collector (gather_subset name) that gathers it. */
const FACTS_BY_COLLECTOR: Readonly<Record<string, readonly string[]>> = {
  platform: ['system', 'kernel', 'kernel_version', 'machine', 'architecture', 'fqdn', 'hostname', 'nodename', 'domain', 'machine_id'],
  distribution: [
    'distribution',
    'distribution_version',
    'distribution_major_version',
    'distribution_minor_version',
    'distribution_release',
    'distribution_file_path',
    'distribution_file_variety',
    'distribution_file_parsed',
    'os_family',
  ],
  lsb: ['lsb'],
  pkg_mgr: ['pkg_mgr'],
  service_mgr: ['service_mgr'],
  selinux: ['selinux'],
  user: ['user_id', 'user_uid', 'user_gid', 'user_gecos', 'user_dir', 'user_shell', 'real_user_id', 'effective_user_id', 'real_group_id', 'effective_group_id'],
  date_time: ['date_time'],
  hardware: [
    'memtotal_mb',
    'memfree_mb',
    'swaptotal_mb',
    'swapfree_mb',
    'memory_mb',
    'processor',
    'processor_count',
    'processor_cores',
    'processor_threads_per_core',
    'processor_vcpus',
    'processor_nproc',
  ],
  network: ['interfaces', 'default_ipv4', 'all_ipv4_addresses'],
};

/** Every fact name runbook gathers (without the `ansible_` prefix), and the two setup adds. */
export const GATHERED_FACTS: ReadonlySet<string> = new Set([...Object.values(FACTS_BY_COLLECTOR).flat(), 'gather_subset', 'module_setup']);

/** Ansible's minimal subset: gathered even with `!all` (setup.py's minimal_gather_subset). */
const MINIMAL_SUBSET = ['apparmor', 'caps', 'cmdline', 'date_time', 'distribution', 'dns', 'env', 'fips', 'local', 'lsb', 'pkg_mgr', 'platform', 'python', 'selinux', 'service_mgr', 'ssh_pub_keys', 'user'];

/** Every gather_subset name Ansible accepts on Linux (besides all and min), whether runbook gathers its facts or not. */
export const GATHER_SUBSETS: readonly string[] = [
  ...MINIMAL_SUBSET,
  'chroot',
  'devices',
  'dmi',
  'facter',
  'fibre_channel_wwn',
  'hardware',
  'iscsi',
  'loadavg',
  'mounts',
  'network',
  'nvme',
  'ohai',
  'virtual',
].sort();

/** Subsets that select (or, negated, drop) facts of another collector: Ansible's aliases. */
const SUBSET_ALIASES: Readonly<Record<string, readonly string[]>> = { hardware: ['devices', 'dmi', 'mounts'] };

/**
 * The collectors a gather_subset selects, as Ansible's get_collector_names decides: the minimal
 * subset, plus additions, minus exclusions (`!name`), plus what is named explicitly.
 */
export function collectorsOf(gatherSubset: readonly string[]): Set<string> {
  const subsets = gatherSubset.length === 0 ? ['all'] : gatherSubset;
  const added = new Set<string>(MINIMAL_SUBSET);
  const excluded = new Set<string>();
  const explicit = new Set<string>();
  for (const subset of subsets) {
    if (subset === 'min') MINIMAL_SUBSET.forEach((name) => added.add(name));
    else if (subset === 'all') GATHER_SUBSETS.forEach((name) => added.add(name));
    else if (subset === '!min') MINIMAL_SUBSET.forEach((name) => excluded.add(name));
    else if (subset === '!all') GATHER_SUBSETS.filter((name) => !MINIMAL_SUBSET.includes(name)).forEach((name) => excluded.add(name));
    else if (subset.startsWith('!')) [subset.slice(1), ...(SUBSET_ALIASES[subset.slice(1)] ?? [])].forEach((name) => excluded.add(name));
    else {
      explicit.add(subset);
      added.add(subset);
    }
  }
  return new Set([...added].filter((name) => !excluded.has(name) || explicit.has(name)));
}

/** The facts the collectors gather, and setup's own two: `gather_subset` as given and `module_setup`. */
export function factsOfSubset(facts: Readonly<Record<string, unknown>>, gatherSubset: readonly string[]): Record<string, unknown> {
  const collectors = collectorsOf(gatherSubset);
  const names = new Set(Object.entries(FACTS_BY_COLLECTOR).flatMap(([collector, factNames]) => (collectors.has(collector) ? factNames : [])));
  return {
    ...Object.fromEntries(Object.entries(facts).filter(([name]) => names.has(name))),
    gather_subset: gatherSubset.length === 0 ? ['all'] : [...gatherSubset],
    module_setup: true,
  };
}

function platformFacts(probe: ProbeOutput): Record<string, unknown> {
  // `uname -srvm`: the kernel version between the release and the machine holds spaces.
  const words = probe.one('uname').split(' ');
  const nodename = probe.one('hostname');
  const machine = words.length > 1 ? words[words.length - 1]! : '';
  // Python's socket.getfqdn(): the first of the reverse lookup's names holding a dot, else its
  // canonical name; the host name itself when the lookups fail.
  const [, canonical, ...aliases] = probe.one('fqdn').split(/\s+/).filter(Boolean);
  const fqdn = canonical === undefined ? nodename : ([canonical, ...aliases].find((name) => name.includes('.')) ?? canonical);
  const machineId = probe.one('machine_id');
  return {
    system: words[0] ?? '',
    kernel: words[1] ?? '',
    kernel_version: words.slice(2, -1).join(' '),
    machine,
    architecture: machine,
    fqdn,
    hostname: nodename.split('.')[0],
    nodename,
    domain: fqdn.split('.').slice(1).join('.'),
    ...(machineId ? { machine_id: machineId } : {}),
  };
}

/** Ansible's OS_FAMILY_MAP, for the Linux distributions (distribution name -> os_family). */
const OS_FAMILY_MAP: Readonly<Record<string, readonly string[]>> = {
  RedHat: [
    'RedHat',
    'RHEL',
    'Fedora',
    'CentOS',
    'Scientific',
    'SLC',
    'Ascendos',
    'CloudLinux',
    'PSBM',
    'OracleLinux',
    'OVS',
    'OEL',
    'Amazon',
    'Virtuozzo',
    'XenServer',
    'Alibaba',
    'EulerOS',
    'openEuler',
    'AlmaLinux',
    'Rocky',
    'TencentOS',
    'EuroLinux',
    'Kylin Linux Advanced Server',
  ],
  Debian: ['Debian', 'Ubuntu', 'Raspbian', 'Neon', 'KDE neon', 'Linux Mint', 'SteamOS', 'Devuan', 'Kali', 'Cumulus Linux', 'Pop!_OS', 'Parrot', 'Pardus GNU/Linux', 'Uos', 'Deepin', 'OSMC'],
  Suse: ['SuSE', 'SLES', 'SLED', 'openSUSE', 'openSUSE Tumbleweed', 'SLES_SAP', 'SUSE_LINUX', 'openSUSE Leap'],
  Archlinux: ['Archlinux', 'Antergos', 'Manjaro'],
  Gentoo: ['Gentoo', 'Funtoo'],
  Alpine: ['Alpine'],
  ClearLinux: ['Clear Linux OS', 'Clear Linux Mix'],
};

const OS_FAMILY = new Map(Object.entries(OS_FAMILY_MAP).flatMap(([family, names]) => names.map((name) => [name, family] as const)));

/** The most precise version (most dots; the later one on a tie), as python-distro's version(best=True). */
function bestVersion(candidates: readonly string[]): string {
  let best = '';
  for (const candidate of candidates) if (best === '' || candidate.split('.').length > best.split('.').length) best = candidate;
  return best;
}

/** The version in a release file's line, e.g. "CentOS Linux release 7.9.2009 (Core)" -> 7.9.2009. */
function releaseFileVersion(line: string): string {
  return /\brelease\s+([\d.]+)/.exec(line)?.[1] ?? '';
}

/** An os-release variable, '' when the file does not set it (as a shell reads an unset one). */
function osRelease(probe: ProbeOutput, name: string): string {
  return probe.osRelease(name) ?? '';
}

function distributionFacts(probe: ProbeOutput): Record<string, unknown> {
  const id = osRelease(probe, 'ID');
  const redhatRelease = probe.one('redhat-release');
  const centosRelease = probe.one('centos-release');
  const debianVersion = probe.one('debian_version');
  // Ansible first guesses with python-distro (the os-release file, then the distribution's release file)...
  const capitalized = id === '' ? '' : id[0]!.toUpperCase() + id.slice(1).toLowerCase();
  let distribution = capitalized === 'Amzn' ? 'Amazon' : capitalized === 'Rhel' ? 'Redhat' : capitalized || 'OtherLinux';
  const releaseFile = centosRelease || redhatRelease;
  let version = osRelease(probe, 'VERSION_ID');
  if (id === 'centos') version = bestVersion([version, releaseFileVersion(releaseFile)]).split('.').slice(0, 2).join('.');
  if (id === 'debian') version = bestVersion([version, /^[\d.]+$/.test(debianVersion) ? debianVersion : '']);
  if (version === '') version = 'NA';
  const release = codenameOf(probe, releaseFile);
  const facts: Record<string, unknown> = {
    distribution_version: version,
    distribution_release: release,
    distribution_major_version: version.split('.')[0] || 'NA',
  };
  // ...then reads the distribution files in its order; the first it can parse decides.
  const fileFacts = (path: string, variety: string) => ({ distribution_file_path: path, distribution_file_variety: variety, distribution_file_parsed: true });
  const name = osRelease(probe, 'NAME');
  const prettyName = osRelease(probe, 'PRETTY_NAME');
  const osReleaseText = [name, prettyName, osRelease(probe, 'VERSION')].join('\n');
  if (centosRelease.includes('CentOS Stream')) {
    distribution = 'CentOS';
    Object.assign(facts, fileFacts('/etc/centos-release', 'CentOS'), { distribution_release: 'Stream' });
  } else if (redhatRelease !== '') {
    distribution = redhatRelease.includes('Red Hat') ? 'RedHat' : (redhatRelease.replace(/^['"\\]+|['"\\]+$/g, '').split(/\s+/)[0] ?? distribution);
    Object.assign(facts, fileFacts('/etc/redhat-release', 'RedHat'));
  } else if (/Debian|Raspbian/.test(osReleaseText)) {
    distribution = 'Debian';
    const codename = /PRETTY_NAME=[^(]+ \(?([^)]+?)\)/.exec(`PRETTY_NAME="${prettyName}"`)?.[1];
    Object.assign(facts, fileFacts('/etc/os-release', 'Debian'), codename === undefined ? {} : { distribution_release: codename });
    const minor = /(\d+)\.(\d+)/.exec(debianVersion)?.[2];
    if (minor !== undefined) facts.distribution_minor_version = minor;
  } else if (osReleaseText.includes('Ubuntu')) {
    distribution = 'Ubuntu';
    Object.assign(facts, fileFacts('/etc/os-release', 'Debian'));
  } else if (name !== '') {
    distribution = name;
    Object.assign(facts, fileFacts('/etc/os-release', 'NA'));
  }
  return { distribution, ...facts, os_family: OS_FAMILY.get(distribution) ?? distribution };
}

/** Ansible's get_distribution_codename(): VERSION_CODENAME (even empty), UBUNTU_CODENAME, else the name in VERSION's or the release file's parentheses; 'NA' when none. */
function codenameOf(probe: ProbeOutput, releaseFile: string): string {
  const codename = probe.osRelease('VERSION_CODENAME') ?? probe.osRelease('UBUNTU_CODENAME');
  if (codename !== undefined) return codename;
  const fromVersion = /(\(\D+\))|,(\s+)?\D+/.exec(osRelease(probe, 'VERSION'))?.[0];
  const inParentheses = fromVersion ?? /\((\D+)\)/.exec(releaseFile)?.[0] ?? '';
  return inParentheses.replace(/^[(,\s]+|[)\s]+$/g, '') || 'NA';
}

const LSB_KEYS: ReadonlyArray<[string, string]> = [
  ['DISTRIB_ID', 'id'],
  ['DISTRIB_RELEASE', 'release'],
  ['DISTRIB_DESCRIPTION', 'description'],
  ['DISTRIB_CODENAME', 'codename'],
];

/**
 * /etc/lsb-release's values (what Ubuntu's lsb_release prints too), else, where the lsb_release
 * program is installed, what Debian's (a shell script over os-release) prints; else nothing.
 */
function lsbFacts(probe: ProbeOutput): Record<string, string> {
  const lsb: Record<string, string> = {};
  for (const line of probe.all('lsb_file')) {
    const at = line.indexOf('=');
    if (at < 0) continue;
    const key = LSB_KEYS.find(([name]) => line.includes(name))?.[1];
    if (key !== undefined) lsb[key] = line.slice(at + 1).trim();
  }
  if (Object.keys(lsb).length === 0 && probe.has('lsb_release')) {
    const id = osRelease(probe, 'ID');
    const name = osRelease(probe, 'NAME');
    const capitalized = id === '' ? '' : id[0]!.toUpperCase() + id.slice(1);
    lsb.id = (name !== '' && id.toLowerCase() === name.toLowerCase() ? name : capitalized) || 'n/a';
    lsb.description = osRelease(probe, 'PRETTY_NAME') || 'n/a';
    lsb.release = osRelease(probe, 'VERSION_ID') || 'n/a';
    lsb.codename = osRelease(probe, 'VERSION_CODENAME') || 'n/a';
  }
  if (lsb.release !== undefined) lsb.major_release = lsb.release.split('.')[0]!;
  return Object.fromEntries(Object.entries(lsb).map(([key, value]) => [key, value.replace(/^['"\\]+|['"\\]+$/g, '')]));
}

/** The family's own manager first: on RHEL 8+ yum is a compatibility alias of dnf. */
function pkgMgrOf(probe: ProbeOutput): string {
  const found = probe.all('pm');
  const redhat = /\b(rhel|fedora|centos|rocky|almalinux)\b/.test(`${osRelease(probe, 'ID')} ${osRelease(probe, 'ID_LIKE')}`);
  const order: Array<[string, string]> = redhat ? [['dnf', 'dnf'], ['yum', 'yum'], ['apt-get', 'apt']] : [['apt-get', 'apt'], ['dnf', 'dnf'], ['yum', 'yum']];
  return order.find(([command]) => found.includes(command))?.[1] ?? 'unknown';
}

const PROC_1_MAP: Readonly<Record<string, string>> = { procd: 'openwrt_init', 'runit-init': 'runit', svscan: 'svc', 'openrc-init': 'openrc' };

/** Ansible's ServiceMgrFactCollector on Linux: PID 1's name, unless it is init or a shell; then what is installed. */
function serviceMgrOf(probe: ProbeOutput): string {
  const proc1 = probe.one('proc1');
  if (proc1 !== '' && proc1 !== 'init' && !proc1.endsWith('sh')) return PROC_1_MAP[proc1] ?? proc1;
  if (probe.one('init') === 'systemd') return 'systemd';
  if (probe.has('openrc')) return 'openrc';
  if (probe.has('initd')) return 'sysvinit';
  return 'service';
}

/** Ansible adds config_mode, type and policyvers where SELinux is enabled; runbook reads only the mode. */
function selinuxOf(enforce: string): Record<string, string> {
  if (enforce === '1') return { status: 'enabled', mode: 'enforcing' };
  if (enforce === '0') return { status: 'enabled', mode: 'permissive' };
  return { status: 'disabled' };
}

function userFacts(probe: ProbeOutput): Record<string, unknown> {
  const [realUid, effectiveUid] = probe.one('uids').split(' ').map(Number);
  const [realGid, effectiveGid] = probe.one('gids').split(' ').map(Number);
  const ids = probe.has('uids') ? { real_user_id: realUid, effective_user_id: effectiveUid, real_group_id: realGid, effective_group_id: effectiveGid } : {};
  const fields = probe.one('passwd').split(':');
  if (fields.length < 7) return ids;
  const [name, , uid, gid, gecos, dir, shell] = fields;
  return { user_id: name, user_uid: Number(uid), user_gid: Number(gid), user_gecos: gecos, user_dir: dir, user_shell: shell, ...ids };
}

/** `date '+%Y %m %d %H %M %S %N %s %A %w %W %Z %z'` (C locale) in Ansible's date_time form; tz_dst is not read. */
function dateTimeFacts(date: string): Record<string, unknown> {
  const [year, month, day, hour, minute, second, nanoseconds, epoch, weekday, weekdayNumber, weeknumber, tz, tzOffset] = date.split(' ');
  if (tzOffset === undefined || !/^\d+$/.test(epoch ?? '') || !/^\d{9}$/.test(nanoseconds ?? '')) return {};
  const micro = nanoseconds!.slice(0, 6);
  const utc = new Date(Number(epoch) * 1000).toISOString().slice(0, 19);
  return {
    date_time: {
      year,
      month,
      weekday,
      weekday_number: weekdayNumber,
      weeknumber,
      day,
      hour,
      minute,
      second,
      epoch,
      epoch_int: epoch,
      date: `${year}-${month}-${day}`,
      time: `${hour}:${minute}:${second}`,
      iso8601_micro: `${utc}.${micro}Z`,
      iso8601: `${utc}Z`,
      iso8601_basic: `${year}${month}${day}T${hour}${minute}${second}${micro}`,
      iso8601_basic_short: `${year}${month}${day}T${hour}${minute}${second}`,
      tz,
      tz_offset: tzOffset,
    },
  };
}

/** Lines of a /proc file as Ansible splits them: key before the first colon, value after it, both trimmed. */
function procEntries(lines: readonly string[]): Array<[string, string]> {
  return lines.map((line) => {
    const at = line.indexOf(':');
    return at < 0 ? [line.trim(), ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
  });
}

function memoryFacts(meminfo: readonly string[]): Record<string, unknown> {
  if (meminfo.length === 0) return {};
  const mb = new Map(procEntries(meminfo).map(([key, value]) => [key.toLowerCase(), Math.floor(Number(value.split(' ')[0]) / 1024)]));
  const get = (key: string) => mb.get(key);
  const difference = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? undefined : a - b);
  const [cached, free, buffers] = [get('cached'), get('memfree'), get('buffers')];
  const nocacheFree = cached === undefined || free === undefined || buffers === undefined ? undefined : cached + free + buffers;
  const facts: Record<string, unknown> = {};
  for (const key of ['memtotal', 'memfree', 'swaptotal', 'swapfree']) if (mb.has(key)) facts[`${key}_mb`] = get(key);
  // Ansible writes None (null) where /proc/meminfo lacks a line.
  const orNull = (value: number | undefined) => value ?? null;
  facts.memory_mb = {
    real: { total: orNull(get('memtotal')), used: orNull(difference(get('memtotal'), get('memfree'))), free: orNull(get('memfree')) },
    nocache: { free: orNull(nocacheFree), used: orNull(difference(get('memtotal'), nocacheFree)) },
    swap: { total: orNull(get('swaptotal')), free: orNull(get('swapfree')), used: orNull(difference(get('swaptotal'), get('swapfree'))), cached: orNull(get('swapcached')) },
  };
  return facts;
}

/** Ansible's LinuxHardware.get_cpu_facts over the lines of /proc/cpuinfo it reads (Xen paravirtualisation aside). */
function cpuFacts(cpuinfo: readonly string[], status: readonly string[], architecture: string): Record<string, unknown> {
  if (cpuinfo.length === 0) return {};
  const processor: string[] = [];
  let count = 0;
  let vendorIds = 0;
  let modelNames = 0;
  let processors = 0;
  // Ansible starts both at the integer 0, a key distinct from the string '0' read from the file.
  let physicalId: string | number = 0;
  let coreId: string | number = 0;
  const sockets = new Map<string | number, number>();
  const cores = new Map<string | number, number>();
  const facts: Record<string, unknown> = {};
  for (const [key, value] of procEntries(cpuinfo)) {
    if (['model name', 'Processor', 'vendor_id', 'cpu', 'Vendor', 'processor'].includes(key)) {
      processor.push(value);
      if (key === 'vendor_id') vendorIds++;
      if (key === 'model name') modelNames++;
      if (key === 'processor') processors++;
      count++;
    } else if (key === 'physical id') {
      physicalId = value;
      if (!sockets.has(physicalId)) sockets.set(physicalId, 1);
    } else if (key === 'core id') {
      coreId = value;
      // Ansible tests the core id against the sockets here (so a core id equal to a socket's is not counted).
      if (!sockets.has(coreId)) cores.set(coreId, 1);
    } else if (key === 'cpu cores') sockets.set(physicalId, Number.parseInt(value, 10));
    else if (key === 'siblings') cores.set(coreId, Number.parseInt(value, 10));
    else if (key === '# processors') facts.processor_cores = Number.parseInt(value, 10);
    else if (key === 'ncpus active') count = Number.parseInt(value, 10);
  }
  facts.processor = processor;
  if (vendorIds > 0 && vendorIds === modelNames) count = vendorIds;
  if (/^(armv|aarch|ppc)/.test(architecture)) count = processors;
  if (architecture === 's390x') return facts;
  const processorCount = sockets.size > 0 ? sockets.size : count;
  const firstSocket = [...sockets.values()][0];
  const processorCores = firstSocket ? firstSocket : 1;
  const firstCore = [...cores.values()][0];
  const threadsPerCore = firstCore !== undefined ? Math.floor(firstCore / processorCores) : Math.floor(1 / processorCores);
  const allowed = procEntries(status).find(([key]) => key === 'Cpus_allowed_list')?.[1];
  return {
    ...facts,
    processor_count: processorCount,
    processor_cores: processorCores,
    processor_threads_per_core: threadsPerCore,
    processor_vcpus: threadsPerCore * processorCount * processorCores,
    processor_nproc: allowed === undefined ? processors : cpuListSize(allowed),
  };
}

/** The number of CPUs in a kernel CPU list such as "0-3,8,10-11" (the process's affinity). */
function cpuListSize(list: string): number {
  return list.split(',').reduce((total, range) => {
    const [first, last] = range.split('-').map(Number);
    return total + (last === undefined ? 1 : last! - first! + 1);
  }, 0);
}

const INTERFACE_TYPES: Readonly<Record<string, string>> = { '1': 'ether', '32': 'infiniband', '512': 'ppp', '772': 'loopback', '65534': 'tunnel' };

interface Ipv4Address {
  device: string;
  label: string;
  address: string;
  prefix: string;
  broadcast: string;
  secondary: boolean;
}

/** A line of `ip -o -4 addr show`: "2: eth0    inet 10.0.0.5/24 brd 10.0.0.255 scope global eth0\ valid_lft ...". */
function ipv4Address(line: string): Ipv4Address | undefined {
  const words = (line.split('\\')[0] ?? '').trim().split(/\s+/);
  const inet = words.indexOf('inet');
  const cidr = words[inet + 1];
  if (inet < 0 || cidr === undefined) return undefined;
  const [address, prefix = '32'] = cidr.split('/');
  return {
    device: (words[1] ?? '').replace(/@.*$/, ''),
    label: words[words.length - 1] ?? '',
    address: address!,
    prefix,
    broadcast: words[inet + 2] === 'brd' ? (words[inet + 3] ?? '') : '',
    secondary: words.includes('secondary'),
  };
}

function dotted(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** Without the ip program Ansible gathers no network facts (the script then reads `hostname -I` for runbook's own use). */
function networkFacts(probe: ProbeOutput): Record<string, unknown> {
  if (probe.has('addresses')) return {};
  const addresses = probe.all('inet').flatMap((line) => ipv4Address(line) ?? []);
  const devices = probe.all('interface').map((line) => {
    const [name = '', kind = '-', mac = '-', mtu = '-', type = '-'] = line.split(' ');
    return { name, kind, mac: mac === '-' ? '' : mac, mtu: Number(mtu), type: kind !== '-' ? kind : (INTERFACE_TYPES[type] ?? 'unknown') };
  });
  const labels = addresses.filter(({ label, device }) => label !== device).map(({ label }) => label);
  return {
    interfaces: [...new Set([...devices.map(({ name }) => name), ...labels])].map((name) => name.replace(/:/g, '_')),
    default_ipv4: defaultIpv4(probe.all('route'), addresses, devices),
    all_ipv4_addresses: addresses.map(({ address }) => address).filter((address) => !address.startsWith('127.')),
  };
}

/**
 * Ansible asks `ip route get 8.8.8.8`; runbook reads the default route with the lowest metric from
 * /proc/net/route (no program), and the interface's primary address as the route's source.
 */
function defaultIpv4(routes: readonly string[], addresses: readonly Ipv4Address[], devices: ReadonlyArray<{ name: string; mac: string; mtu: number; type: string }>): Record<string, unknown> {
  const best = routes
    .map((line) => line.split(' '))
    .filter((words) => words.length >= 4)
    .sort((a, b) => Number(a[3]) - Number(b[3]))[0];
  if (best === undefined) return {};
  const [interfaceName = '', gatewayHex = '0', flags = '0'] = best;
  // /proc/net/route holds the gateway as the host's 32-bit integer, little-endian on every Linux Ansible targets.
  const gateway = Number.parseInt(gatewayHex, 16);
  const hasGateway = (Number.parseInt(flags, 16) & 0x2) !== 0 && gateway !== 0;
  const facts: Record<string, unknown> = { interface: interfaceName };
  if (hasGateway) facts.gateway = dotted(((gateway & 255) << 24) | (((gateway >>> 8) & 255) << 16) | (((gateway >>> 16) & 255) << 8) | (gateway >>> 24));
  const primary = addresses.find(({ device, secondary }) => device === interfaceName && !secondary);
  if (primary === undefined) return facts;
  const device = devices.find(({ name }) => name === interfaceName);
  const prefix = Number(primary.prefix);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const addressBits = primary.address.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  return {
    ...facts,
    address: primary.address,
    broadcast: primary.broadcast,
    netmask: dotted(mask),
    network: dotted((addressBits & mask) >>> 0),
    prefix: primary.prefix,
    macaddress: device?.mac ?? '',
    mtu: device?.mtu,
    type: device?.type ?? 'unknown',
    alias: primary.label,
  };
}

/** The facts every gathering so far made visible, merged in order (a later gather_subset wins, as Ansible caches facts). */
export function gatheredFacts(facts: Readonly<Record<string, unknown>>, subsets: readonly (readonly string[])[]): Record<string, unknown> {
  return Object.assign({}, ...subsets.map((subset) => factsOfSubset(facts, subset)));
}

/** Setup's two facts about the gathering itself: never prefixed. */
const GATHERING_FACTS = new Set(['gather_subset', 'module_setup']);

/**
 * Facts as Ansible's setup returns them (`ansible_hostname`, and gather_subset and module_setup as
 * they are): the form registered under `ansible_facts`, and the names Ansible injects as variables.
 */
export function moduleFacts(facts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(facts).map(([name, value]) => [GATHERING_FACTS.has(name) ? name : `ansible_${name}`, value]));
}

/** Setup's form back under ansible_facts' names (Ansible's namespace_facts: the first `ansible_` dropped). */
export function namespacedFacts(facts: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(facts).map(([name, value]) => [name.startsWith('ansible_') ? name.slice('ansible_'.length) : name, value]));
}

/**
 * Setup's `filter`: the facts (in setup's form) whose name matches one of the shell patterns
 * (fnmatch: *, ?, [seq], [!seq]), a pattern not starting with ansible_ also tried with it; no
 * pattern, or `*`, keeps every fact.
 */
export function filteredFacts(facts: Readonly<Record<string, unknown>>, patterns: readonly string[]): Record<string, unknown> {
  if (patterns.length === 0 || (patterns.length === 1 && patterns[0] === '*')) return { ...facts };
  const matchers = patterns.flatMap((pattern) => {
    if (pattern === '') return [/^/];
    return /^(ansible_|facter|ohai)/.test(pattern) ? [fnmatchRegExp(pattern)] : [fnmatchRegExp(pattern), fnmatchRegExp(`ansible_${pattern}`)];
  });
  return Object.fromEntries(Object.entries(facts).filter(([name]) => matchers.some((matcher) => matcher.test(name))));
}

