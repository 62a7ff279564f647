import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { parsePythonTemplate } from '../../../src/modules/lib/python-regex.js';
import { splitCommandLine } from '../../../src/modules/lib/shlex.js';
import { modules } from '../../../src/modules/registry.js';
import type { ModuleDefinition, ProbeResults, ProbeSet, Step } from '../../../src/modules/types.js';
import { Command } from '../../../src/shell/command.js';
import { quote } from '../../../src/shell/quote.js';
import type { ExecResult } from '../../../src/transport/types.js';
import { SHELLS } from '../../helpers/local-shell.js';
import { fakeContext, type ModuleFixture } from '../../helpers/module-fixtures.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';
import { ok } from './migrate/harness.js';
import { CPU_SUPERSET, IMAGE, NODEMEMSTATS, NOT_DEFINED, RESOLVES, domainXml, dominfo } from './migrate/fixtures.js';

// Every string argument of every registered module, given every hostile value, as a user writes it
// in a playbook: either the real loader refuses it, at that argument's file:line:col and saying what
// is allowed, or the module's probes and steps (planned from fixture answers, as the module unit tests
// plan) run under the machine's real dash and bash with every program they call replaced by a stub
// that records its argv (and, for programs that read it, its stdin): the value arrives byte-exact as
// one argument (or, where the module composes, e.g. `-o defaults,<opts>`, as part of one, of a
// program's stdin, or of a written file), no program outside the stubs runs, and no stray file
// appears. An argument with a grammar of its own (options split into words, a key line, an XML
// document) gets the value inside a valid whole and must deliver it as that grammar says (FORMS).
// Arguments that never reach a shell are named with the reason, and the test proves that of each.

const SCHEMAS = join(import.meta.dirname, '../../../schemas/modules');
const FIXTURES = join(import.meta.dirname);
const root = mkdtempSync(join(tmpdir(), 'runbook-hostile-every-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Which arguments: every property of a module's schema that takes a string (or a list of strings).

type Shape = 'string' | 'list';
type Schema = Record<string, unknown> & { definitions?: Record<string, Schema> };

function resolve(schema: Schema, document: Schema): Schema {
  const ref = schema.$ref;
  return typeof ref === 'string' && ref.startsWith('#/definitions/') ? resolve(document.definitions?.[ref.slice(14)] ?? {}, document) : schema;
}

/** How a hostile string is written for this property: as the value itself, as one item of a list, or not at all. */
function shapeOf(property: Schema, document: Schema): Shape | undefined {
  const schema = resolve(property, document);
  // A fixed list of words: no hostile value is one of them, and the schema says so generically.
  if (Array.isArray(schema.enum) || schema.const !== undefined) return undefined;
  const types = [schema.type].flat();
  if (types.includes('string')) return 'string';
  if (types.includes('array')) return shapeOf((schema.items as Schema | undefined) ?? {}, document) === 'string' ? 'list' : undefined;
  const branches = [...((schema.oneOf as Schema[] | undefined) ?? []), ...((schema.anyOf as Schema[] | undefined) ?? [])].map((branch) => shapeOf(branch, document));
  return branches.includes('string') ? 'string' : branches.includes('list') ? 'list' : undefined;
}

/** The patterns a property's value (or its items) must match. */
function patternsOf(property: Schema, document: Schema): string[] {
  const schema = resolve(property, document);
  const branches = [...((schema.oneOf as Schema[] | undefined) ?? []), ...((schema.anyOf as Schema[] | undefined) ?? []), ...(schema.items === undefined ? [] : [schema.items as Schema])];
  return [...(typeof schema.pattern === 'string' ? [schema.pattern] : []), ...branches.flatMap((branch) => patternsOf(branch, document))];
}

function stringArguments(name: string): { argument: string; shape: Shape; absolute: boolean }[] {
  const document = JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), 'utf8')) as Schema;
  return Object.entries((document.properties as Record<string, Schema> | undefined) ?? {}).flatMap(([argument, property]) => {
    const shape = shapeOf(property, document);
    // An argument that must be an absolute path (its pattern starts with ^/).
    const absolute = patternsOf(property, document).some((pattern) => pattern.startsWith('^/'));
    return shape === undefined ? [] : [{ argument, shape, absolute }];
  });
}

