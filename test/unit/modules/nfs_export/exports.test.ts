import { describe, expect, it } from 'vitest';
import { editExports, editGaneshaConfig, parseClientsText, validateClients, validateExportPath } from '../../../../src/modules/lib/nfs-exports.js';

const LAB = [{ host: '10.10.10.0/24', options: ['rw', 'no_root_squash'] }];

describe('export clients', () => {
  it('reads the /etc/exports form, several clients and a bare host', () => {
    expect(parseClientsText(' 10.10.10.0/24(rw,no_root_squash)  kvm1.lab  *.lab(ro) ')).toEqual([
      { host: '10.10.10.0/24', options: ['rw', 'no_root_squash'] },
      { host: 'kvm1.lab', options: [] },
      { host: '*.lab', options: ['ro'] },
    ]);
    expect(parseClientsText('a(rw)(ro)')).toBe('cannot read "a(rw)(ro)" as HOST(OPTIONS)');
  });

  it('accepts known options with valid values and names every problem', () => {
    expect(validateClients([{ host: '@lab', options: ['ro', 'anonuid=107', 'sec=krb5p:sys', 'fsid=root', 'no_subtree_check'] }])).toEqual([]);
    expect(validateClients([{ host: 'h$(id)', options: ['anonuid=x', 'rw', 'ro', 'nope'] }])).toEqual([
      'client "h$(id)" is not an address, network, host name, wildcard or @netgroup',
      '"anonuid=x" (client h$(id)) is not a known NFS export option',
      '"nope" (client h$(id)) is not a known NFS export option',
      'client h$(id) has contradicting options rw and ro',
    ]);
  });

  it('refuses export paths that would break the configuration files', () => {
    expect(validateExportPath('/srv/nfs/vms')).toBeUndefined();
    for (const path of ['relative', '/with space', '/with"quote', '/with#hash', '/new\nline']) expect(validateExportPath(path)).toBeDefined();
  });
});

describe('configuration edits', () => {
  it('/etc/exports: adding then removing returns the original text', () => {
    const original = '# exports\n/srv/other *(ro)\n';
    const added = editExports(original, '/srv/vms', LAB);
    expect(added).toBe('# exports\n/srv/other *(ro)\n/srv/vms 10.10.10.0/24(rw,no_root_squash)\n');
    expect(editExports(added, '/srv/vms', LAB)).toBe(added);
    expect(editExports(added, '/srv/vms', undefined)).toBe(original);
  });

  it('ganesha.conf: repeated add and remove neither grows the file nor changes the Export_Id', () => {
    const original = 'NFS_CORE_PARAM { Protocols = 3, 4; }\n';
    let text = original;
    for (let round = 0; round < 3; round += 1) {
      const added = editGaneshaConfig(text, '/srv/vms', LAB);
      if ('error' in added) throw new Error(added.error);
      expect(added.text).toContain('\tExport_Id = 1;\n');
      const again = editGaneshaConfig(added.text, '/srv/vms', LAB);
      expect(again).toEqual({ text: added.text });
      const removed = editGaneshaConfig(added.text, '/srv/vms', undefined);
      if ('error' in removed) throw new Error(removed.error);
      expect(removed.text).toBe(original);
      text = removed.text;
    }
  });

  it('ganesha.conf: a second managed export takes the next free Export_Id', () => {
    const first = editGaneshaConfig('', '/srv/a', LAB);
    if ('error' in first) throw new Error(first.error);
    const second = editGaneshaConfig(first.text, '/srv/b', LAB);
    if ('error' in second) throw new Error(second.error);
    expect(second.text.match(/Export_Id = \d+;/g)).toEqual(['Export_Id = 1;', 'Export_Id = 2;']);
  });
});
