import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { renderGradeChanges, renderGradeMatrix } from '../../../../src/report/grade/terminal.js';
import { colorWanted, createStyle } from '../../../../src/report/style.js';
import { classReport, labReport } from '../../../fixtures/grade/reports.js';

// Times print in local time (HH:MM); the fixtures are in UTC.
beforeAll(() => {
  vi.stubEnv('TZ', 'UTC');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const plain = createStyle(false);
const columns = (line: string) => [...line].length;
const ESCAPE = '\u001b';

describe('the matrix of the lab report, without colour', () => {
  const lines = () => renderGradeMatrix(labReport(), plain).split('\n');

  test('a heading, then one row per pod: a glyph per step, score, pass or fail, where the pod is stuck', () => {
    expect(lines().slice(0, 9)).toEqual([
      'GRADE playbooks/lab.yml -i classroom.yml at 14:32 (41.2 s)',
      '',
      'pod                1   2   3   4   5   6   7   8   9  10  11  12  score  result  progress',
      'pod01              ✓   ✓   ✓   ✓   –   ✓   ✓   ✓   –   ✓   ✓   ✓   100%  pass    complete',
      'pod02              ✓   ✓   ✓   ✓   –   ✗   ·   ·   –   ·   ·   ·    33%  fail    stuck at 6 The export moun… since 13:50',
      // Exactly at the pass mark passes.
      'pod03              ✓   ✓   ✓   ✓   –   ✓   ✓   ✓   –   ✓   ✓   ·    80%  pass    stuck at 12 Guest migrated… since 14:20',
      'pod04              ✓   ✓   ✗   ✓   –   ✗   ·   ·   –   ·   ·   ·    27%  fail    stuck at 3 rpcbind started and enabled',
      'pod05              ✓   ✓   ✓   ✓   –   ?   ?   ?   ?   ?   ?   ?    31%  fail    stuck at 6 The export moun… since 13:31',
      // A long pod name is cut; the quotes and markup in it are plain text here.
      `o'brien "<scrip…   ✓   ✓   ✓   ✗   –   ✗   ·   ·   –   ·   ·   ·    27%  fail    stuck at 4 NFS server started and enab…`,
    ]);
  });

  test('a footer with each step pass rate (n/a where no pod needs the step), and the worst step', () => {
    const all = lines();
    const footer = all.indexOf('% done           100 100  83  83   –  33  33  33   –  33  33  17');
    expect(footer).toBeGreaterThan(0);
    expect(all[footer - 1]).toBe('─'.repeat(16 + 12 * 4));
    // Step 9 is unreachable on pod05 and n/a elsewhere: it has no rate, and is not the worst at 0%.
    expect(all[footer + 1]).toBe('worst step: 12 "Guest migrated live, checked before and after", done by 17% of the pods');
  });

  test('a legend of the step names in two columns, with their weights, and of the glyphs', () => {
    const all = lines();
    const start = all.findIndex((line) => line.startsWith(' 1 '));
    expect(all.slice(start, start + 7)).toEqual([
      ' 1 NFS server packages on the server, NFS client, libvirt …   7 rpcbind started and enabled on the KVM hosts',
      ' 2 Export the image directory to the lab network (weight 2)   8 libvirtd started and enabled',
      ' 3 rpcbind started and enabled                                9 SELinux lets qemu use NFS (where SELinux runs)',
      ' 4 NFS server started and enabled                            10 Boot image of the tiny guest on the shared storage',
      ' 5 Firewall open for NFS (where firewalld runs)              11 Guest defined and running, disk cache none (weight 2)',
      ' 6 The export mounted at the same path, and in … (weight 2)  12 Guest migrated live, checked before and after (weight 3)',
      '✓ done  · todo  ✗ failed  ? unreachable  – n/a',
    ]);
  });

  test('the groups: failures first, an unreachable pod once for all its steps, then what is not done yet; then the summary', () => {
    const all = lines();
    expect(all.slice(all.indexOf('Failing, by step and message:'))).toEqual([
      'Failing, by step and message:',
      '✗ 3 pods (pod02, pod04, …): step 6 "The export mounted at the same …": mount.nfs: access denied by server while mountin…',
      '✗ 1 pod (pod04): step 3 "rpcbind started and enabled": Job for rpcbind.service failed because the control process exite…',
      // Markup is harmless here; the escape sequence, NUL and VT of the detail are gone.
      `✗ 1 pod (o'brien "<script>alert(1)</script>"…): step 4 "NFS server started and …": Job failed: "<script>alert('x')</scr…`,
      '? 1 pod (pod05): steps 6–12: ssh: connect to kvm1 port 22: Connection refused',
      '',
      'Not done yet, by step and detail:',
      '· 4 pods (pod02, pod03, pod04, …): step 12 "Guest migrated live, checked…": tiny runs on kvm1, would be migrated to kvm2',
      '· 3 pods (pod02, pod04, …): step 8 "libvirtd started and enabled": libvirtd would be started and enabled',
      '· 3 pods (pod02, pod04, …): step 10 "Boot image of the tiny guest on…": /var/lib/libvirt/images/tiny.img would be writt…',
      '· 3 pods (pod02, pod04, …): step 11 "Guest defined and running, disk cache none": tiny would be defined and started',
      '· 2 pods (pod02, pod04): step 7 "rpcbind started and enabled on the KVM hosts": rpcbind would be started and enabled',
      // The newline inside this detail became a space: one line per group.
      `· 1 pod (o'brien "<script>alert(1)</script>"…): step 7 "rpcbind started and ena…": would start "rpcbind", then enable i…`,
      '',
      '1 of 6 pods complete, 2 passed (pass mark 80%)',
    ]);
  });

  test('nothing a host wrote reaches the terminal as a control character', () => {
    const output = renderGradeMatrix(labReport(), plain);
    expect(output).not.toContain(ESCAPE);
    expect(output).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});

describe('a class of 30 pods over the 12 steps', () => {
  test.each([120, 100])('every line fits in %i columns', (width) => {
    const lines = renderGradeMatrix(classReport(30), plain, width).split('\n');
    expect(lines.filter((line) => line.startsWith('pod'))).toHaveLength(31);
    const tooWide = lines.filter((line) => columns(line) > width);
    expect(tooWide).toEqual([]);
  });

  test('pods named podNN are listed by number in the groups, a long list ends in …', () => {
    const lines = renderGradeMatrix(classReport(30), plain).split('\n');
    expect(lines).toContain('✗ 6 pods (03, 06, 13, 16, 23, 26): step 6 "The export mounted at the sa…": mount.nfs: access denied by server while mou…');
    expect(lines).toContain('? 3 pods (07, 17, 27): steps 6–12: ssh: connect to kvm1 port 22: Connection refused');
    expect(lines).toContain('· 21 pods (02, 03, 04, 05, 06, 08, 10, 12, …): step 12 "Guest migrated live, ch…": tiny runs on kvm1, would be migrated…');
    expect(lines.at(-1)).toBe('6 of 30 pods complete, 9 passed (pass mark 80%)');
  });

  test('a stuck pod row keeps the step number and as much of its name as fits, and since when', () => {
    const row = renderGradeMatrix(classReport(30), plain).split('\n').find((line) => line.startsWith('pod03 '));
    expect(row).toBe('pod03    ✓   ✓   ✓   ✓   –   ✗   ·   ·   –   ·   ·   ·    33%  fail    stuck at 6 The export mounted at the… since 13:54');
  });
});

describe('colour', () => {
  test('NO_COLOR: not a single escape code, and the glyphs alone tell the states apart', () => {
    const style = createStyle(colorWanted({ isTTY: true } as NodeJS.WriteStream, { NO_COLOR: '1', FORCE_COLOR: '1' }));
    const output = renderGradeMatrix(classReport(30), style);
    expect(output).not.toContain(ESCAPE);
    expect(new Set(['✓', '·', '✗', '?', '–'].filter((glyph) => output.includes(`  ${glyph}`))).size).toBe(5);
  });

  test('on a terminal, the same text with colours: glyphs by state, pass and fail', () => {
    const coloured = renderGradeMatrix(labReport(), createStyle(true));
    expect(coloured).toContain('\u001b[31m✗\u001b[39m');
    expect(coloured).toContain('\u001b[32m✓\u001b[39m');
    expect(coloured).toContain('\u001b[32mpass\u001b[39m');
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(renderGradeMatrix(labReport(), plain));
  });
});

describe('changes between two rounds of --watch', () => {
  test('a step now done, a step no longer done, a step whose trouble changed', () => {
    const report = labReport();
    expect(renderGradeChanges(report.changes, report, plain).split('\n')).toEqual([
      'pod03: step 11 "Guest defined and running, disk cache none" now done',
      'pod04: step 3 "rpcbind started and enabled" no longer done (now failed)',
      'pod02: step 6 "The export mounted at the same path, and in fstab" now failed (was todo)',
    ]);
  });

  test('a round without change says so', () => {
    expect(renderGradeChanges([], labReport(), plain)).toBe('No change since the last round.');
  });

  test('n/a reads as n/a', () => {
    const report = labReport();
    expect(renderGradeChanges([{ pod: 'pod01', step: 5, from: 'done', to: 'na' }], report, plain)).toBe(
      'pod01: step 5 "Firewall open for NFS (where firewalld runs)" no longer done (now n/a)',
    );
  });
});

describe('a class that is done', () => {
  test('every pod complete: no worst step, no groups, the summary says so', () => {
    const report = classReport(1);
    const lines = renderGradeMatrix(report, plain).split('\n');
    expect(lines.find((line) => line.startsWith('pod01'))).toMatch(/100%  pass    complete$/);
    expect(lines.some((line) => line.startsWith('worst step'))).toBe(false);
    expect(lines.some((line) => line.startsWith('Failing') || line.startsWith('Not done yet'))).toBe(false);
    expect(lines.at(-1)).toBe('1 of 1 pod complete, 1 passed (pass mark 80%)');
  });
});