// Arguments that never reach a shell, each with why: the controller evaluates them (expressions,
// messages, regular expressions matched against what a probe read), reads them (local files) or
// connects by them (inventory host names). The last test plans every one with the hostile values and
// finds them in no probe or step.
const EXPRESSION = 'a Jinja expression or message, evaluated on the controller';
const PATTERN = 'a Python regular expression or glob, matched on the controller against what a probe read';
const SEARCH = 'a literal string compared on the controller with the lines a probe read';
const LOCAL = 'a file on the controller, read there';
const HOST = 'an inventory host name: which connection a probe or step runs over, never part of a command';
const CONTROLLER_ONLY: Record<string, Record<string, string>> = {
  assert: { that: EXPRESSION, fail_msg: EXPRESSION, success_msg: EXPRESSION },
  debug: { msg: EXPRESSION, var: EXPRESSION },
  fail: { msg: EXPRESSION },
  pause: { prompt: EXPRESSION },
  ping: { data: EXPRESSION },
  setup: { filter: PATTERN, gather_subset: 'a fact subset name, chosen on the controller' },
  include_vars: { file: LOCAL, dir: LOCAL, name: 'a variable name', files_matching: PATTERN, ignore_files: PATTERN, extensions: PATTERN },
  template: { src: LOCAL },
  fetch: { dest: LOCAL },
  unarchive: { src: LOCAL },
  blockinfile: { insertafter: PATTERN, insertbefore: PATTERN },
  lineinfile: { regexp: PATTERN, regex: PATTERN, insertafter: PATTERN, insertbefore: PATTERN, search_string: SEARCH },
  line: { regexp: PATTERN, insertafter: PATTERN, insertbefore: PATTERN },
  replace: { regexp: PATTERN, after: PATTERN, before: PATTERN },
  cron: { insertafter: PATTERN, insertbefore: PATTERN },
  find: { patterns: PATTERN, pattern: PATTERN, excludes: PATTERN, exclude: PATTERN, contains: PATTERN },
  migrate: { ping_from: HOST },
  virt_domain: { xml_file: LOCAL, template: LOCAL, peers: HOST },
  wait_for: { msg: EXPRESSION },
};

// Shell code and programs by design: what they run is the user's to write; the test proves each is
// handed over as quoted words.
const SHELL_CODE: Record<string, Record<string, string>> = {
  command: { cmd: 'a command line, split as shlex splits it', argv: 'a program and its arguments' },
  shell: { cmd: 'the script of sh -c', executable: 'the shell program' },
};

// ---------------------------------------------------------------------------------------------
// From what: each module's JSON fixtures give valid arguments, facts and the probes' answers; a
// probe the fixture does not answer (its key may name the value) answers an empty success.

interface Base {
  args: Record<string, unknown>;
  facts?: ModuleFixture['facts'];
  vars?: Record<string, unknown>;
  files?: Record<string, string>;
  probes: ModuleFixture['probes'];
  /** Every name is an inventory host (migrate's destination, virt_domain's peers). */
  anyHost?: boolean;
}

const COMMIT = 'c0ffee'.padEnd(40, '0');
/** The migrate tests' healthy lab: tiny runs here, the destination is ready and sees the image. */
const LAB = {
  'source domain': dominfo('running'),
  'source definition': ok(domainXml({ bridge: 'br0' })),
  'destination address': RESOLVES,
  'destination domain': NOT_DEFINED,
  'destination memory': NODEMEMSTATS,
  [`destination disk ${IMAGE}`]: { code: 0 },
  'destination cpu': CPU_SUPERSET,
  'destination bridge br0': { code: 0, stdout: '7: br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP\n' },
  'guest answers': { code: 0 },
};

/** Modules tested from TypeScript rather than JSON fixtures: arguments and answers that plan a change, or probe. */
const HAND_BASES: Record<string, Base[]> = {
  bridge: [{ args: { name: 'br0', interface: 'eth0' }, probes: {} }],
  find: [{ args: { paths: ['/srv'] }, probes: {} }],
  git: [{ args: { repo: 'https://example.org/r.git', dest: '/srv/r' }, probes: { checkout: { code: 3 } } }],
  guest_image: [{ args: { path: '/var/lib/libvirt/images/guest.img' }, probes: { state: { code: 3 } } }],
  migrate: [{ args: { domain: 'tiny', dest: 'kvm2', ping_from: 'nfs', guest_address: '10.77.0.16' }, probes: LAB, anyHost: true }],
  unarchive: [{ args: { src: 'site.tar.gz', dest: '/srv/site' }, files: { 'site.tar.gz': '' }, probes: {} }],
  virt_domain: [
    // Defined from xml (whose name must be the domain's), or already running (its name in the probes).
    { args: { name: 'tiny', xml: domainXml(), state: 'running' }, probes: { domain: NOT_DEFINED, definition: NOT_DEFINED }, anyHost: true },
    { args: { name: 'tiny', state: 'running' }, probes: { domain: dominfo('running'), definition: ok(domainXml()) } },
  ],
};

// Names one argument is also written under: the base's argument gives way to the one tested.
const PATH_ALIASES = { dest: 'path', destfile: 'path', name: 'path' };
const ALIASES: Record<string, Record<string, string>> = {
  blockinfile: PATH_ALIASES,
  lineinfile: PATH_ALIASES,
  replace: PATH_ALIASES,
  file: { dest: 'path', name: 'path' },
  stat: { dest: 'path', name: 'path' },
  git: { name: 'repo' },
  cron: { value: 'job' },
  find: { path: 'paths', name: 'paths' },
};

// ---------------------------------------------------------------------------------------------
// Arguments with a grammar of their own: how a hostile value is written there (inside a valid whole),
// what the host answers about it (a branch the remote lists, a group that exists) and what of it must
// arrive. By default the value is written as it is and arrives as it is.

type Arrival =
  /** Each as one argument, part of one, part of a program's stdin, or a single-quoted piece of the command. */
  | { texts: string[] }
  /** As consecutive arguments of one program: options split into words. */
  | { words: string[] };

