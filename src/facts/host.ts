import { raw, sh, type Command } from '../shell/command.js';
import type { ExecResult } from '../transport/types.js';

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
}

// Constant text with no user data: the one place a whole script is written as raw shell.
// Every line prints key=value; the script always exits 0 (a failed test is a missing key).
// Addresses keep their /prefix here, dropped when parsed. The kernel's view (/sys/fs/selinux)
// decides SELinux, since getenforce is often not installed; systemd decides firewalld, since
// firewall-cmd is a slow Python start-up. It runs on every host at every run, so it starts three
// programs (uname, ip, id) and does the rest with shell builtins: each program costs the host ~1 ms.
const SCRIPT = `
if [ -r /etc/os-release ]; then . /etc/os-release; elif [ -r /usr/lib/os-release ]; then . /usr/lib/os-release; fi
rb_uname=$(uname -nm)
echo "hostname=\${rb_uname% *}"
echo "id=$ID"
echo "id_like=$ID_LIKE"
echo "version=$VERSION_ID"
for pm in apt-get dnf yum; do command -v $pm >/dev/null 2>&1 && echo "pm=$pm"; done
[ -d /run/systemd/system ] && echo init=systemd
set -f
rb_addresses= rb_next=
for rb_word in $(ip -o -4 addr show 2>/dev/null); do
  [ -n "$rb_next" ] && rb_addresses="$rb_addresses $rb_word"
  if [ "$rb_word" = inet ]; then rb_next=1; else rb_next=; fi
done
[ -n "$rb_addresses" ] || rb_addresses=$(hostname -I 2>/dev/null)
set +f
echo "addresses=\${rb_addresses# }"
if [ -r /sys/fs/selinux/enforce ]; then read -r rb_enforce </sys/fs/selinux/enforce; echo "selinux_enforce=$rb_enforce"; fi
if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce 2>/dev/null)"; fi
if command -v firewall-cmd >/dev/null 2>&1; then
  if [ -d /run/systemd/system ]; then rb_fw=$(systemctl is-active firewalld 2>/dev/null); else rb_fw=$(firewall-cmd --state 2>/dev/null); fi
  echo "firewalld=$rb_fw"
fi
rb_id=$(LC_ALL=C id 2>/dev/null)
rb_id=\${rb_id%% *}
rb_uid=\${rb_id#uid=}
rb_uid=\${rb_uid%%\\(*}
case "$rb_id" in *'('*) rb_user=\${rb_id#*\\(}; echo "user=\${rb_user%\\)}" ;; *) echo "user=$rb_uid" ;; esac
echo "uid=$rb_uid"
echo "arch=\${rb_uname##* }"
`;

export function hostFactsCommand(): Command {
  return sh`${raw(SCRIPT)}`;
}

export function parseHostFacts(output: ExecResult): HostFacts {
  const values = new Map<string, string[]>();
  for (const line of output.stdout.split('\n')) {
    const at = line.indexOf('=');
    if (at <= 0) continue;
    const key = line.slice(0, at);
    values.set(key, [...(values.get(key) ?? []), line.slice(at + 1).trim()]);
  }
  const one = (key: string): string => values.get(key)?.[0] ?? '';
  const id = one('id').toLowerCase();
  const osFamily = familyOf(id, one('id_like').toLowerCase());
  return {
    hostname: one('hostname'),
    osFamily,
    distribution: id,
    distributionVersion: one('version'),
    packageManager: packageManagerOf(osFamily, values.get('pm') ?? []),
    initSystem: one('init') === 'systemd' ? 'systemd' : 'other',
    addresses: one('addresses')
      .split(/\s+/)
      .map((address) => address.replace(/\/\d+$/, ''))
      .filter((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address) && !address.startsWith('127.')),
    selinux: selinuxOf(one('selinux_enforce'), one('selinux').toLowerCase()),
    firewalld: !values.has('firewalld') ? 'absent' : /^(active|running)$/.test(one('firewalld')) ? 'running' : 'stopped',
    user: one('user'),
    uid: Number(one('uid') || '-1'),
    architecture: one('arch'),
  };
}

function familyOf(id: string, idLike: string): HostFacts['osFamily'] {
  const names = `${id} ${idLike}`;
  if (/\b(debian|ubuntu)\b/.test(names)) return 'debian';
  if (/\b(rhel|fedora|centos|rocky|almalinux)\b/.test(names)) return 'redhat';
  return 'unknown';
}

/** The family's own manager first: on RHEL 8+ yum is a compatibility alias of dnf. */
function packageManagerOf(family: HostFacts['osFamily'], found: readonly string[]): HostFacts['packageManager'] {
  const preference: Array<[string, HostFacts['packageManager']]> =
    family === 'redhat'
      ? [['dnf', 'dnf'], ['yum', 'yum'], ['apt-get', 'apt']]
      : [['apt-get', 'apt'], ['dnf', 'dnf'], ['yum', 'yum']];
  return preference.find(([command]) => found.includes(command))?.[1] ?? 'unknown';
}

/** /sys/fs/selinux/enforce exists only while SELinux is enabled; getenforce alone says "Disabled". */
function selinuxOf(enforce: string, getenforce: string): HostFacts['selinux'] {
  if (enforce === '1') return 'enforcing';
  if (enforce === '0') return 'permissive';
  if (getenforce === 'disabled') return 'disabled';
  if (getenforce === 'enforcing' || getenforce === 'permissive') return getenforce;
  return 'absent';
}
