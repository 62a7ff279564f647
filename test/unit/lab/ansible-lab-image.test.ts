import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { serialCounterBootSector } from '../../../src/lab/guest.js';

// The Ansible-style lab copies the guest's disk from its role's files/: it must stay the boot program
// the guest_image module writes, byte for byte.
describe('the Ansible-style lab guest disk', () => {
  it('is the serial_counter boot sector', () => {
    const file = readFileSync(new URL('../../../playbooks/ansible-lab/roles/kvm_host/files/tiny-guest.img', import.meta.url));
    expect(file.equals(serialCounterBootSector())).toBe(true);
  });
});
