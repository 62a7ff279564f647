import { raw, sh, type Command } from '../shell/command.js';
import type { ExecOptions, ExecResult } from '../transport/types.js';

/**
 * The per-host run lock, held on the target for as long as the run's connection to it lives: one
 * exec channel runs `flock` on a lock file, says when it holds the lock, then blocks reading its
 * stdin. When runbook ends the channel, exits, is killed or loses the connection, the channel's
 * process ends and the kernel releases the lock: no stale lock can block anyone.
 *
 * Every run on a host picks the same file, whoever it connects as: /run/lock/runbook.lock when it
 * exists or /run/lock is world-writable (Debian, Ubuntu: 1777), else /tmp/runbook.lock (RHEL, where
 * /run/lock is 0755 root and a non-root user could not create it). A file created by a run is mode
 * 0666 so that every user's run may record itself in it; one that cannot be opened for writing is
 * opened read-only, which is enough for flock.
 */
export const LOCK_FILE = '/run/lock/runbook.lock';
export const LOCK_FALLBACK_FILE = '/tmp/runbook.lock';

/** Who a run is, as it records itself in the lock file while it holds the lock. */
export interface LockOwner {
  /** user@controller. */
  who: string;
  /** runbook's process id on the controller. */
  pid: number;
  /** The playbook, as given on the command line. */
  playbook: string;
  /** A random token of this run: a host reached twice in one run (two names, one machine) shares its lock. */
  token: string;
}

/** A run holding the lock, as it recorded itself. */
export interface LockHolder extends LockOwner {
  /** When it took the lock, in seconds since the epoch, by the target's clock. */
  since: number;
}

/** One line of the lock channel. */
export type LockReport =
  | { kind: 'held'; path: string }
  /** Another run holds it. `now` is the target's clock; `holder` is undefined when the holder recorded nothing (or a stale record). */
  | { kind: 'busy'; path: string; now: number; holder: LockHolder | undefined }
  /** No lock can be taken on this host (no flock, no usable lock file): the run goes on without it. */
  | { kind: 'unusable'; reason: string };

const PREFIX = 'runbook-lock ';

/** Tabs separate the record's fields, newlines end it: neither (nor any control character) may be in a value. */
function field(value: string | number): string {
  // eslint-disable-next-line no-control-regex
  return String(value).replace(/[\u0000-\u001f\u007f]/g, '?');
}

/**
 * The lock channel's script. It prints one `runbook-lock …` line per state: `held PATH`, `busy PATH\tNOW\tALIVE\tRECORD`
 * (repeated every second while it waits: the record may change, and a waiter whose run has gone dies on the next line
 * it cannot write), or `unusable REASON`. Once it holds the lock it writes its record (target pid, since, token, who,
 * pid, playbook) at the start of the lock file, then runs `cat` on its stdin, which holds the lock until the channel ends.
 */
export function lockCommand(owner: LockOwner): Command {
  const record = [owner.token, owner.who, owner.pid, owner.playbook].map(field).join('\t');
  return sh`rb_lock=${LOCK_FILE}
rb_record=${record}
${raw(`if [ ! -e "$rb_lock" ]; then
  case $(stat -L -c %a "\${rb_lock%/*}" 2>/dev/null) in
    *[2367]) ;;
    *) rb_lock=`)}${LOCK_FALLBACK_FILE}${raw(` ;;
  esac
fi
if ! command -v flock >/dev/null 2>&1; then echo "${PREFIX}unusable flock (util-linux) is not installed"; exit 0; fi
rb_opened=
rb_hold() {
  rb_opened=1
  flock -n 9; rb_rc=$?
  while [ "$rb_rc" -eq 1 ]; do
    rb_seen=$(head -c 1024 -- "$rb_lock" 2>/dev/null | head -n 1)
    rb_pid=\${rb_seen%%\t*}
    rb_alive=0
    case $rb_pid in ''|*[!0-9]*) ;; *) [ -d "/proc/$rb_pid" ] && rb_alive=1 ;; esac
    printf '${PREFIX}busy %s\\t%s\\t%s\\t%s\\n' "$rb_lock" "$(date +%s)" "$rb_alive" "$rb_seen" || exit 0
    flock -w 1 9; rb_rc=$?
  done
  if [ "$rb_rc" -ne 0 ]; then echo "${PREFIX}unusable flock failed on $rb_lock (exit status $rb_rc)"; return 0; fi
  rb_since=$(date +%s)
  printf '%s\\t%s\\t%s\\n' "$$" "$rb_since" "$rb_record" >&9 2>/dev/null
  printf '${PREFIX}held %s\\n' "$rb_lock" || exit 0
  exec cat >/dev/null
}
umask 000
{ rb_hold; } 9<>"$rb_lock" || [ -n "$rb_opened" ] || { rb_hold; } 9<"$rb_lock" || [ -n "$rb_opened" ] ||
  echo "${PREFIX}unusable cannot open $rb_lock"
