import { describe, expect, it } from 'vitest';
import { execFields } from '../../../src/modules/lib/exec-fields.js';

// ansible/modules/command.py: with strip_empty_ends (the default) stdout and stderr are
// rstrip("\r\n")-ed; ansible/plugins/action/__init__.py adds stdout_lines = stdout.splitlines().
describe("a command's registered result, as Ansible's command module returns it", () => {
  it('stdout and stderr lose their trailing newlines, so comparisons written for Ansible hold', () => {
    const fields = execFields({ code: 0, signal: null, stdout: 'active\n', stderr: 'warning\r\n\n' });
    expect(fields).toEqual({ rc: 0, stdout: 'active', stderr: 'warning', stdout_lines: ['active'], stderr_lines: ['warning'] });
  });

  it('lines split as Python splitlines: \\n, \\r\\n and \\r; inner empty lines stay', () => {
    expect(execFields({ code: 1, signal: null, stdout: 'a\r\nb\n\nc\rd\n', stderr: '' })).toMatchObject({
      rc: 1,
      stdout: 'a\r\nb\n\nc\rd',
      stdout_lines: ['a', 'b', '', 'c', 'd'],
      stderr_lines: [],
    });
  });
});
