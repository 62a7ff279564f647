import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GUEST_INIT, GUEST_KERNEL_MODULES, guestInitArchive, newcArchive } from '../../../../src/lab/busybox-guest.js';
import { KERNEL_DEPENDENCY, guestImageModule } from '../../../../src/modules/guest-image.js';
import type { ChangePlan, Plan, ProbeResults } from '../../../../src/modules/types.js';
import type { GuestImageArgs } from '../../../../src/schema/generated/guest_image.js';
import { Command, sh } from '../../../../src/shell/command.js';
import { errorsOf, playbookFile } from '../../../helpers/playbook-files.js';
import { runShell } from '../../../helpers/local-shell.js';
import { context } from '../migrate/harness.js';

const workdir = mkdtempSync(join(tmpdir(), 'runbook-busybox-net-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

function args(name: string, overrides: Partial<GuestImageArgs> = {}): GuestImageArgs {
  return {
    path: join(workdir, name, 'net.img'),
    program: 'busybox_net',
    kernel: join(workdir, name, 'net.vmlinuz'),
    initrd: join(workdir, name, 'net.initrd'),
    ...overrides,
  };
}

/** Probes and plans against this machine's files through a real sh, as the engine would on a host. */
function planHere(wanted: GuestImageArgs): Plan {
  const probes: ProbeResults = {};
  for (const [key, probe] of Object.entries(guestImageModule.probe!(wanted, context()))) {
    probes[key] = runShell(probe instanceof Command ? probe : probe.command);
  }
  return guestImageModule.plan(wanted, probes, context());
}

/** Puts a kernel and an initramfs in place as the build step leaves them (without downloading anything). */
function installGuest(wanted: GuestImageArgs, initrdHead: Buffer = guestInitArchive()): void {
  expect(runShell(sh`mkdir -p -- ${join(wanted.kernel!, '..')} && printf 'kernel' > ${wanted.kernel!}`).code).toBe(0);
  writeFileSync(wanted.initrd!, Buffer.concat([initrdHead, Buffer.from('\x1f\x8b second archive')]));
}

interface Entry {
  name: string;
  mode: number;
  rdev: [number, number];
  data: Buffer;
}

/** Reads a newc archive the way the kernel does: 110-byte headers, names and data padded to 4 bytes. */
function readNewc(archive: Buffer): Entry[] {
  const entries: Entry[] = [];
  let offset = 0;
  const align = (value: number): number => (value + 3) & ~3;
  for (;;) {
    expect(archive.toString('latin1', offset, offset + 6)).toBe('070701');
    const field = (index: number): number => Number.parseInt(archive.toString('latin1', offset + 6 + index * 8, offset + 14 + index * 8), 16);
    const nameSize = field(11);
    const fileSize = field(6);
    const name = archive.toString('latin1', offset + 110, offset + 110 + nameSize - 1);
    const dataStart = align(offset + 110 + nameSize);
    if (name === 'TRAILER!!!') {
      expect(align(dataStart)).toBe(archive.length);
      return entries;
    }
    entries.push({ name, mode: field(1), rdev: [field(9), field(10)], data: archive.subarray(dataStart, dataStart + fileSize) });
    offset = align(dataStart + fileSize);
  }
}

describe('busybox_net: the initramfs runbook defines', () => {
  it('is a newc archive with the directories, /dev/console and /init, that the kernel unpacks', () => {
    const entries = readNewc(guestInitArchive());
    expect(entries.map((entry) => entry.name)).toEqual(['bin', 'dev', 'lib', 'lib/modules', 'proc', 'sys', 'dev/console', 'init']);
    expect(entries.find((entry) => entry.name === 'dev/console')).toMatchObject({ mode: 0o020600, rdev: [5, 1] });
    const init = entries.find((entry) => entry.name === 'init')!;
    expect(init.mode).toBe(0o100755);
    expect(init.data.toString()).toBe(GUEST_INIT);
  });

  it('pads every name and file to 4 bytes, whatever their length', () => {
    const archive = newcArchive([{ name: 'a', mode: 0o100644, data: Buffer.from('12345') }]);
    expect(readNewc(archive)).toEqual([{ name: 'a', mode: 0o100644, rdev: [0, 0], data: Buffer.from('12345') }]);
  });

  it("/init is valid shell that loads each module after what it needs, reads its address from the kernel's command line", () => {
    const checked = runShell(sh`sh -n -c ${GUEST_INIT}`);
    expect(checked.code, checked.stderr).toBe(0);
    expect(GUEST_INIT).toContain('for module in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net virtio_blk; do');
    expect(GUEST_INIT).toContain('runbook.address=*) address="${word#runbook.address=}"');
    // Each line of the log written with fsync, at its own 16-byte record.
    expect(GUEST_INIT).toContain("printf '%15d\\n' \"$line\" | dd of=/dev/vda bs=16 seek=$((line - 1)) count=1 conv=notrunc,fsync");
  });

  it("the log loop, through a real sh on a file standing in for the disk: numbered records, continued after a restart", () => {
    const disk = join(workdir, 'log-disk');
    writeFileSync(disk, Buffer.alloc(16 * 4));
    const loop = GUEST_INIT.slice(GUEST_INIT.indexOf('  line=$('), GUEST_INIT.indexOf('  echo "runbook guest: the log disk is full'))
      .replaceAll('/dev/vda', disk)
      .replace('sleep 0.2', ':');
    const withSize = `size=${16 * 4}\n${loop}`;
    writeFileSync(disk, Buffer.concat([Buffer.from(`${'1'.padStart(15)}\n${'2'.padStart(15)}\n`), Buffer.alloc(32)]));
    expect(runShell(sh`sh -c ${withSize}`).code).toBe(0);
    expect(readFileSync(disk, 'latin1').split('\n').map((line) => line.trim())).toEqual(['1', '2', '3', '4', '']);
  });
});

describe('busybox_net: guest_image plans', () => {
  it('makes kernel and initramfs from Debian packages on the host, and creates the log disk', () => {
    const wanted = args('fresh');
    const plan = planHere(wanted) as ChangePlan;
    expect(plan.kind).toBe('change');
    expect(plan.summary).toBe(`make the guest's kernel and initramfs (linux-image-cloud-amd64, busybox-static); create ${wanted.path} (log disk, 1 MiB)`);
    const [build, disk] = plan.steps;
    expect(build?.stdin).toEqual(guestInitArchive());
    const script = build!.command.render();
    expect(script).toContain('apt-get download -q -o APT::Sandbox::User=root "$rb_kernel" busybox-static');
    expect(script).toContain(`for rb_module in ${GUEST_KERNEL_MODULES.join(' ')}; do`);
    expect(script).toContain(`mv -f -- ${wanted.initrd}.runbook-new ${wanted.initrd}`);
    expect(plan.result).toEqual({ kernel: wanted.kernel, initrd: wanted.initrd, log_disk: wanted.path });
    expect(runShell(disk!.command).code).toBe(0);
    expect(statSync(wanted.path).size).toBe(1024 * 1024);
  });

  it('the build script is valid shell; it picks the kernel package that apt-cache names for the metapackage', () => {
    const script = (planHere(args('syntax')) as ChangePlan).steps[0]!.command.render();
    expect(runShell(sh`sh -n -c ${script}`).code).toBe(0);
    expect(script).toContain(sh`apt-cache depends linux-image-cloud-amd64 | sed -n ${KERNEL_DEPENDENCY} | head -n 1`.render());
    const said = "linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-57-cloud-amd64\n";
    expect(runShell(sh`printf '%s' ${said} | sed -n ${KERNEL_DEPENDENCY}`).stdout).toBe('linux-image-6.1.0-57-cloud-amd64\n');
  });

  it('is ok when kernel, current initramfs and log disk are in place; a log disk with lines is the guest own', () => {
    const wanted = args('ready');
    installGuest(wanted);
    expect(runShell(sh`truncate -s 1M ${wanted.path} && printf '%15d\n' 1 2 | dd of=${wanted.path} conv=notrunc status=none`).code).toBe(0);
    expect(planHere(wanted)).toMatchObject({ kind: 'noop', reason: "the busybox_net guest's kernel, initramfs and net.img are in place" });
  });

  it('makes the initramfs again when its /init is not the current one, and grows a small log disk', () => {
    const wanted = args('stale', { size_mib: 2 });
    installGuest(wanted, Buffer.from('070701 an older init'));
    expect(runShell(sh`truncate -s 1M ${wanted.path}`).code).toBe(0);
    const plan = planHere(wanted) as ChangePlan;
    expect(plan.steps.map((step) => step.title)).toEqual([
      `make the guest's kernel ${wanted.kernel} and initramfs ${wanted.initrd} from linux-image-cloud-amd64 and busybox-static`,
      `extend ${wanted.path} to 2 MiB`,
    ]);
    expect(plan.diff?.[0]?.before).toBe('kernel: present\ninitramfs: missing or another /init\n');
  });

  it('never shrinks a log disk nor writes over something that is not a file', () => {
    const larger = args('larger');
    installGuest(larger);
    expect(runShell(sh`truncate -s 3M ${larger.path}`).code).toBe(0);
    expect(planHere(larger)).toMatchObject({ kind: 'fail', message: `${larger.path} is 3145728 bytes, larger than size_mib 1; runbook never shrinks a disk image` });
    const directory = args('directory');
    expect(runShell(sh`mkdir -p ${directory.path}`).code).toBe(0);
    expect(planHere(directory)).toMatchObject({ kind: 'fail', message: `${directory.path} exists and is not a regular file` });
  });
});

describe('guest_image arguments', () => {
  const task = (body: string): string => playbookFile(`- hosts: all\n  tasks:\n    - guest_image: ${body}\n`);
  it('busybox_net needs kernel and initrd; the serial counter takes neither', () => {
    expect(errorsOf(task('{ path: /i/net.img, program: busybox_net, kernel: /i/k }')).map((issue) => issue.message).join('\n')).toMatch(/initrd/);
    // Refused at the kernel value (ajv words it "must NOT be valid").
    expect(errorsOf(task('{ path: /i/tiny.img, kernel: /i/k }'))).toMatchObject([{ code: 'RB_SCHEMA', line: 3, col: 49 }]);
  });
});