interface Form {
  write?: (value: string) => string;
  /** The base's probe answers, adjusted to the value as written. */
  answers?: (written: string, probes: ModuleFixture['probes']) => ModuleFixture['probes'];
  /** What of the value as written must arrive. */
  arrives?: (written: string) => Arrival;
}

/** Python's str.split(): the words of options Ansible splits on whitespace. */
const whitespaceWords = (value: string) => value.split(/\s+/).filter((word) => word !== '');
/** fstab(5) writes space, tab, newline and backslash as octal escapes. */
const fstabField = (value: string) => value.replace(/[\\ \t\n]/g, (char) => `\\${char.charCodeAt(0).toString(8).padStart(3, '0')}`);
const xmlText = (value: string) => value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const domainWith = (value: string) => `<domain type='qemu'><name>tiny</name><description>${xmlText(value)}</description></domain>`;
/** A Python replacement template (re.sub's) without group references, expanded: \\\\ is one backslash, \\n a newline. */
const pythonReplacement = (value: string) => parsePythonTemplate(value, { groups: 0, names: new Map() }).join('');
/** A key whose comment is the value: the comment's words (split as Ansible splits a key line) joined by one space. */
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHostileValueAsTheKeyComment';
const keyWords = (value: string) => value.split(/[ \t\r\n]+/).filter((word) => word !== '');

/** firewalld knows the service (it is enabled or disabled, never refused as unknown). */
const knownService = (service: string, probes: ModuleFixture['probes']) => ({
  ...probes,
  firewalld: { code: 0, stdout: (probes.firewalld?.stdout ?? '').replace(/^known=/m, `known=${service} `) },
});

/** Ansible's list type: a string is split on commas, each item written as given. */
const COMMA_LIST: Form = { arrives: (value) => ({ texts: value.split(',') }) };
/** validate: the value as a checking program's arguments; its words arrive, each %s standing for the file to check (whose name the test cannot know). */
const VALIDATE: Form = {
  write: (value) => `cat ${value}`,
  arrives: (written) => ({ texts: splitCommandLine(written).flatMap((word) => word.split('%s')).filter((piece) => piece !== '') }),
};
const groupNames = (value: string) => value.split(',').map((name) => name.trim()).filter((name) => name !== '');
/** The groups exist on the host. */
const existingGroups = (value: string, probes: ModuleFixture['probes']) => ({
  ...probes,
  groups: { code: 0, stdout: `${probes.groups?.stdout ?? ''}${groupNames(value).map((name) => `${name}:x:4242:\n`).join('')}` },
});
/** A job as Ansible writes it: line breaks at either end dropped. */
const CRON_JOB: Form = { arrives: (value) => ({ texts: [value.replace(/^[\r\n]+|[\r\n]+$/g, '')] }) };
/** sysctl's value as Ansible writes it: stripped. */
const SYSCTL_VALUE: Form = { arrives: (value) => ({ texts: [value.trim()] }) };
/** An argument that must be an absolute path: the value is a file name in a directory. */
const UNDER_SRV: Form = { write: (value) => `/srv/${value}` };
/** A mount point names the same mount with or without a trailing /. */
const MOUNT_POINT: Form = { write: UNDER_SRV.write, arrives: (written) => ({ texts: [written.replace(/(.)\/+$/, '$1')] }) };

const FORMS: Record<string, Form> = {
  'git.version': { answers: (version, probes) => ({ ...probes, remote: { code: 0, stdout: `ref: refs/heads/main\tHEAD\n${COMMIT}\tHEAD\n${COMMIT}\trefs/heads/${version}\n` } }) },
  'virt_domain.peers': { answers: (peer, probes) => ({ ...probes, [`peer ${peer}`]: NOT_DEFINED }) },
  'firewall.service': { answers: knownService },
  'firewalld.service': { answers: knownService },
  'user.group': { answers: existingGroups },
  'user.groups': { answers: existingGroups, arrives: (value) => ({ texts: groupNames(value) }) },
  'apt.deb': { write: (value) => `/srv/${value}.deb` },
  'cron.job': CRON_JOB,
  'cron.value': CRON_JOB,
  'sysctl.value': SYSCTL_VALUE,
  'sysctl.val': SYSCTL_VALUE,
  'find.paths': COMMA_LIST,
  'find.path': COMMA_LIST,
  'find.name': COMMA_LIST,
  'yum_repository.baseurl': COMMA_LIST,
  'yum_repository.gpgkey': COMMA_LIST,
  'yum_repository.exclude': COMMA_LIST,
  'yum_repository.includepkgs': COMMA_LIST,
  'blockinfile.validate': VALIDATE,
  'copy.validate': VALIDATE,
  'lineinfile.validate': VALIDATE,
  'replace.validate': VALIDATE,
  'template.validate': VALIDATE,
  'filesystem.opts': { arrives: (value) => ({ words: whitespaceWords(value) }) },
  'lvg.pv_options': { arrives: (value) => ({ words: whitespaceWords(value) }) },
  'lvg.vg_options': { arrives: (value) => ({ words: whitespaceWords(value) }) },
  'lvol.opts': { arrives: (value) => ({ words: splitCommandLine(value) }) },
  'mount.src': { arrives: (value) => ({ texts: [fstabField(value)] }) },
  'blockinfile.marker_begin': { arrives: (value) => ({ texts: [pythonReplacement(value)] }) },
  'blockinfile.marker_end': { arrives: (value) => ({ texts: [pythonReplacement(value)] }) },
  'replace.replace': { arrives: (value) => ({ texts: [pythonReplacement(value)] }) },
  'authorized_key.key': { write: (value) => `${KEY} ${value}`, arrives: (written) => ({ texts: [keyWords(written).join(' ')] }) },
  // The /etc/exports form: clients separated by whitespace, each written as given.
  'nfs_export.clients': { arrives: (value) => ({ texts: whitespaceWords(value) }) },
  'virt.xml': { write: domainWith },
  'virt_domain.xml': { write: domainWith },
  // Devices separated by commas.
  'lvg.pvs': { write: UNDER_SRV.write, arrives: (written) => ({ texts: written.split(',') }) },
  'mount.path': MOUNT_POINT,
  'mount.name': MOUNT_POINT,
};

