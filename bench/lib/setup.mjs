// What the benchmark needs on this machine: the packages (ansible-core from Debian is part of the
// set-up), a fresh build of runbook, and a description of the machine for the results.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { run } from './proc.mjs';

const PACKAGES = ['ansible-core', 'ansible-mitogen', 'python3-apt', 'openssh-server', 'openssh-client', 'time'];
// Debian's Ansible collections, for the lab's Ansible version (playbooks/ansible-lab: ansible.posix,
// community.libvirt); ansible-core alone has none.
export const LAB_ANSIBLE_PACKAGES = ['ansible'];
// pyinfra 2.9's dependencies, for running it from a source folder (pywinrm: pyinfra loads every connector).
export const PYINFRA_SOURCE_PACKAGES = [
  'python3-gevent',
  'python3-paramiko',
  'python3-click',
  'python3-jinja2',
  'python3-dateutil',
  'python3-distro',
  'python3-setuptools',
  'python3-winrm',
];

async function missingPackages(names) {
  const result = await run('dpkg-query', ['-W', '-f', '${Package} ${Status}\n', ...names], { allowFailure: true });
  const installed = new Set(
    result.stdout
      .split('\n')
      .filter((line) => line.endsWith(' install ok installed'))
      .map((line) => line.split(' ')[0]),
  );
  return names.filter((name) => !installed.has(name));
}

export async function ensurePackages(log, extra = []) {
  const missing = await missingPackages([...PACKAGES, ...extra]);
  if (missing.length === 0) return;
  log(`installing ${missing.join(', ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Another apt-get may hold the lock for a while: wait for it rather than fail.
  const install = () =>
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', '-o', 'DPkg::Lock::Timeout=300', ...missing], { env, timeoutMs: 540_000, allowFailure: true });
  let result = await install();
  if (result.code !== 0) {
    await run('apt-get', ['update', '-q', '-o', 'DPkg::Lock::Timeout=300'], { env, timeoutMs: 300_000 });
    result = await install();
  }
  if (result.code !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${result.stderr.trim()}`);
}

export async function build(repo, log) {
  log('building runbook (npm run build)');
  const result = await run('npm', ['run', 'build'], { cwd: repo, timeoutMs: 300_000, allowFailure: true });
  if (result.code !== 0) throw new Error(`npm run build failed; fix the build or pass --no-build:\n${(result.stdout + result.stderr).trim().split('\n').slice(-30).join('\n')}`);
}

export async function describeMachine() {
  const version = async (command, args, pattern) => {
    const result = await run(command, args, { allowFailure: true }).catch(() => undefined);
    const text = `${result?.stdout ?? ''}${result?.stderr ?? ''}`;
    return pattern.exec(text)?.[1] ?? 'unknown';
  };
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  return {
    cpus: Number((await run('nproc', [])).stdout.trim()),
    model: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1]?.trim() ?? cpus()[0]?.model ?? 'unknown',
    kernel: (await run('uname', ['-r'])).stdout.trim(),
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown',
    node: process.version,
    ansible: await version('ansible-playbook', ['--version'], /\[core ([^\]]+)\]/),
    openssh: await version('ssh', ['-V'], /(OpenSSH_[^,\s]+)/),
    memoryGb: Math.round((Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1]) / 1024 / 1024) * 10) / 10,
  };
}
