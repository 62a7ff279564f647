import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { RunbookError } from '../../../../src/errors.js';
import { renderPodView } from '../../../../src/report/grade/student.js';
import { createStyle } from '../../../../src/report/style.js';
import { HOSTILE_POD, labReport } from '../../../fixtures/grade/reports.js';

beforeAll(() => {
  vi.stubEnv('TZ', 'UTC');
});
afterAll(() => {
  vi.unstubAllEnvs();
});

const plain = createStyle(false);
const hintLines = (view: string) => view.split('\n').filter((line) => line.trimStart().startsWith('>'));

test("a stuck pod's view: every step with its state and why, and the hint of the stuck step only", () => {
  const lines = renderPodView(labReport(), 'pod02', plain).split('\n');
  expect(lines.slice(0, 3)).toEqual([
    'pod02: playbooks/lab.yml, graded at 14:32',
    'hosts: pod02-nfs, pod02-kvm1, pod02-kvm2',
    'score 33%, not passed yet (pass mark 80%); next: step 6 (since 13:50)',
  ]);
  const stuck = lines.indexOf('✗  6  The export mounted at the same path, and in fstab: failed  ◀ you are here');
  expect(lines.slice(stuck, stuck + 6)).toEqual([
    '✗  6  The export mounted at the same path, and in fstab: failed  ◀ you are here',
    '      mount.nfs: access denied by server while mounting nfs:/var/lib/libvirt/images',
    '      Both KVM hosts mount the export at /var/lib/libvirt/images, so a guest disk has the same path on each.',
    "      > HINT: Mount it by hand on a KVM host: mount -t nfs nfs:/var/lib/libvirt/images /mnt. 'access denied' means the",
    "      > export does not list the KVM hosts' network.",
    '',
  ]);
  // Steps 2, 4 and 12 have hints too, but the student is not stuck there.
  expect(hintLines(lines.join('\n'))).toHaveLength(2);
  expect(lines).toContain('✓  2  Export the image directory to the lab network: done at 13:10');
  expect(lines).toContain('· 12  Guest migrated live, checked before and after: todo');
  expect(lines).toContain('      tiny runs on kvm1, would be migrated to kvm2');
  expect(lines).toContain('–  5  Firewall open for NFS (where firewalld runs): n/a');
  expect(lines.filter((line) => line.includes('◀ you are here'))).toHaveLength(1);
});

test('the hint follows the pod: pod03 is stuck at the migration', () => {
  const view = renderPodView(labReport(), 'pod03', plain);
  expect(hintLines(view)).toEqual([
    '      > HINT: virsh migrate --live tiny qemu+ssh://kvm2/system needs root on kvm1 to reach kvm2 over ssh without a',
    '      > password.',
  ]);
  expect(view).toContain('score 80%, passed (pass mark 80%); next: step 12 (since 14:20)');
});

test('a complete pod has no hint and says it is done', () => {
  const view = renderPodView(labReport(), 'pod01', plain);
  expect(hintLines(view)).toEqual([]);
  expect(view).toContain('score 100%, passed (pass mark 80%); every step is done');
  expect(view).not.toContain('you are here');
});

test('a failure message keeps its lines, loses its control characters, and every line fits the width', () => {
  const view = renderPodView(labReport(), HOSTILE_POD, plain, 70);
  const lines = view.split('\n');
  const failure = lines.indexOf('✗  4  NFS server started and enabled: failed  ◀ you are here');
  expect(lines.slice(failure + 1, failure + 6)).toEqual([
    `      Job failed: "<script>alert('x')</script>" & ]]> [31mred [0m, a`,
    '      NUL and a VT',
    '      see "journalctl -xe"',
    '      > HINT: systemctl enable --now nfs-server; if it stops again,',
    '      > journalctl -u nfs-server says why.',
  ]);
  expect(view).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  expect(lines.filter((line) => [...line].length > 70)).toEqual([]);
});

test('an unknown pod is a usage error that lists the pods', () => {
  let error: unknown;
  try {
    renderPodView(labReport(), 'pod99', plain);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(RunbookError);
  expect((error as RunbookError).code).toBe('RB_USAGE');
  expect((error as RunbookError).message).toBe(`no pod "pod99" in this grade; its pods are: pod01, pod02, pod03, pod04, pod05, ${HOSTILE_POD}`);
});
