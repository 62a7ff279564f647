import { expect, test } from 'vitest';
import { moduleNames, moduleSchemaId, schemaDocument } from '../../../src/schema/ajv.js';
import { didYouMean } from '../../../src/schema/did-you-mean.js';
import { validate } from '../../../src/schema/validate.js';

const messages = (schemaId: string, data: unknown) =>
  validate(schemaId, data).map(({ instancePath, message, hint }) => (hint === undefined ? [instancePath, message] : [instancePath, message, hint]));

test('module names are the $ids of schemas/modules/*.schema.json', () => {
  const names = moduleNames();
  expect(names).toContain('debug');
  expect(names).toEqual([...names].sort());
  expect(names.every((name) => /^[a-z_]+$/.test(name))).toBe(true);
});

test('valid data has no issues', () => {
  expect(validate('runbook:module/debug', { msg: 'hello' })).toEqual([]);
});

test('an unknown argument names itself and suggests the closest property', () => {
  expect(validate('runbook:module/debug', { mgs: 'hello' })).toEqual([
    {
      instancePath: '',
      keyword: 'additionalProperties',
      message: 'unknown argument "mgs"',
      params: { additionalProperty: 'mgs' },
      hint: 'did you mean "msg"?',
    },
  ]);
});

test('outside module schemas the noun is "key"', () => {
  expect(messages('runbook:playbook', [{ hostz: 'all' }])).toEqual([
    ['/0', 'missing required key "hosts"'],
    ['/0', 'unknown key "hostz"', 'did you mean "hosts"?'],
  ]);
});

test('type errors say what was expected and show what was given', () => {
  expect(messages('runbook:inventory#/definitions/vars', { ansible_port: 'abc' })).toEqual([
    ['/ansible_port', 'expected integer, got string "abc"'],
  ]);
  expect(messages('runbook:module/debug', { msg: ['a'] })).toEqual([['/msg', 'expected string, got list']]);
  expect(messages('runbook:module/debug', 'hello')).toEqual([['', 'expected mapping, got string "hello"']]);
  expect(messages('runbook:playbook', [{ hosts: 'all', become: 5 }])).toEqual([['/0/become', 'expected boolean or string, got integer 5']]);
});

test('enums list the allowed values and suggest the closest', () => {
  expect(messages('runbook:inventory#/definitions/vars', { ansible_connection: 'lcoal' })).toEqual([
    ['/ansible_connection', 'expected one of "ssh", "local", got string "lcoal"', 'did you mean "local"?'],
  ]);
});

test('a value that fits no alternative of anyOf/oneOf is one message listing the expected types', () => {
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ notify: 5, debug: {} }] }])).toEqual([
    ['/0/tasks/0/notify', 'expected string or list, got integer 5'],
  ]);
});

test('when an alternative has the right type, its specific problem is reported alone', () => {
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ tags: ['a', 3], debug: {} }] }])).toEqual([
    ['/0/tasks/0/tags/1', 'expected string, got integer 3'],
  ]);
});

test('ranges, patterns, key names and forbidden combinations in words', () => {
  expect(messages('runbook:inventory#/definitions/vars', { ansible_port: 70000 })).toEqual([
    ['/ansible_port', 'expected a number <= 65535, got integer 70000'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ register: 'my result', debug: {} }] }])).toEqual([
    ['/0/tasks/0/register', 'invalid value "my result": must match ^[A-Za-z_][A-Za-z0-9_]*$'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: 'all', vars: { 'bad-name': 1 } }])).toEqual([
    ['/0/vars', 'invalid key name "bad-name": must match ^[A-Za-z_][A-Za-z0-9_]*$'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: 'all', tasks: [{ loop: [1], with_items: [2], debug: {} }] }])).toEqual([
    ['/0/tasks/0', '"loop" and "with_items" cannot be used together'],
  ]);
  expect(messages('runbook:playbook', [{ hosts: '' }])).toEqual([['/0/hosts', 'must not be empty']]);
});

test("a pattern's patternMessage says in words what is allowed", () => {
  const SPLIT = "must split into words as a shell does: close every ' and \" quote, and escape a backslash at the end (\\\\)";
  expect(messages('runbook:module/lvol', { vg: 'vg0', lv: 'data', opts: "--addtag it's" })).toEqual([['/opts', `invalid value "--addtag it's": ${SPLIT}`]]);
  expect(messages('runbook:module/command', { cmd: "echo 'oops" })).toEqual([['/cmd', `invalid value "echo 'oops": ${SPLIT}`]]);
  expect(messages('runbook:module/copy', { dest: '/etc/sudoers', content: 'x', validate: 'visudo -cf' })).toEqual([
    ['/validate', `invalid value "visudo -cf": must hold %s, which stands for the file to check, and split into words as a shell does: close every ' and " quote, and escape a backslash at the end (\\\\)`],
  ]);
  expect(messages('runbook:module/file', { path: '/srv', owner: '-n', group: 'wheel\nroot' })).toEqual([
    ['/owner', 'invalid value "-n": must be a user name or a numeric uid: not starting with - or a space, without : or control characters such as a newline'],
    ['/group', 'invalid value "wheel\\nroot": must be a group name or a numeric gid: not starting with - or a space, without : or control characters such as a newline'],
  ]);
  expect(messages('runbook:module/migrate', { domain: 'tiny', dest: 'kvm2', dest_uri: 'kvm2' })).toEqual([
    ['/dest_uri', 'invalid value "kvm2": must be a libvirt URI naming the destination host, driver[+transport]://[user@]host[:port]/path, e.g. qemu+ssh://kvm2/system, without spaces or control characters'],
  ]);
  expect(messages('runbook:module/nfs_export', { path: '/srv/vms', clients: '10.10.10.0/24(rw' })).toEqual([
    ['/clients', 'invalid value "10.10.10.0/24(rw": must be clients as in /etc/exports: HOST or HOST(OPTIONS) separated by spaces, e.g. 10.10.10.0/24(rw,no_root_squash) *.lab(ro), a host being an address, network, host name, wildcard or @netgroup, not starting with -'],
  ]);
});

