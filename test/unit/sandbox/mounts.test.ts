import { describe, expect, it } from 'vitest';
import { mountsBelow } from '../../../src/sandbox/mounts.js';

const MOUNTINFO = [
  '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
  '90 22 0:45 / /state/sandbox/hosts/kvm1/merged rw,relatime shared:50 - overlay overlay rw,lowerdir=/cache/rootfs',
  '91 22 7:0 / /state/sandbox/shared rw,relatime shared:51 - ext4 /dev/loop0 rw',
  '92 91 7:0 / /state/sandbox/shared rw,relatime shared:52 - ext4 /dev/loop0 rw',
  '93 22 0:46 / /state/sandbox-other rw - tmpfs tmpfs rw',
  '94 22 0:47 / /state/sandbox/with\\040space rw - tmpfs tmpfs rw',
].join('\n');

describe('mountsBelow', () => {
  it('lists mount points at or below a directory, deepest first, decoding octal escapes', () => {
    expect(mountsBelow('/state/sandbox', MOUNTINFO)).toEqual(['/state/sandbox/hosts/kvm1/merged', '/state/sandbox/with space', '/state/sandbox/shared']);
  });

  it('does not take a sibling with the same prefix for a child', () => {
    expect(mountsBelow('/state/sandbox/', MOUNTINFO)).not.toContain('/state/sandbox-other');
  });
});
