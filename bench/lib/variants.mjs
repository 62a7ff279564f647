// The commands being compared, each run as a whole process and checked after every run: a timed run
// that changed other than expected, failed, or missed a host is an error, not a figure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timed } from './measure.mjs';
import { ANSIBLE_PLAYBOOK, RUNBOOK_PLAYBOOK, WORKLOAD_DIR } from './workload.mjs';

export const REPO = new URL('../../', import.meta.url).pathname;
export const RUNBOOK_BIN = join(REPO, 'bin', 'runbook.js');

const MINUTE = 60_000;

/** `runbook apply` with every host in parallel; returns the timing, the JSON report and the recap. */
export async function runbookApply({ playbook = RUNBOOK_PLAYBOOK, inventory, hosts, logDir, label, timeoutMs = 5 * MINUTE, limit }) {
  const log = join(logDir, `${label}.log`);
  const report = join(logDir, `${label}.json`);
  const args = [RUNBOOK_BIN, 'apply', playbook, '-i', inventory, '--forks', String(Math.max(hosts, 1)), '--json', report, ...(limit ? ['--limit', limit] : [])];
  const result = await timed(process.execPath, args, {
    env: { ...process.env, NO_COLOR: '1' },
    cwd: REPO,
    timeoutMs,
    log,
    sampleFds: true,
  });
  let json;
  try {
    json = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    throw new Error(`runbook ${label}: exit ${result.code}, no JSON report (log: ${log})`);
  }
  const recap = Object.values(json.recap ?? {});
  return {
    ...result,
    json,
    hosts: recap.length,
    changed: recap.reduce((sum, host) => sum + host.changed, 0),
    failed: recap.reduce((sum, host) => sum + host.failed + host.unreachable, 0),
  };
}

/** ansible-playbook with the given configuration (and the workload's app_dir, if any); the recap is read from its output. */
export async function ansibleApply({ playbook = ANSIBLE_PLAYBOOK, config, inventory, logDir, label, timeoutMs = 20 * MINUTE, appDir }) {
  const log = join(logDir, `${label}.log`);
  const result = await timed('ansible-playbook', ['-i', inventory, ...(appDir ? ['-e', `app_dir=${appDir}`] : []), playbook], {
    env: { ...process.env, ANSIBLE_CONFIG: config.path, ANSIBLE_NOCOLOR: '1', ANSIBLE_FORCE_COLOR: '0' },
    cwd: join(config.path, '..'),
    timeoutMs,
    log,
  });
  const recap = [...readFileSync(log, 'utf8').matchAll(/^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  return {
    ...result,
    hosts: recap.length,
    changed: recap.reduce((sum, match) => sum + Number(match[3]), 0),
    failed: recap.reduce((sum, match) => sum + Number(match[4]) + Number(match[5]), 0),
  };
}

/**
 * A pyinfra deploy, run from its directory (the workload's, where its template is) with every host at
 * once; the recap is the "[host] Changed: N   No change: N   Errors: N" lines it ends with.
 */
export async function pyinfraApply({ pyinfra, deploy, inventory, hosts, logDir, label, timeoutMs = 20 * MINUTE, cwd = WORKLOAD_DIR }) {
  const log = join(logDir, `${label}.log`);
  const result = await timed(pyinfra.command, [...pyinfra.args, '--parallel', String(Math.max(hosts, 1)), inventory, deploy], {
    env: { ...process.env, ...pyinfra.env },
    cwd,
    timeoutMs,
    log,
  });
  const text = readFileSync(log, 'utf8');
  const recap = [...text.matchAll(/^\s*\[(\S+)\]\s+Changed: (\d+).*?No change: (\d+)\s+Errors: (\d+)/gm)];
  const unconnected = [...text.matchAll(/^\s*\[(\S+)\]\s+No connection/gm)];
  return {
    ...result,
    hosts: recap.length,
    changed: recap.reduce((sum, match) => sum + Number(match[2]), 0),
    failed: recap.reduce((sum, match) => sum + Number(match[4]), 0) + unconnected.length,
  };
}

/** The raw ssh2 floor (bench/floor.mjs). */
export async function floor({ spec, mode, hosts, logDir, label, timeoutMs = 5 * MINUTE }) {
  const log = join(logDir, `${label}.log`);
  const result = await timed(process.execPath, [join(REPO, 'bench', 'floor.mjs'), spec, mode], { cwd: REPO, timeoutMs, log });
  return { ...result, hosts: result.code === 0 ? hosts : 0, changed: 0, failed: result.code === 0 ? 0 : hosts };
}

/** Throws unless the run reached every host, nothing failed and it changed `changed` (all hosts together). */
export function verify(name, result, { hosts, changed }) {
  const problems = [];
  if (result.code !== 0) problems.push(`exit ${result.code ?? result.signal}`);
  if (result.hosts !== hosts) problems.push(`${result.hosts} of ${hosts} hosts in the recap`);
  if (result.failed > 0) problems.push(`${result.failed} failed or unreachable`);
  if (changed !== undefined && result.changed !== changed) problems.push(`${result.changed} changed where ${changed} should`);
  if (problems.length > 0) throw new Error(`${name}: ${problems.join(', ')} (log: ${result.log})`);
  return result;
}
