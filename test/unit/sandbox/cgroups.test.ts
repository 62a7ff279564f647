import { describe, expect, it } from 'vitest';
import { processHierarchies } from '../../../src/sandbox/cgroups.js';

describe('processHierarchies', () => {
  it('finds cgroup2 and the name=systemd v1 hierarchy of a hybrid system, not the controller hierarchies', () => {
    const mountinfo = [
      '30 22 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
      '31 30 0:27 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
      '32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
      '33 30 0:29 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd',
      '34 30 0:30 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate',
    ].join('\n');
    expect(processHierarchies(mountinfo)).toEqual(['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/unified']);
  });

  it('finds the single hierarchy of a unified system', () => {
    expect(processHierarchies('30 22 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n')).toEqual(['/sys/fs/cgroup']);
  });
});
