import type { HostRecap } from '../engine/events.js';
import type { Style } from './style.js';

const COLUMNS = ['ok', 'changed', 'unreachable', 'failed', 'skipped', 'rescued', 'ignored'] as const;

/**
 * The per-host table printed at the end of a run, and one line saying what the run did overall. In a
 * classroom the hosts are grouped by pod, each pod with a line of its own.
 */
export function formatRecap(recap: Record<string, HostRecap>, style: Style, check: boolean, pods: Record<string, string> = {}): string {
  const hosts = Object.keys(recap);
  if (hosts.length === 0) return 'RECAP: no hosts matched';
  const width = Math.max(...hosts.map((host) => host.length), 4);
  const header = `${'HOST'.padEnd(width)}  ${COLUMNS.map((column) => column.padStart(11)).join(' ')}`;
  const row = (host: string): string => {
    const counts = recap[host]!;
    const worst = counts.unreachable ? 'unreachable' : counts.failed ? 'failed' : counts.changed ? 'changed' : 'ok';
    const cells = COLUMNS.map((column) => {
      const text = String(counts[column]).padStart(11);
      return counts[column] > 0 && column !== 'ok' && column !== 'ignored' && column !== 'skipped' && column !== 'rescued'
        ? style.status(column, text)
        : text;
    });
    return `${style.status(worst, host.padEnd(width))}  ${cells.join(' ')}`;
  };
  const rows = Object.keys(pods).length === 0 ? hosts.map(row) : podRows(hosts, pods, recap, row, style);
  const totals = hosts.reduce(
    (sum, host) => ({
      changed: sum.changed + recap[host]!.changed,
      failed: sum.failed + recap[host]!.failed,
      unreachable: sum.unreachable + recap[host]!.unreachable,
    }),
    { changed: 0, failed: 0, unreachable: 0 },
  );
  const verdict =
    totals.failed || totals.unreachable
      ? style.error(`${totals.failed} failed, ${totals.unreachable} unreachable`)
      : totals.changed === 0
        ? style.status('ok', check ? 'Nothing would change: every task is already in place.' : 'No changes: every task was already in place.')
        : style.status('changed', `${totals.changed} change${totals.changed === 1 ? '' : 's'}${check ? ' would be made (check mode: nothing was changed)' : ' made'}.`);
  return ['RECAP', header, ...rows, '', verdict].join('\n');
}

function podRows(
  hosts: readonly string[],
  pods: Record<string, string>,
  recap: Record<string, HostRecap>,
  row: (host: string) => string,
  style: Style,
): string[] {
  const byPod = new Map<string, string[]>();
  for (const host of hosts) {
    const pod = pods[host] ?? '(no pod)';
    byPod.set(pod, [...(byPod.get(pod) ?? []), host]);
  }
  return [...byPod].flatMap(([pod, members]) => {
    const failed = members.reduce((sum, host) => sum + recap[host]!.failed, 0);
    const unreachable = members.filter((host) => recap[host]!.unreachable > 0).length;
    const verdict =
      failed || unreachable
        ? style.error([failed ? `${failed} failed` : '', unreachable ? `${unreachable} unreachable` : ''].filter(Boolean).join(', '))
        : style.status('ok', 'ok');
    return [`${style.bold(pod)}: ${verdict}`, ...members.map((host) => `  ${row(host)}`)];
  });
}

/** What every reporter prints when the run ends: the recap, and whether the run was cut short. */
export function formatRunEnd(
  recap: Record<string, HostRecap>,
  interrupted: boolean,
  style: Style,
  check: boolean,
  pods: Record<string, string> = {},
): string[] {
  return [
    '',
    formatRecap(recap, style, check, pods),
    ...(interrupted ? [style.error('Interrupted: the run stopped before the end of the playbook.')] : []),
  ];
}
