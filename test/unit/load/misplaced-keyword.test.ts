import { describe, expect, it } from 'vitest';
import { brief, issuesOf, playbookFile } from '../../helpers/playbook-files.js';

// A task keyword indented into the module's arguments is a common slip: Ansible then reports
// "Unsupported parameters for (mount) module: when". runbook names the keyword and the fix.
describe('a task keyword among the module arguments', () => {
  it('is reported as misplaced, with the indentation fix, and not again as an unknown argument', () => {
    const path = playbookFile(`- hosts: localhost
  tasks:
    - name: mount the share
      mount:
        path: /mnt
        src: "x:/y"
        fstype: nfs
        state: mounted
        when: true
        register: mounted
`);
    const issues = issuesOf(path);
    expect(issues.map(brief)).toEqual([
      '9:9 RB_KEYWORD_IN_ARGUMENTS "when" is a task keyword, not an argument of mount',
      '10:9 RB_KEYWORD_IN_ARGUMENTS "register" is a task keyword, not an argument of mount',
    ]);
    expect(issues[0]!.hint).toBe('indent when: as far as the module\'s name (mount:), so that it belongs to the task');
  });

  it('an argument of the same name as a keyword stays an argument (wait_for timeout)', () => {
    const path = playbookFile(`- hosts: localhost
  tasks:
    - wait_for:
        port: 22
        timeout: 5
        when: true
`);
    expect(issuesOf(path).map(brief)).toEqual(['6:9 RB_KEYWORD_IN_ARGUMENTS "when" is a task keyword, not an argument of wait_for']);
  });
});

describe('a misspelt task keyword', () => {
  it('with_item is a slip for with_items (did-you-mean), not a loop over a lookup runbook lacks', () => {
    const issues = issuesOf(playbookFile('- hosts: localhost\n  tasks:\n    - debug: msg=hi\n      with_item: [1]\n'));
    expect(issues.map(brief)).toEqual(['4:7 RB_UNKNOWN_MODULE unknown task keyword "with_item"']);
    expect(issues[0]!.hint).toBe('did you mean "with_items"?');
  });
});

describe('an undefined variable', () => {
  it('suggests the defined name that differs by one word of the same meaning (lab_subnet -> lab_network)', async () => {
    const { didYouMeanVariable } = await import('../../../src/schema/did-you-mean.js');
    expect(didYouMeanVariable('lab_subnet', ['lab_network', 'lab_address', 'lab_role'])).toBe('lab_network');
    expect(didYouMeanVariable('nfs_srv_addr', ['nfs_server_address'])).toBeUndefined();
    expect(didYouMeanVariable('nfs_server_ip', ['nfs_server_address', 'nfs_server_host'])).toBe('nfs_server_address');
    expect(didYouMeanVariable('images_dri', ['images_dir'])).toBe('images_dir');
    // Two equally likely names: no guess.
    expect(didYouMeanVariable('lab_net', ['lab_network', 'lab_subnet'])).toBeUndefined();
  });
});