const arrivalOf = (form: Form, written: string): Arrival => form.arrives?.(written) ?? { texts: [written] };

function fixturesOf(name: string): ModuleFixture[] {
  const directory = join(FIXTURES, name);
  if (!existsSync(directory)) return [];
  const all = readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as ModuleFixture)
    .filter((fixture) => fixture.expect.kind !== 'error');
  // Changes first: their steps carry the value too. Check mode plans no steps.
  const rank = (fixture: ModuleFixture) => (fixture.expect.kind === 'change' ? 0 : 1) + (fixture.check ? 2 : 0);
  return [...all].sort((a, b) => rank(a) - rank(b));
}

/** A base with the argument removed, and the other names it is written under. */
function without(name: string, base: Base, argument: string): Base {
  const args = { ...base.args };
  const alias = ALIASES[name]?.[argument];
  if (alias !== undefined) delete args[alias];
  for (const [other, canonical] of Object.entries(ALIASES[name] ?? {})) if (canonical === (alias ?? argument)) delete args[other];
  delete args[argument];
  return { ...base, args };
}

/** A plain value, to find a base where the argument reaches a command at all. */
const MARKER = 'runbookmarker';

/**
 * The base for one argument: of the module's fixtures (those that set it first, changes first) and its
 * hand base, the first whose plan, given a plain value, carries that value in a probe or step; a
 * fixture whose plan never needs the argument (a removal, an unchanged file) tests nothing.
 */
function baseFor(module: ModuleDefinition<any>, argument: string, shape: Shape, form: Form): Base {
  const name = module.name;
  const fixtures = fixturesOf(name);
  const candidates = [...fixtures.filter((fixture) => argument in fixture.args), ...fixtures.filter((fixture) => !(argument in fixture.args))]
    .map((fixture): Base => fixture)
    .concat(HAND_BASES[name] ?? [])
    .map((base) => without(name, base, argument));
  const written = form.write?.(MARKER) ?? MARKER;
  const reaches = (base: Base) => {
    try {
      return jobsCarrying(module, base, form, argsWith(base, argument, shape, written), written, arrivalOf(form, written)).length > 0;
    } catch {
      return false;
    }
  };
  return candidates.find(reaches) ?? candidates[0] ?? { args: {}, probes: {} };
}

// ---------------------------------------------------------------------------------------------
// Validation: one playbook per argument, one task per hostile value, loaded by the real loader.

