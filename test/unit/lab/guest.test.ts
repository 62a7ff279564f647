import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serialCounterBootSector } from '../../../src/lab/guest.js';

const QEMU = 'qemu-system-x86_64';

function hasQemu(): boolean {
  return spawnSync(QEMU, ['--version']).status === 0;
}

/** Whole lines the guest printed, as numbers (a line still being written is left out). */
function counterLines(log: string): number[] {
  const complete = log.slice(0, log.lastIndexOf('\n') + 1);
  return complete.split('\n').filter((line) => line !== '').map(Number);
}

describe('serial counter boot sector', () => {
  it('is one 512-byte sector ending in the 0x55 0xAA boot signature', () => {
    const sector = serialCounterBootSector();
    expect(sector.length).toBe(512);
    expect(sector[510]).toBe(0x55);
    expect(sector[511]).toBe(0xaa);
  });

  it('starts by clearing interrupts and setting up segments, and holds the ten ASCII digits of the counter', () => {
    const sector = serialCounterBootSector();
    expect([...sector.subarray(0, 3)]).toEqual([0xfa, 0x31, 0xc0]);
    expect(sector.toString('latin1')).toContain('0000000000');
  });

  const workdir = mkdtempSync(join(tmpdir(), 'runbook-guest-'));
  afterAll(() => rmSync(workdir, { recursive: true, force: true }));

  // A real boot under qemu's software emulation (the lab's guests run the same way). CI installs
  // qemu-system-x86 (see .ci/run); without it this test fails rather than passing unproven.
  it('boots under qemu and prints an increasing counter on COM1', async () => {
    expect(hasQemu(), `${QEMU} is needed: apt-get install -y qemu-system-x86`).toBe(true);
    const image = join(workdir, 'tiny.img');
    const serial = join(workdir, 'serial.log');
    const disk = Buffer.alloc(1024 * 1024);
    serialCounterBootSector().copy(disk);
    writeFileSync(image, disk);
    const qemu = spawn(
      QEMU,
      ['-accel', 'tcg', '-m', '16', '-display', 'none', '-monitor', 'none', '-nodefaults', '-no-reboot',
        '-drive', `file=${image},format=raw,if=ide`, '-serial', `file:${serial}`],
      { stdio: 'ignore' },
    );
    try {
      let numbers: number[] = [];
      // Wait for a few numbers (BIOS boot under emulation takes a moment on a busy machine).
      for (let waited = 0; waited < 600 && numbers.length < 4; waited += 1) {
        await new Promise((done) => setTimeout(done, 100));
        if (existsSync(serial)) numbers = counterLines(readFileSync(serial, 'latin1'));
      }
      expect(numbers.length).toBeGreaterThanOrEqual(4);
      expect(numbers.slice(0, 4)).toEqual([1, 2, 3, 4]);
    } finally {
      qemu.kill('SIGKILL');
    }
  });
});