test('what a pattern allows, it allows as Ansible does', () => {
  const valid = (module: string, args: Record<string, unknown>) => expect(validate(`runbook:module/${module}`, args), JSON.stringify(args)).toEqual([]);
  // sssd shows Active Directory's groups with their spaces; numeric ids; names with dots and a trailing $.
  for (const owner of ['root', '0', '1000', 'john.doe', 'domain users', 'HOST$', 'été']) valid('file', { path: '/srv', owner, group: owner });
  valid('lvol', { vg: 'vg0', lv: 'data', opts: `--addtag 'it''s' -Z "y" \\-x` });
  valid('migrate', { domain: 'tiny', dest: 'kvm_2.lab', dest_uri: 'qemu+ssh://root@kvm2.lab:2222/system?keyfile=/root/.ssh/id_ed25519' });
  valid('migrate', { domain: 'tiny', dest: '10.77.0.12', dest_uri: 'qemu+tcp://[fd00::12]/system' });
  valid('nfs_export', { path: '/srv/vms', clients: ' 10.10.10.0/24(rw,no_root_squash)  kvm1.lab *.lab(ro) @lab\n' });
  valid('authorized_key', { user: 'alice', key: 'ssh-ed25519 AAAA alice@lab', key_options: 'no-pty,from="10.0.0.0/8",command="echo \'hi\'"' });
  valid('dnf', { name: 'nginx', enablerepo: ['epel-testing', '*'], disablerepo: 'rhel-*' });
  valid('timezone', { name: 'Etc/GMT-3' });
  valid('mount', { path: '/mnt/x', src: 'me@host:/x', fstype: 'fuse.sshfs', state: 'present' });
  valid('bridge', { name: 'br-lab', interface: 'enp1s0' });
  valid('lvg', { vg: 'vg0', pvs: ['/dev/sdb'], pesize: '128K' });
  valid('sysctl', { name: 'net.ipv4.tcp_rmem', value: '4096\t87380 6291456' });
});

test('names that would be read as options, and a value that would add a line to its file, are refused', () => {
  const refused = (module: string, args: Record<string, unknown>, argument: string) =>
    expect(messages(`runbook:module/${module}`, args).map(([path]) => path), JSON.stringify(args)).toEqual([`/${argument}`]);
  refused('dnf', { name: 'nginx', enablerepo: '-x' }, 'enablerepo');
  refused('timezone', { name: '-n' }, 'name');
  refused('mount', { path: '/mnt/x', src: '/dev/sdb', fstype: '--bind', state: 'present' }, 'fstype');
  refused('bridge', { name: '-n', interface: 'eth0' }, 'name');
  // In /etc/exports, a word starting with - gives default options.
  refused('nfs_export', { path: '/srv', clients: [{ host: '-rw' }] }, 'clients/0/host');
  refused('nfs_export', { path: '/srv', clients: 'kvm1 -rw' }, 'clients');
  refused('sysctl', { name: 'vm.swappiness', value: '10\nkernel.panic=0' }, 'value');
  refused('lvg', { vg: 'vg0', pvs: ['/dev/sdb'], pesize: 'big' }, 'pesize');
});

test('every pattern of a module schema says in words what it allows', () => {
  const unexplained: string[] = [];
  const visit = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, `${path}/${index}`));
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return;
    const schema = node as Record<string, unknown>;
    if (typeof schema.pattern === 'string' && !/^must /.test(String(schema.patternMessage))) unexplained.push(path);
    for (const [key, value] of Object.entries(schema)) visit(value, `${path}/${key}`);
  };
  for (const name of moduleNames()) visit(schemaDocument(moduleSchemaId(name)), name);
  expect(unexplained).toEqual([]);
});

test('module schemas give the same owner and group patterns everywhere', () => {
  const patterns = new Set<string>();
  for (const name of moduleNames()) {
    const properties = (schemaDocument(moduleSchemaId(name))?.properties ?? {}) as Record<string, { pattern?: string; patternMessage?: string }>;
    for (const argument of ['owner', 'group']) {
      const property = properties[argument];
      if (property === undefined || name === 'user') continue;
      expect(property.patternMessage, `${name}.${argument}`).toMatch(new RegExp(`^must be a ${argument === 'owner' ? 'user' : 'group'} name or a numeric`));
      patterns.add(property.pattern ?? '');
    }
  }
  expect([...patterns]).toHaveLength(1);
});

test('never throws for odd data', () => {
  for (const data of [undefined, null, 0, [], [null], [[]], { a: { b: {} } }]) {
    expect(Array.isArray(validate('runbook:playbook', data))).toBe(true);
  }
});

test('an unknown schema id is a programming error', () => {
  expect(() => validate('runbook:module/no_such_module', {})).toThrow('no schema with id "runbook:module/no_such_module"');
});

test('did-you-mean accepts about one typo per three letters, case-insensitively', () => {
  expect(didYouMean('pakage', ['package', 'service'])).toBe('package');
  expect(didYouMean('SERVCIE', ['package', 'service'])).toBe('service');
  expect(didYouMean('xyz', ['package', 'service'])).toBeUndefined();
});