/** A YAML double-quoted scalar: JSON's escapes, plus those YAML wants for DEL and C1 controls. */
function yamlString(value: string): string {
  return JSON.stringify(value).replace(/[\u007f-\u009f\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

interface Written {
  file: string;
  /** Per value: the line and column its scalar starts at. */
  positions: { line: number; col: number; firstLine: number; lastLine: number }[];
}

function writePlaybook(directory: string, module: string, base: Record<string, unknown>, argument: string, shape: Shape, values: readonly string[]): Written {
  const lines = ['- hosts: all', '  gather_facts: false', '  tasks:'];
  const positions = values.map((value, index) => {
    const firstLine = lines.length + 1;
    lines.push(`    - name: hostile ${index}`, `      ${module}:`);
    for (const [key, other] of Object.entries(base)) lines.push(`        ${key}: ${JSON.stringify(other)}`);
    const prefix = `        ${argument}: ${shape === 'list' ? '[' : ''}`;
    lines.push(`${prefix}${yamlString(value)}${shape === 'list' ? ']' : ''}`);
    return { line: lines.length, col: prefix.length + 1, firstLine, lastLine: lines.length };
  });
  const file = join(directory, 'playbook.yml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, positions };
}

function loadIssues(file: string): Issue[] {
  try {
    loadPlaybook(file);
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.filter((issue) => issue.severity === 'error');
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Running: every program a module's commands call is a stub on a PATH of its own. A stub records its
// name and argv NUL-separated; programs that read stdin record it too; mktemp answers a path in the
// case's scratch directory, where cat copies its stdin and wc (the real one) counts it, so that a
// write step goes on to its chmod and mv; date answers a clock that jumps an hour at every call, so
// that a wait loop ends at once. Commands run as nobody when this is root: nothing outside the temp
// directories can be written even if a value escaped its quotes.

const RECORDING = [
  'apt', 'apt-cache', 'apt-get', 'apt-mark', 'blkid', 'chattr', 'chcon', 'chgrp', 'chmod', 'chown', 'chpasswd', 'cmp', 'cp',
  'crontab', 'curl', 'cut', 'date', 'dd', 'diff', 'dirname', 'basename', 'dnf', 'dpkg', 'dpkg-deb', 'dpkg-query', 'env',
  'exportfs', 'find', 'findmnt', 'firewall-cmd', 'getenforce', 'getent', 'getsebool', 'git', 'gpg', 'grep', 'groupadd',
  'groupdel', 'groupmod', 'gzip', 'head', 'hostname', 'hostnamectl', 'id', 'install', 'ip', 'ln', 'ls', 'lsblk', 'lvchange',
  'lvcreate', 'lvextend', 'lvreduce', 'lvremove', 'lvresize', 'lvs', 'md5sum', 'mkdir', 'mkfs', 'mkswap', 'mount', 'mv',
  'nmcli', 'od', 'passwd', 'ping', 'pvchange', 'pvcreate', 'pvremove', 'pvresize', 'pvs', 'readlink', 'realpath',
  'resize2fs', 'restorecon', 'rm', 'rmdir', 'rpm', 'rpmkeys', 'sed', 'semanage', 'setsebool', 'setsid', 'sha1sum',
  'sha224sum', 'sha256sum', 'sha384sum', 'sha512sum', 'sleep', 'sort', 'ssh', 'stat', 'swapon', 'sync', 'sysctl',
  'systemctl', 'systemd-escape', 'tail', 'tar', 'timedatectl', 'timeout', 'touch', 'tr', 'truncate', 'tune2fs', 'udevadm',
  'umount', 'uname', 'unzip', 'useradd', 'userdel', 'usermod', 'vgchange', 'vgcreate', 'vgextend', 'vgreduce', 'vgremove',
  'vgs', 'virsh', 'virt-xml-validate', 'wc', 'wipefs', 'xfs_admin', 'xfs_growfs', 'xmllint', 'yum', 'base64', 'awk', 'tee',
  'cat', 'dmidecode', 'lsof', 'mktemp', 'python3', 'sh', 'bash', 'mkfs.ext4', 'mkfs.xfs', 'mkfs.ext3', 'mkfs.ext2', 'mkfs.vfat', 'mkfs.btrfs',
];
/** Programs whose stdin is part of what they are given (a file's content, a crontab, a password). */
const READS_STDIN = new Set(['cat', 'tee', 'dd', 'crontab', 'chpasswd', 'base64', 'virsh', 'install', 'gpg', 'rpmkeys', 'sh', 'bash']);

const stubs = join(root, 'bin');
mkdirSync(stubs);
chmodSync(root, 0o755);
for (const program of RECORDING) {
  const body = [
    '#!/bin/sh',
    `printf '%s\\0' "\${0##*/}" "$@" >"$RB_STUB_LOG/$$.argv"`,
    program === 'cat' ? '/usr/bin/tee "$RB_STUB_LOG/$$.stdin"' : READS_STDIN.has(program) ? '/bin/cat >"$RB_STUB_LOG/$$.stdin"' : '',
    program === 'wc' ? 'exec /usr/bin/wc "$@"' : '',
    program === 'date' ? `rb_now=$(/bin/cat "$RB_STUB_SCRATCH/clock" 2>/dev/null || echo 0); echo $((rb_now + 3600)) >"$RB_STUB_SCRATCH/clock"; echo "$rb_now"` : '',
    program === 'mktemp' ? `printf '%s\\n' "$RB_STUB_SCRATCH/tmp.$$"` : '',
    'exit 0',
  ];
  writeFileSync(join(stubs, program), `${body.join('\n')}\n`, { mode: 0o755 });
}

interface Call {
  program: string;
  argv: string[];
  stdin?: string;
}

interface Ran {
  calls: Call[];
  stderr: string;
  /** Entries that appeared in the working directory, relative. */
  created: string[];
}

const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

function freshDirectory(path: string): string {
  mkdirSync(path, { recursive: true });
  chmodSync(path, 0o777);
  return path;
}

function listTree(directory: string, prefix = ''): string[] {
  return readdirSync(directory).flatMap((entry) => {
    const path = join(directory, entry);
    const here = `${prefix}${entry}`;
    return statSync(path).isDirectory() ? [here, ...listTree(path, `${here}/`)] : [here];
  });
}

interface Job {
  command: Command;
  stdin?: string | Buffer;
}

/**
 * Jobs under one shell, each in a subshell of its own with its own working directory (also its
 * HOME) and stub log, the stubs the whole PATH: one shell process for many jobs keeps this fast.
 */
async function runUnderStubs(jobs: readonly Job[], shell: string, directory: string): Promise<Ran[]> {
  const batch = freshDirectory(join(directory, `batch-${shell.replaceAll('/', '_')}`));
  const lines = jobs.map(({ command, stdin }, index) => {
    const job = freshDirectory(join(batch, String(index)));
    for (const part of ['work', 'log', 'scratch']) freshDirectory(join(job, part));
    // Each script from a file: a 100 kB value may appear twice, beyond the limit for one argument.
    writeFileSync(join(job, 'script.sh'), command.render());
    writeFileSync(join(job, 'stdin'), stdin ?? '');
    const env = `HOME=${job}/work RB_STUB_LOG=${job}/log RB_STUB_SCRATCH=${job}/scratch`;
    return `( cd ${job}/work && export ${env} && . ${job}/script.sh ) <${job}/stdin >/dev/null 2>${job}/stderr`;
  });
  writeFileSync(join(batch, 'all.sh'), `${lines.join('\n')}\n`);
  await new Promise<void>((done, fail) => {
    const child = spawn(shell, [join(batch, 'all.sh')], { cwd: batch, env: { PATH: stubs, LC_ALL: 'C.UTF-8' }, stdio: 'ignore', ...asNobody });
    child.on('error', fail);
    child.on('exit', () => done());
  });
  const ran = jobs.map((_, index) => {
    const job = join(batch, String(index));
    const log = join(job, 'log');
    const calls = readdirSync(log)
      .filter((file) => file.endsWith('.argv'))
      .map((file) => {
        const [program = '', ...argv] = readFileSync(join(log, file), 'utf8').split('\0').slice(0, -1);
        const stdinFile = join(log, file.replace(/\.argv$/, '.stdin'));
        return { program, argv, ...(existsSync(stdinFile) ? { stdin: readFileSync(stdinFile, 'utf8') } : {}) };
      });
    return { calls, stderr: readFileSync(join(job, 'stderr'), 'utf8'), created: listTree(join(job, 'work')) };
  });
  rmSync(batch, { recursive: true, force: true });
  return ran;
}

// ---------------------------------------------------------------------------------------------
// Planning: probes answered from the base, rounds until a final plan, as the engine would.

interface Planned {
  probes: Command[];
  steps: Step[];
}

/** The arguments with the value written in, as the form writes it. */
function argsWith(base: Base, argument: string, shape: Shape, written: string): Record<string, unknown> {
  return { ...base.args, [argument]: shape === 'list' ? [written] : written };
}

function plan(module: ModuleDefinition<any>, base: Base, form: Form, args: Record<string, unknown>, written: string): Planned {
  const context = fakeContext({ facts: base.facts, vars: base.vars, files: base.files, ...(base.anyHost ? { hostVars: () => ({}) } : {}) });
  const answers = form.answers?.(written, base.probes) ?? base.probes;
  const results: ProbeResults = {};
  const probes: Command[] = [];
  let wanted: ProbeSet = module.probe?.(args, context) ?? {};
  for (let round = 0; round < 8; round += 1) {
    for (const [key, probe] of Object.entries(wanted)) {
      probes.push(probe instanceof Command ? probe : probe.command);
      const answer = answers[key] ?? { code: 0 };
      results[key] = { code: answer.code, signal: null, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' } satisfies ExecResult;
    }
    const planned = module.plan(args, results, context);
    if (planned.kind !== 'probe') return { probes, steps: planned.kind === 'change' ? planned.steps : [] };
    wanted = planned.probes;
  }
  throw new Error('the module kept asking for more probes');
}

const quotedPiece = (value: string) => value.replaceAll("'", "'\\''");

/** The pieces of text an arrival is made of. */
const piecesOf = (arrival: Arrival): string[] => ('texts' in arrival ? arrival.texts : arrival.words);

/** The planned probes and steps that carry every piece: the others run the same whatever the value is. */
function jobsCarrying(module: ModuleDefinition<any>, base: Base, form: Form, args: Record<string, unknown>, written: string, expected: Arrival): Job[] {
  const planned = plan(module, base, form, args, written);
  const jobs: Job[] = [...planned.probes.map((command) => ({ command })), ...planned.steps.map(({ command, stdin }) => ({ command, stdin }))];
  return jobs.filter((job) => piecesOf(expected).every((piece) => carries(job, piece)));
}

/** Whether a command (or its stdin) holds the text, as it is or as a piece of a single-quoted word. */
function carries({ command, stdin }: Job, value: string): boolean {
  const text = command.render();
  return text.includes(value) || text.includes(quotedPiece(value)) || (stdin !== undefined && Buffer.from(stdin).toString('utf8').includes(value));
}

/**
 * Where a text arrived: as one argument of a program; as part of one, or of what a program read
 * on stdin (a composed `name=value`, a file's content); or, when no program was given it (a builtin
 * such as `test -e` or a redirection took it), as one single-quoted piece of the command's text.
 */
function textArrival(value: string, calls: readonly Call[], jobs: readonly Job[]): 'whole' | 'part' | 'quoted' | undefined {
  if (calls.some((call) => call.argv.includes(value))) return 'whole';
  if (calls.some((call) => call.argv.some((argument) => argument.includes(value)) || call.stdin?.includes(value))) return 'part';
  const piece = quotedPiece(value);
  if (jobs.some(({ command }) => [quote(value), `'${piece}`, `${piece}'`].some((text) => command.render().includes(text)))) return 'quoted';
  return undefined;
}

/** Whether what was expected arrived: every text somewhere, or the words as consecutive arguments of one program. */
function arrived(expected: Arrival, runs: readonly Ran[], jobs: readonly Job[]): boolean {
  const calls = runs.flatMap((run) => run.calls).filter((call) => call.program !== 'sh' && call.program !== 'bash');
  if ('texts' in expected) return expected.texts.every((text) => textArrival(text, calls, jobs) !== undefined);
  const { words } = expected;
  return words.length === 0 || calls.some(({ argv }) => argv.some((_, start) => words.every((word, index) => argv[start + index] === word)));
}

// ---------------------------------------------------------------------------------------------

// Validation sees the whole corpus. Running costs a shell and a stub process per program call, so by
// default a sample runs: a value of every kind the corpus has (KINDS, asserted below), each also
// escaping quotes its own way. The long one is 5,000 quotes (20,000 characters once quoted) rather
// than 100,000 x's: as long for the quoting, a twentieth of the bytes to write and record.
// RUNBOOK_HOSTILE_FULL=1 runs every value (minutes).
const SAMPLE = new Set([
  '',
  "it's",
  '"double" and \'single\'',
  '$(id)',
  '`id`',
  '; rm -rf /tmp/never',
  'a > /tmp/never',
  'line one\nline two',
  '-n',
  '*',
  '~',
  'back\\slash\\n',
  "'$(printf x)'\"`echo y`\"",
  '\u0001\u0002\u001b[31mred\u001b[0m\u007f',
  '\u{1F600}\u{1F680}\u{1F1E9}\u{1F1EA}',
  "'".repeat(5_000),
]);
/** The kinds of hostile value: the sample has one of every kind the corpus has. */
const KINDS: Record<string, (value: string) => boolean> = {
  empty: (value) => value === '',
  'single quote': (value) => value.includes("'"),
  'double quote': (value) => value.includes('"'),
  'command substitution': (value) => value.includes('$('),
  backticks: (value) => value.includes('`'),
  'shell operator': (value) => /[;&|<>]/.test(value),
  newline: (value) => value.includes('\n'),
  'leading dash': (value) => value.startsWith('-'),
  space: (value) => value.includes(' '),
  glob: (value) => /[*?[]/.test(value),
  tilde: (value) => value.startsWith('~'),
  backslash: (value) => value.includes('\\'),
  'control character': (value) => /[\u0001-\u0009\u000b-\u001f\u007f]/.test(value),
  'non-ASCII': (value) => /[^\u0000-\u007f]/.test(value),
  'outside the Basic Multilingual Plane': (value) => /[\u{10000}-\u{10FFFF}]/u.test(value),
  'very long': (value) => value.length >= 4_096,
};
const FULL = process.env.RUNBOOK_HOSTILE_FULL === '1';
const RUN = (value: string) => FULL || SAMPLE.has(value);
/** An argument's whole corpus can take minutes on a busy machine. */
const TIMEOUT = FULL ? 600_000 : undefined;
const canaryBefore = existsSync('/tmp/never');

interface Case {
  module: ModuleDefinition<any>;
  name: string;
  argument: string;
  shape: Shape;
  form: Form;
}

const registered = [...modules.values()];
const excluded = (name: string, argument: string) => CONTROLLER_ONLY[name]?.[argument] !== undefined || SHELL_CODE[name]?.[argument] !== undefined;
const everyArgument: Case[] = registered.flatMap((module) =>
  stringArguments(module.name).map(({ argument, shape, absolute }) => ({ module, name: module.name, argument, shape, form: FORMS[`${module.name}.${argument}`] ?? (absolute ? UNDER_SRV : {}) })),
);
const matrix = everyArgument.filter(({ name, argument }) => !excluded(name, argument));

describe('the hostile corpus in every module argument', () => {
  it('samples every kind of hostile value the corpus has', () => {
    expect(HOSTILE_VALUES.filter((value) => SAMPLE.has(value))).toHaveLength(SAMPLE.size);
    expect(Object.entries(KINDS).filter(([, is]) => !HOSTILE_VALUES.some(is)).map(([kind]) => kind), 'kinds the corpus has').toEqual([]);
    expect(Object.entries(KINDS).filter(([, is]) => ![...SAMPLE].some(is)).map(([kind]) => kind), 'kinds the sample lacks').toEqual([]);
  });

  it('enumerates the registry: every module, with the string arguments of its schema', () => {
    expect(registered.length).toBeGreaterThan(50);
    expect(new Set(matrix.map(({ name }) => name)).size).toBeGreaterThan(40);
    expect(matrix.length).toBeGreaterThan(220);
  });

  it('names only real arguments as excluded, grammars and aliases', () => {
    const real = new Set(everyArgument.map(({ name, argument }) => `${name}.${argument}`));
    const named = [
      ...Object.entries({ ...CONTROLLER_ONLY, ...SHELL_CODE }).flatMap(([name, reasons]) => Object.keys(reasons).map((argument) => `${name}.${argument}`)),
      ...Object.keys(FORMS),
      ...Object.entries(ALIASES).flatMap(([name, aliases]) => Object.keys(aliases).map((argument) => `${name}.${argument}`)),
    ];
    expect(named.filter((key) => !real.has(key))).toEqual([]);
  });

  it.each(matrix)('$name $argument: refused with a position, or arrives intact', async ({ module, name, argument, shape, form }) => {
    const directory = mkdtempSync(join(root, `${name}-${argument}-`));
    chmodSync(directory, 0o777);
    const write = (value: string) => form.write?.(value) ?? value;
    const base = baseFor(module, argument, shape, form);
    const written = writePlaybook(directory, name, base.args, argument, shape, HOSTILE_VALUES.map(write));
    const issues = loadIssues(written.file);
    const problems: string[] = [];
    const accepted: { label: string; expected: Arrival; jobs: Job[] }[] = [];
    HOSTILE_VALUES.forEach((value, index) => {
      const label = `${index} ${JSON.stringify(value).slice(0, 40)}`;
      const at = written.positions[index]!;
      const mine = issues.filter((issue) => issue.line >= at.firstLine && issue.line <= at.lastLine);
      if (mine.length > 0) {
        for (const issue of mine) {
          if (issue.line !== at.line || issue.col !== at.col) problems.push(`${label}: refused at ${issue.line}:${issue.col}, not at the value (${at.line}:${at.col}): ${issue.message}`);
          else if (!/must|expected|allowed|only|refused/.test(`${issue.message} ${issue.hint ?? ''}`)) problems.push(`${label}: refused without saying what is allowed: ${issue.message}`);
        }
        return;
      }
      if (!RUN(value)) return;
      try {
        const expected = arrivalOf(form, write(value));
        accepted.push({ label, expected, jobs: jobsCarrying(module, base, form, argsWith(base, argument, shape, write(value)), write(value), expected) });
      } catch (error) {
        problems.push(`${label}: accepted at validation, then planning threw: ${(error as Error).message}`);
      }
    });
    const jobs = accepted.flatMap((entry) => entry.jobs);
    const results = await Promise.all(SHELLS.map((shell) => runUnderStubs(jobs, shell, directory)));
    for (const [which, shell] of SHELLS.entries()) {
      const ran = results[which]!;
      let next = 0;
      for (const { label, expected, jobs: mine } of accepted) {
        const runs = ran.slice(next, next + mine.length);
        next += mine.length;
        const unknown = runs.flatMap((run) => run.stderr.match(/^.*not found.*$/gm) ?? []);
        if (unknown.length > 0) problems.push(`${label} (${shell}): a program outside the stubs ran: ${unknown.join(' | ')}`);
        const stray = runs.flatMap((run) => run.created);
        if (stray.length > 0) problems.push(`${label} (${shell}): files appeared: ${stray.join(', ')}`);
        if (mine.length === 0 && piecesOf(expected).length > 0) problems.push(`${label} (${shell}): no planned command carries the value`);
        else if (!arrived(expected, runs, mine)) problems.push(`${label} (${shell}): the value reached no program intact (${mine.length} commands)`);
      }
      if (!canaryBefore && existsSync('/tmp/never')) problems.push(`${shell}: /tmp/never appeared`);
    }
    expect(problems).toEqual([]);
  }, TIMEOUT);

  // What the controller keeps: planned from the base with every hostile value (a local file of that
  // name provided), the value as one quoted word, the only way a value enters a command, appears in
  // the probes' and steps' commands no more often than when a plain word is given instead (`-n` may
  // be in them anyway). A refused value appears nowhere. What a step writes (its stdin) is the
  // controller's result, e.g. the lines a regexp matched.
  it.each(everyArgument.filter(({ name, argument }) => CONTROLLER_ONLY[name]?.[argument] !== undefined))(
    '$name $argument: stays on the controller',
    ({ module, name, argument, shape, form }) => {
      const base = baseFor(module, argument, shape, form);
      const occurrences = (given: string, value: string): number => {
        try {
          const planned = plan(module, { ...base, files: { ...base.files, [given]: 'local content' } }, form, argsWith(base, argument, shape, given), given);
          const texts = [...planned.probes, ...planned.steps.map((step) => step.command)].map((command) => command.render());
          return texts.reduce((count, text) => count + text.split(quote(value)).length - 1, 0);
        } catch {
          return 0;
        }
      };
      const held = HOSTILE_VALUES.filter(RUN).filter((value) => value !== '' && occurrences(value, value) > occurrences(MARKER, value));
      expect(held.map((value) => JSON.stringify(value).slice(0, 40)), CONTROLLER_ONLY[name]![argument]).toEqual([]);
    },
    TIMEOUT,
  );

  // command's words are run in hostile-roundtrip.test.ts, with Ansible's expansion of $VARS and ~;
  // shell's script and program reach sh as one quoted word each.
  it.each(everyArgument.filter(({ name, argument }) => SHELL_CODE[name]?.[argument] !== undefined))(
    '$name $argument: handed over as quoted words',
    ({ module, name, argument, shape, form }) => {
      if (name === 'command') {
        expect(readFileSync(join(import.meta.dirname, 'hostile-roundtrip.test.ts'), 'utf8'), SHELL_CODE[name]![argument]).toContain(`commandModule, { ${argument}: `);
        return;
      }
      const base = baseFor(module, argument, shape, form);
      const unquoted = HOSTILE_VALUES.filter(RUN).filter((value) => {
        const text = plan(module, base, form, argsWith(base, argument, shape, value), value).steps.map((step) => step.command.render()).join('\n');
        return !text.includes(quote(value));
      });
      expect(unquoted.map((value) => JSON.stringify(value).slice(0, 40)), SHELL_CODE[name]![argument]).toEqual([]);
    },
    TIMEOUT,
  );
});
