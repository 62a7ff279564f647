import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { serialCounterBootSector } from '../../../src/lab/guest.js';
import { guestImageModule } from '../../../src/modules/guest-image.js';
import type { ChangePlan, FailPlan, Plan, ProbeResults } from '../../../src/modules/types.js';
import type { GuestImageArgs } from '../../../src/schema/generated/guest_image.js';
import { Command } from '../../../src/shell/command.js';
import { runShell } from '../../helpers/local-shell.js';
import { context } from '../modules/migrate/harness.js';

const workdir = mkdtempSync(join(tmpdir(), 'runbook-guest-image-'));
afterAll(() => rmSync(workdir, { recursive: true, force: true }));

/** Probes and plans against this machine's files through a real sh, as the engine would on a host. */
function planHere(args: GuestImageArgs): Plan {
  const probes: ProbeResults = {};
  for (const [key, probe] of Object.entries(guestImageModule.probe!(args, context()))) {
    probes[key] = runShell(probe instanceof Command ? probe : probe.command);
  }
  return guestImageModule.plan(args, probes, context());
}

function apply(plan: Plan): void {
  expect(plan.kind).toBe('change');
  for (const step of (plan as ChangePlan).steps) expect(runShell(step.command, step.stdin).code).toBe(0);
}

describe('guest_image', () => {
  it('creates a sparse raw image with the boot sector, then is ok with the reason', () => {
    const path = join(workdir, 'images dir', 'tiny.img');
    const first = planHere({ path, size_mib: 2 });
    expect((first as ChangePlan).summary).toBe(`create ${path} (serial_counter, 2 MiB)`);
    apply(first);
    const image = readFileSync(path);
    expect(image.length).toBe(2 * 1024 * 1024);
    expect(image.subarray(0, 512).equals(serialCounterBootSector())).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(planHere({ path, size_mib: 2 })).toEqual({ kind: 'noop', reason: 'tiny.img holds the serial_counter boot sector and is 2 MiB' });
  });

  it('grows a smaller image but never shrinks one', () => {
    const path = join(workdir, 'grow.img');
    apply(planHere({ path }));
    const grow = planHere({ path, size_mib: 3 });
    expect((grow as ChangePlan).steps.map((step) => step.title)).toEqual([`extend ${path} to 3 MiB`]);
    apply(grow);
    expect(statSync(path).size).toBe(3 * 1024 * 1024);
    expect((planHere({ path, size_mib: 1 }) as FailPlan).message).toMatch(/never shrinks a disk image/);
  });

  it('refuses to overwrite an image holding something else', () => {
    const path = join(workdir, 'other.img');
    writeFileSync(path, Buffer.alloc(1024 * 1024, 7));
    expect((planHere({ path }) as FailPlan).message).toMatch(/does not hold the serial_counter boot sector; runbook never overwrites a disk image/);
    expect(readFileSync(path)[0]).toBe(7);
  });
});
