import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

describe('runbook doc', () => {
  it('lists every module with its summary', async () => {
    const result = await runCli(['doc']);
    expect(result.code).toBe(0);
    for (const name of ['command', 'copy', 'package', 'service', 'nfs_export', 'mount', 'migrate', 'virt_domain']) {
      expect(result.stdout).toMatch(new RegExp(`^${name} +\\S`, 'm'));
    }
  });

  it("prints a module's arguments from its schema, following references to shared definitions", async () => {
    const result = await runCli(['doc', 'package']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('name (string | list of string; required)');
    expect(result.stdout).toContain('state ("present" | "absent" | "latest" | "installed" | "removed")');
  });

  it('names an unknown module and exits 2', async () => {
    const result = await runCli(['doc', 'pakage']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no module named "pakage"');
  });
});
