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
const SCRIPT = String.raw`
. /etc/os-release 2>/dev/null
echo "hostname=$(hostname 2>/dev/null || cat /etc/hostname)"
echo "id=$ID"
echo "id_like=$ID_LIKE"
echo "version=$VERSION_ID"
for pm in apt-get dnf yum; do command -v $pm >/dev/null 2>&1 && echo "pm=$pm"; done
[ -d /run/systemd/system ] && echo init=systemd
echo "addresses=$( (ip -o -4 addr show 2>/dev/null || true) | awk '{print $4}' | cut -d/ -f1 | grep -v '^127\.' | tr '\n' ' ')"
if command -v getenforce >/dev/null 2>&1; then echo "selinux=$(getenforce)"; fi
if command -v firewall-cmd >/dev/null 2>&1; then
  if firewall-cmd --state >/dev/null 2>&1; then echo firewalld=running; else echo firewalld=stopped; fi
fi
echo "user=$(id -un)"
echo "uid=$(id -u)"
echo "arch=$(uname -m)"
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
  const like = `${id} ${one('id_like').toLowerCase()}`;
  const osFamily = /\b(debian|ubuntu)\b/.test(like)
    ? 'debian'
    : /\b(rhel|fedora|centos|rocky|almalinux)\b/.test(like)
      ? 'redhat'
      : 'unknown';
  const managers = values.get('pm') ?? [];
  const packageManager = managers.includes('apt-get')
    ? 'apt'
    : managers.includes('dnf')
      ? 'dnf'
      : managers.includes('yum')
        ? 'yum'
        : 'unknown';
  const selinuxMode = one('selinux').toLowerCase();
  const firewalld = one('firewalld');
  return {
    hostname: one('hostname'),
    osFamily,
    distribution: id,
    distributionVersion: one('version'),
    packageManager,
    initSystem: one('init') === 'systemd' ? 'systemd' : 'other',
    addresses: one('addresses').split(/\s+/).filter(Boolean),
    selinux:
      selinuxMode === 'enforcing' || selinuxMode === 'permissive' || selinuxMode === 'disabled' ? selinuxMode : 'absent',
    firewalld: firewalld === 'running' || firewalld === 'stopped' ? firewalld : 'absent',
    user: one('user'),
    uid: Number(one('uid') || '-1'),
    architecture: one('arch'),
  };
}
