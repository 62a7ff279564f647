import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { renderGradeHtml } from '../../../../src/report/grade/html.js';
import { HOSTILE_DETAIL, HOSTILE_POD, labReport } from '../../../fixtures/grade/reports.js';

beforeAll(() => {
  vi.stubEnv('TZ', 'UTC');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const unescape = (text: string) =>
  text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&amp;', '&');

/** The matrix as the page declares it: per pod row, its data-pod and its cells' data-step/data-state. */
function matrixOf(html: string): Array<{ pod: string; cells: Array<[string, string]> }> {
  const body = /<table id="matrix">[\s\S]*?<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1]!;
  return [...body.matchAll(/<tr data-pod="([^"]*)">([\s\S]*?)<\/tr>/g)].map(([, pod, row]) => ({
    pod: unescape(pod!),
    cells: [...row!.matchAll(/<td data-step="(\d+)" data-state="([a-z]+)"/g)].map(([, step, state]) => [step!, state!] as [string, string]),
  }));
}

test('one row per pod and one cell per step, whose data-state is the cell state', () => {
  const report = labReport();
  const html = renderGradeHtml(report);
  expect(matrixOf(html)).toEqual(
    report.pods.map((pod) => ({ pod: pod.pod, cells: pod.cells.map((cell, index) => [String(index + 1), cell.state]) })),
  );
  // Every data-state outside the matrix belongs to the key, the groups and the changes, not to a td.
  expect(html.match(/<td data-step=/g)).toHaveLength(6 * 12);
  expect(new Set(matrixOf(html).flatMap((row) => row.cells.map(([, state]) => state)))).toEqual(new Set(['done', 'todo', 'failed', 'unreachable', 'na']));
});

test('hostile pod names and details are text: no markup of theirs, no script but the page own two', () => {
  const html = renderGradeHtml(labReport());
  expect(html.match(/<script/g)).toHaveLength(2);
  expect(html).not.toContain('<script>alert');
  expect(html).not.toContain('<b>more</b>');
  expect(html).toContain('<tr data-pod="o&#39;brien &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;, &amp; co">');
  expect(html).toContain('<th scope="row" title="o&#39;brien &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;, &amp; co">o&#39;brien');
  // The title of the hostile cell holds the detail, line break included, escaped.
  expect(html).toContain(`title="${HOSTILE_POD.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll("'", '&#39;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')} · step 4. NFS server started and enabled\nfailed\nJob failed: &quot;&lt;script&gt;`);
});

test('the detail panel data is JSON that cannot end its script element, and reads back whole', () => {
  const html = renderGradeHtml(labReport());
  const json = /<script type="application\/json" id="grade-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  expect(json).not.toMatch(/[<>&]/);
  const data = JSON.parse(json) as { pods: Array<{ pod: string; cells: Array<{ detail: string; reachedAt?: string; checks: unknown[] }> }> };
  expect(data.pods.map((pod) => pod.pod)).toContain(HOSTILE_POD);
  expect(data.pods[5]!.cells[3]!.detail).toBe(HOSTILE_DETAIL);
  expect(data.pods[5]!.cells[3]!.checks).toHaveLength(1);
  expect(data.pods[0]!.cells[0]!.reachedAt).toBe('13:05');
});

test('a self-contained page: it loads nothing, and its policy forbids loading anything', () => {
  const html = renderGradeHtml(labReport());
  expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`);
  expect(html).not.toMatch(/\b(?:src|href)=|url\(|@import|https?:\/\//);
});

test('heading, per-step pass rates, groups, changes and reached-at times', () => {
  const html = renderGradeHtml(labReport());
  expect(html).toContain('<title>Grade: playbooks/lab.yml, 2025-03-14 14:32</title>');
  expect(html).toContain('<time datetime="2025-03-14T14:32:05.000Z">2025-03-14 14:32</time>');
  expect(html).toContain('<strong>1 of 6 pods complete, 2 passed (pass mark 80%)</strong>');
  expect(html).toContain('<tfoot><tr><th scope="row">% done</th><td class="rate" style="--rate: 100%">100%</td>');
  expect(html).toContain('<td class="rate">–</td>');
  expect(html).toContain('<td class="rate worst" style="--rate: 17%">17%</td>');
  const groups = /<ul id="groups">([\s\S]*?)<\/ul>/.exec(html)![1]!.match(/<li /g);
  expect(groups).toHaveLength(10);
  expect(html).toContain('<strong>1 pod</strong> <span class="pods">(pod05)</span>: steps 6–12: <code>ssh: connect to kvm1 port 22: Connection refused</code>');
  expect(html).toContain('<strong>pod04</strong>: step 3 “rpcbind started and enabled” no longer done (now failed)</li>');
  expect(html).toContain('<td data-step="1" data-state="done" tabindex="0" title="pod01 · step 1. NFS server packages on the server, NFS client, libvirt and qemu on the KVM hosts\ndone (reached at 13:05)\nall packages installed"><span class="glyph">✓</span><small>13:05</small></td>');
  expect(html).toContain('<td data-step="11" data-state="done" class="changed" tabindex="0" title="pod03 · step 11. Guest defined and running, disk cache none\ndone (reached at 13:47), was todo last round');
  expect(html).toContain('<td data-step="6" data-state="failed" class="changed stuck"');
  expect(html).toContain('<span class="stuck-step" title="stuck at 6. The export mounted at the same path, and in fstab">6 The export mounted at the same path, and in fstab</span> <span class="since">since 13:50</span>');
});
