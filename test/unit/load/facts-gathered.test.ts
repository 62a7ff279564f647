import { describe, expect, it } from 'vitest';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { brief, errorsOf, issuesOf, playbookFile } from '../../helpers/playbook-files.js';

const warningsOf = (text: string) => loadPlaybook(playbookFile(text)).warnings.map(brief);

describe('facts runbook does not gather', () => {
  it('are a warning naming the fact where it is read, top-level or through ansible_facts, even behind | default', () => {
    expect(
      warningsOf(`- hosts: localhost
  tasks:
    - debug: { msg: "{{ ansible_mounts | default([]) | length }} {{ ansible_facts.env.HOME }}" }
    - debug: { msg: "{{ ansible_facts['python'] }}" }
    - debug: { msg: hi }
      when: ansible_distrbution == 'Debian'
`),
    ).toEqual([
      '3:25 RB_FACT_NOT_GATHERED runbook does not gather or set "ansible_mounts"',
      '3:69 RB_FACT_NOT_GATHERED runbook does not gather or set "ansible_facts.env"',
      '4:25 RB_FACT_NOT_GATHERED runbook does not gather or set "ansible_facts.python"',
      '6:13 RB_FACT_NOT_GATHERED runbook does not gather or set "ansible_distrbution"',
    ]);
  });

  it('a misspelt fact gets a did-you-mean', () => {
    const path = playbookFile(`- hosts: localhost
  tasks:
    - debug: { msg: "{{ ansible_distrbution }}" }
`);
    const [issue] = loadPlaybook(path).warnings;
    expect(issue?.hint).toBe('did you mean "ansible_distribution"?');
  });

  it('gathered facts, magic variables, connection variables and names the playbook defines are not', () => {
    expect(
      warningsOf(`- hosts: localhost
  vars: { ansible_custom: 1 }
  tasks:
    - debug:
        msg: >-
          {{ ansible_hostname }} {{ ansible_default_ipv4.address }} {{ ansible_facts.distribution_release }}
          {{ ansible_lsb.codename }} {{ ansible_memtotal_mb }} {{ ansible_processor_vcpus }} {{ ansible_date_time.date }}
          {{ ansible_version.full }} {{ ansible_check_mode }} {{ ansible_host | default('') }} {{ ansible_become_user | default('') }}
          {{ ansible_custom }} {{ ansible_facts.services | default({}) }} {{ ansible_failed_result | default({}) }}
`),
    ).toEqual([]);
  });

  it("gather_subset takes Ansible's subset names, one or a list, and refuses others where they are written", () => {
    expect(() =>
      loadPlaybook(
        playbookFile(`- hosts: localhost
  gather_subset: [network, '!hardware', min]
  tasks: [{ debug: { msg: hi } }]
- hosts: localhost
  gather_subset: '!all'
  tasks: [{ debug: { msg: hi } }]
`),
      ),
    ).not.toThrow();
    const errors = errorsOf(
      playbookFile(`- hosts: localhost
  gather_subset: [network, hardwre]
  tasks: [{ debug: { msg: hi } }]
`),
    );
    expect(errors.map(brief)).toEqual([expect.stringMatching(/^2:28 RB_SCHEMA expected one of "all", .* got string "hardwre"$/)]);
    expect(errors[0]?.hint).toBe('did you mean "hardware"?');
    expect(issuesOf(playbookFile(`- hosts: localhost\n  gather_subset: network,virtual\n  tasks: [{ debug: { msg: hi } }]\n`)).map(brief)).toEqual([expect.stringMatching(/^2:18 RB_SCHEMA /)]);
  });
});