`)}`;
}

/** A line of the lock channel; undefined for any other output. */
export function parseLockLine(line: string): LockReport | undefined {
  if (!line.startsWith(PREFIX)) return undefined;
  const rest = line.slice(PREFIX.length);
  const space = rest.indexOf(' ');
  const kind = space < 0 ? rest : rest.slice(0, space);
  const text = space < 0 ? '' : rest.slice(space + 1);
  if (kind === 'held') return { kind: 'held', path: text };
  if (kind === 'unusable') return { kind: 'unusable', reason: text };
  if (kind !== 'busy') return undefined;
  const [path = '', now = '', alive = '', ...record] = text.split('\t');
  return { kind: 'busy', path, now: Number(now), holder: alive === '1' ? parseRecord(record) : undefined };
}

/** The record's fields after the target pid: since, token, who, pid, playbook. */
function parseRecord(fields: string[]): LockHolder | undefined {
  const [, since, token, who, pid, ...playbook] = fields;
  if (since === undefined || token === undefined || who === undefined || pid === undefined || playbook.length === 0) return undefined;
  if (!/^\d+$/.test(since) || !/^\d+$/.test(pid)) return undefined;
  return { since: Number(since), token, who: field(who), pid: Number(pid), playbook: field(playbook.join('\t')) };
}

/**
 * "the run of root@ctl pid 1234, playbook lab.yml, since 18:02": `now` is the target's clock in the
 * busy line, so a target whose clock is off still shows the right local time (now minus the elapsed time).
 */
export function describeHolder(holder: LockHolder | undefined, targetNow: number, localNowMs: number = Date.now()): string {
  if (!holder) return 'another run (it did not record who it is)';
  const elapsedMs = Math.max(0, (targetNow - holder.since) * 1000);
  const started = new Date(localNowMs - elapsedMs);
  const clock = `${String(started.getHours()).padStart(2, '0')}:${String(started.getMinutes()).padStart(2, '0')}`;
  return `the run of ${holder.who} pid ${holder.pid}, playbook ${holder.playbook}, since ${clock}`;
}

type LockState = 'taking' | 'held' | 'unavailable' | 'shared' | 'stopped' | 'lost';

/**
 * The lock channel of one host: started alongside the host's first probe. Its state is `held` once
 * the target said so, `lost` if the channel ended while runbook still relied on it (the connection
 * dropped: the target released the lock), `stopped` when runbook gave it up.
 */
export class TargetLock {
  state: LockState = 'taking';
  /** The latest report of the channel. */
  latest: LockReport | undefined;
  private readonly stopper = new AbortController();
  private readonly listeners = new Set<(report: LockReport | 'ended') => void>();
  private buffer = '';
  private endedFlag = false;

  constructor(exec: (command: Command, options: ExecOptions) => Promise<ExecResult>, command: Command) {
    const run = exec(command, {
      keepStdinOpen: true,
      timeoutMs: Number.POSITIVE_INFINITY,
      signal: this.stopper.signal,
      onStdout: (chunk) => this.onOutput(chunk),
    });
    run.then(
      (result) => {
        // Lines the transport did not stream (a transport without onStdout).
        if (this.buffer === '' && this.latest === undefined) this.onOutput(result.stdout);
        this.onEnd();
      },
      () => this.onEnd(),
    );
  }

  /** Calls `listener` with every report from now on, and 'ended' when the channel ends; returns the unsubscriber. */
  watch(listener: (report: LockReport | 'ended') => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get ended(): boolean {
    return this.endedFlag;
  }

  /** Gives the lock up (or stops waiting for it): the target's processes are stopped. */
  stop(state: 'stopped' | 'shared' = 'stopped'): void {
    this.state = state;
    this.stopper.abort();
  }

  private onOutput(chunk: string): void {
    this.buffer += chunk;
    for (let newline = this.buffer.indexOf('\n'); newline >= 0; newline = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      const report = parseLockLine(line);
      if (!report) continue;
      this.latest = report;
      if (this.state === 'taking' && report.kind === 'held') this.state = 'held';
      if (this.state === 'taking' && report.kind === 'unusable') this.state = 'unavailable';
      for (const listener of [...this.listeners]) listener(report);
    }
  }

  private onEnd(): void {
    this.endedFlag = true;
    if (this.state === 'held' || this.state === 'taking') this.state = 'lost';
    for (const listener of [...this.listeners]) listener('ended');
  }
}
