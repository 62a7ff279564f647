import { raw, sh, type Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';
import { ansibleFacts } from './ansible.js';
import { FACTS_END, FACTS_START, OS_RELEASE_KEY, readProbeOutput } from './probe-output.js';

/** Facts every module may rely on, gathered once per host with one command and no Python. */
export interface HostFacts {
  hostname: string;
  osFamily: 'debian' | 'redhat' | 'unknown';
  /** ID from /etc/os-release, e.g. debian, ubuntu, centos, rocky. */
  distribution: string;
  distributionVersion: string;
  packageManager: 'apt' | 'dnf' | 'yum' | 'unknown';
  initSystem: 'systemd' | 'other';
  /** Non-loopback IPv4 addresses. */
  addresses: string[];
  selinux: 'enforcing' | 'permissive' | 'disabled' | 'absent';
  firewalld: 'running' | 'stopped' | 'absent';
  user: string;
  uid: number;
  architecture: string;
  /** The same facts under Ansible's names and in Ansible's forms, without the `ansible_` prefix. */
  ansible: Record<string, unknown>;
}

// Constant text with no user data: the one place a whole script is written as raw shell.
// Every line prints key=value, except the /proc lines grep prints as path:line, between a start
// line and an end line printed last (output without it is truncated); the script always
// exits 0 (a failed test is a missing key). Every value is printed by rb_fact with printf (dash's
// echo expands backslashes: a `\c` in a value would join two lines), every line of a file as a
// value of its own (rb_lines), and the programs whose output is a value print one line, so nothing
// a host holds can break or add a line. /etc/os-release is read as text and parsed on the
// controller, never sourced: a shell would run what it holds. The host name is read from the
// kernel, not cut from uname's words, which a name holding a space would shift. The kernel's view
// (/sys/fs/selinux) decides SELinux, since getenforce is often not installed; systemd decides
// firewalld, since firewall-cmd is a slow Python start-up. It runs on every host at every run, so
// it starts few programs (uname, ip, grep, getent for the account, date) and reads everything else
// with shell builtins: each program costs the host ~1 ms. The fqdn is looked up in /etc/hosts only
// (the host name's address, then that address's first line, as Python's getfqdn() resolves them):
// a DNS query could cost seconds.
const SCRIPT = `
rb_fact() { printf '%s=%s\\n' "$1" "$2"; }
rb_lines() { while IFS= read -r rb_line || [ -n "$rb_line" ]; do rb_fact "$1" "$rb_line"; done; }
printf '%s\\n' ${FACTS_START}
for rb_file in /etc/os-release /usr/lib/os-release; do
  [ -r $rb_file ] && { rb_lines ${OS_RELEASE_KEY} <$rb_file; break; }
done
rb_node=; IFS= read -r rb_node </proc/sys/kernel/hostname
rb_fact hostname "$rb_node"
rb_uname=$(uname -srvm)
rb_fact uname "$rb_uname"
for rb_file in centos-release redhat-release debian_version; do
  rb_line=
  [ -s /etc/$rb_file ] && { read -r rb_line </etc/$rb_file; rb_fact $rb_file "$rb_line"; }
done
if [ -r /etc/lsb-release ]; then rb_lines lsb_file </etc/lsb-release
elif command -v lsb_release >/dev/null 2>&1; then rb_fact lsb_release 1; fi
for pm in apt-get dnf yum; do command -v $pm >/dev/null 2>&1 && rb_fact pm $pm; done
[ -d /run/systemd/system ] && rb_fact init systemd
rb_line=; read -r rb_line </proc/1/comm 2>/dev/null; rb_fact proc1 "$rb_line"
[ -e /sbin/openrc ] && rb_fact openrc 1
[ -d /etc/init.d ] && rb_fact initd 1
if command -v ip >/dev/null 2>&1; then
  ip -o -4 addr show 2>/dev/null | rb_lines inet
else
  rb_fact addresses "$(hostname -I 2>/dev/null)"
fi
while read -r rb_if rb_dest rb_gw rb_flags rb_refs rb_use rb_metric rb_mask rb_rest; do
  [ "$rb_dest" = 00000000 ] && [ "$rb_mask" = 00000000 ] && rb_fact route "$rb_if $rb_gw $rb_flags $rb_metric"
done </proc/net/route 2>/dev/null
for rb_dev in /sys/class/net/*; do
  [ -d "$rb_dev" ] || continue
  rb_mac= rb_mtu= rb_type= rb_state= rb_kind=-
  read -r rb_mac <"$rb_dev/address" 2>/dev/null
  read -r rb_mtu <"$rb_dev/mtu" 2>/dev/null
  read -r rb_type <"$rb_dev/type" 2>/dev/null
  read -r rb_state <"$rb_dev/operstate" 2>/dev/null
  [ -d "$rb_dev/bridge" ] && rb_kind=bridge
  [ -d "$rb_dev/bonding" ] && rb_kind=bonding
  rb_fact interface "\${rb_dev##*/} $rb_kind \${rb_mac:--} \${rb_mtu:--} \${rb_type:--} \${rb_state:--}"
done
if [ -r /sys/fs/selinux/enforce ]; then read -r rb_enforce </sys/fs/selinux/enforce; rb_fact selinux_enforce "$rb_enforce"; fi
if command -v getenforce >/dev/null 2>&1; then rb_fact selinux "$(getenforce 2>/dev/null)"; fi
if command -v firewall-cmd >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then rb_fw=$(systemctl is-active firewalld 2>/dev/null); else rb_fw=$(firewall-cmd --state 2>/dev/null); fi
  rb_fact firewalld "$rb_fw"
fi
rb_uid= rb_gid=
while read -r rb_key rb_real rb_effective rb_rest; do
  case $rb_key in Uid:) rb_uid=$rb_real; rb_fact uids "$rb_real $rb_effective" ;; Gid:) rb_gid=$rb_real; rb_fact gids "$rb_real $rb_effective"; break ;; esac
done </proc/self/status
rb_passwd=$(getent passwd "$rb_uid" 2>/dev/null)
rb_fact passwd "$rb_passwd"
rb_fact user "\${rb_passwd%%:*}"
rb_fact uid "$rb_uid"
rb_fact arch "\${rb_uname##* }"
rb_line=; read -r rb_line </var/lib/dbus/machine-id 2>/dev/null || read -r rb_line </etc/machine-id 2>/dev/null; rb_fact machine_id "$rb_line"
set -f
rb_address=
while read -r rb_a rb_names; do
  case $rb_a in ''|'#'*) continue ;; esac
  for rb_n in \${rb_names%%#*}; do [ "$rb_n" = "$rb_node" ] && { rb_address=$rb_a; break 2; }; done
done </etc/hosts 2>/dev/null
if [ -n "$rb_address" ]; then
  while read -r rb_a rb_names; do [ "$rb_a" = "$rb_address" ] && { rb_fact fqdn "$rb_a \${rb_names%%#*}"; break; }; done </etc/hosts
fi
set +f
rb_fact date "$(LC_ALL=C date '+%Y %m %d %H %M %S %N %s %A %w %W %Z %z' 2>/dev/null)"
grep -HE '^(MemTotal|MemFree|Buffers|Cached|SwapCached|SwapTotal|SwapFree|processor|vendor_id|model name|physical id|core id|cpu cores|siblings|cpu|Processor|Vendor|# processors|ncpus active|Cpus_allowed_list)[[:space:]]*:' /proc/meminfo /proc/cpuinfo /proc/self/status 2>/dev/null
printf '%s\\n' ${FACTS_END}
`;

export function hostFactsCommand(): Command {
  return sh`${raw(SCRIPT)}`;
}

/** The facts the script printed on `host`; throws UnreadableFacts, naming the host, for output that is truncated or not the script's. */
export function parseHostFacts(output: ExecResult, host: string): HostFacts {
  const probe = readProbeOutput(output.stdout, host);
  const one = (key: string): string => probe.one(key);
  const id = (probe.osRelease('ID') ?? '').toLowerCase();
  const osFamily = familyOf(id, (probe.osRelease('ID_LIKE') ?? '').toLowerCase());
  const ansible = ansibleFacts(probe);
  return {
    hostname: one('hostname'),
    osFamily,
    distribution: id,
    distributionVersion: probe.osRelease('VERSION_ID') ?? '',
    packageManager: PACKAGE_MANAGERS.find((manager) => manager === ansible.pkg_mgr) ?? 'unknown',
    initSystem: one('init') === 'systemd' ? 'systemd' : 'other',
    addresses: (ansible.all_ipv4_addresses as string[] | undefined) ?? one('addresses').split(/\s+/).filter((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address) && !address.startsWith('127.')),
    selinux: selinuxOf(one('selinux_enforce'), one('selinux').toLowerCase()),
    firewalld: !probe.has('firewalld') ? 'absent' : /^(active|running)$/.test(one('firewalld')) ? 'running' : 'stopped',
    user: one('user') || one('uid'),
    uid: Number(one('uid') || '-1'),
    architecture: one('arch'),
    ansible,
  };
}

function familyOf(id: string, idLike: string): HostFacts['osFamily'] {
  const names = `${id} ${idLike}`;
  if (/\b(debian|ubuntu)\b/.test(names)) return 'debian';
  if (/\b(rhel|fedora|centos|rocky|almalinux)\b/.test(names)) return 'redhat';
  return 'unknown';
}

const PACKAGE_MANAGERS = ['apt', 'dnf', 'yum'] as const;

/** /sys/fs/selinux/enforce exists only while SELinux is enabled; getenforce alone says "Disabled". */
function selinuxOf(enforce: string, getenforce: string): HostFacts['selinux'] {
  if (enforce === '1') return 'enforcing';
  if (enforce === '0') return 'permissive';
  if (getenforce === 'disabled') return 'disabled';
  if (getenforce === 'enforcing' || getenforce === 'permissive') return getenforce;
  return 'absent';
}
