import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { localFileSearchPath, readLocalSource } from '../../../../src/modules/lib/local-files.js';
import { fakeContext } from '../../../helpers/module-fixtures.js';

describe("a relative src is searched where Ansible's path_dwim_relative_stack looks", () => {
  it("the role's files/ and tasks/, then the playbook's files/ and directory", () => {
    expect(localFileSearchPath('files', 'app.conf', { roleDir: '/pb/roles/web', playbookDir: '/pb' })).toEqual([
      '/pb/roles/web/files/app.conf',
      '/pb/roles/web/tasks/app.conf',
      '/pb/files/app.conf',
      '/pb/app.conf',
    ]);
    expect(localFileSearchPath('templates', 'templates/site.j2', { playbookDir: '/pb' })).toEqual(['/pb/templates/site.j2']);
    expect(localFileSearchPath('files', '/etc/motd', { playbookDir: '/pb' })).toEqual(['/etc/motd']);
    expect(localFileSearchPath('files', '~/motd', { playbookDir: '/pb' })).toEqual([`${homedir()}/motd`]);
  });

  it('reads the first that exists, or lists every place searched', () => {
    const context = fakeContext({ roleDir: '/playbook/roles/web', files: { 'roles/web/tasks/a.txt': 'role', 'files/a.txt': 'playbook' } });
    expect(readLocalSource('files', 'a.txt', context)).toEqual({ found: true, path: '/playbook/roles/web/tasks/a.txt', content: Buffer.from('role') });
    expect(readLocalSource('files', 'b.txt', context)).toEqual({
      found: false,
      message:
        "Could not find or access 'b.txt' on the controller. Searched: /playbook/roles/web/files/b.txt, /playbook/roles/web/tasks/b.txt, /playbook/files/b.txt, /playbook/b.txt",
    });
  });
});
