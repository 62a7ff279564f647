import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

// The README's benchmark command on a machine that never ran sshd: no /run/sshd, which only the ssh
// service creates and without which sshd refuses to start. The bench runs in its own mount namespace
// whose /run is empty but for /run/lock (every systemd machine has it; the bench's lock lives there
// and stays shared with the host's), so nothing else on this machine loses its /run/sshd.

const REPO = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'runbook-bench-fresh-'));
// The bench's hosts log in as an unprivileged user whose home lies under the work directory.
chmodSync(work, 0o755);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const FRESH_RUN = [
  'set -e',
  'mkdir "$1/lock"',
  'mount --bind /run/lock "$1/lock"',
  'mount -t tmpfs -o mode=755 tmpfs /run',
  'mkdir /run/lock',
  'mount --move "$1/lock" /run/lock',
  'if [ -e /run/sshd ]; then echo "/run/sshd exists before the bench" >&2; exit 90; fi',
  'node bench/run.mjs --hosts 1 --workloads noop --reps 1 --no-ansible --no-mitogen --no-pyinfra --no-build --workdir "$1/bench" --results-dir "$1/results"',
  'test -d /run/sshd',
].join('\n');

describe('the benchmark on a fresh machine', () => {
  it('sets up its own sshd hosts without /run/sshd, and measures', async () => {
    const run: { code?: number; stdout?: string; stderr?: string } = await promisify(execFile)('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', FRESH_RUN, 'fresh-run', work], {
      cwd: REPO,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 240_000,
    }).catch((error: { code?: number; stdout?: string; stderr?: string }) => error);
    expect(run.code ?? 0, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(work, 'results', 'latest.md'))).toBe(true);
    const latest = JSON.parse(readFileSync(join(work, 'results', 'latest.json'), 'utf8')) as {
      fleet: { notes: string[]; workloads: { noop: { rows: Array<{ hosts: number; runbook?: { median: number; count: number } }> } } };
    };
    expect(latest.fleet.notes.filter((note) => note.includes('stopped'))).toEqual([]);
    const [row] = latest.fleet.workloads.noop.rows;
    expect(row?.hosts).toBe(1);
    expect(row?.runbook?.count).toBe(1);
    expect(row?.runbook?.median).toBeGreaterThan(0);
  });
});
