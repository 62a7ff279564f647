import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ValidationError, type Issue } from '../../../src/errors.js';
import { loadPlaybook } from '../../../src/load/playbook.js';
import { modules } from '../../../src/modules/registry.js';
import type { ModuleDefinition, ProbeResults, ProbeSet, Step } from '../../../src/modules/types.js';
import { Command } from '../../../src/shell/command.js';
import { quote } from '../../../src/shell/quote.js';
import type { ExecResult } from '../../../src/transport/types.js';
import { SHELLS } from '../../helpers/local-shell.js';
import { fakeContext, type ModuleFixture } from '../../helpers/module-fixtures.js';
import { HOSTILE_VALUES } from '../shell/hostile-values.js';

// Every string argument of every registered module, given every hostile value, as a user writes it
// in a playbook: either the real loader refuses it, at that argument's file:line:col and saying what
// is allowed, or the module's probes and steps (planned from fixture answers, as the module unit tests
// plan) run under the machine's real dash and bash with every program they call replaced by a stub
// that records its argv (and, for programs that read it, its stdin): the value arrives byte-exact as
// one argument (or, where the module composes, e.g. `-o defaults,<opts>`, as part of one, of a
// program's stdin, or of a written file), no program outside the stubs runs, and no stray file
// appears.

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

function stringArguments(name: string): { argument: string; shape: Shape }[] {
  const document = JSON.parse(readFileSync(join(SCHEMAS, `${name}.schema.json`), 'utf8')) as Schema;
  return Object.entries((document.properties as Record<string, Schema> | undefined) ?? {}).flatMap(([argument, property]) => {
    const shape = shapeOf(property, document);
    return shape === undefined ? [] : [{ argument, shape }];
  });
}

// Arguments that never reach a shell: the controller evaluates them (expressions, messages, Python
// regular expressions matched against what a probe read) or reads them (local files).
const EXPRESSION = 'a Jinja expression or message, evaluated on the controller';
const PATTERN = 'a Python regular expression or glob, matched on the controller against what a probe read';
const LOCAL = 'a file on the controller, read there';
const CODE = 'shell code or a program by design (its hostile round trip is hostile-roundtrip.test.ts)';
const CONTROLLER_ONLY: Record<string, Record<string, string>> = {
  assert: { that: EXPRESSION, fail_msg: EXPRESSION, success_msg: EXPRESSION },
  debug: { msg: EXPRESSION, var: EXPRESSION },
  fail: { msg: EXPRESSION },
  pause: { prompt: EXPRESSION },
  ping: { data: EXPRESSION },
  setup: { filter: PATTERN, gather_subset: 'a fact subset name, chosen on the controller' },
  include_vars: { file: LOCAL, dir: LOCAL, name: 'a variable name', files_matching: PATTERN, ignore_files: PATTERN, extensions: PATTERN },
  template: { src: LOCAL },
  copy: { src: LOCAL },
  fetch: { dest: LOCAL },
  unarchive: { src: LOCAL },
  command: { cmd: CODE, argv: CODE },
  shell: { cmd: CODE, executable: CODE },
  blockinfile: { insertafter: PATTERN, insertbefore: PATTERN },
  lineinfile: { regexp: PATTERN, regex: PATTERN, insertafter: PATTERN, insertbefore: PATTERN },
  line: { regexp: PATTERN, insertafter: PATTERN, insertbefore: PATTERN },
  replace: { regexp: PATTERN, after: PATTERN, before: PATTERN, replace: 'a replacement with Python backreferences, applied on the controller' },
  cron: { insertafter: PATTERN, insertbefore: PATTERN },
  virt_domain: { xml_file: LOCAL, template: LOCAL },
  wait_for: { search_regex: PATTERN, msg: EXPRESSION },
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
}

/** Modules tested from TypeScript rather than JSON fixtures: arguments that plan without answers. */
const HAND_BASES: Record<string, Base> = {
  bridge: { args: { name: 'br0', interface: 'eth0' }, probes: {} },
  find: { args: { paths: ['/srv'] }, probes: {} },
  git: { args: { repo: 'https://example.org/r.git', dest: '/srv/r' }, probes: {} },
  guest_image: { args: { path: '/var/lib/libvirt/images/guest.img' }, probes: {} },
  migrate: { args: { domain: 'tiny', dest: 'kvm2', ping_from: 'nfs', guest_address: '10.77.0.16' }, probes: {} },
  unarchive: { args: { src: 'site.tar.gz', dest: '/srv/site' }, files: { 'site.tar.gz': '' }, probes: {} },
  virt_domain: { args: { name: 'tiny', xml: '<domain/>' }, probes: {} },
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
};

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

/** The base for one argument: a fixture that already sets it, else the first one, the argument added. */
function baseFor(name: string, argument: string): Base {
  const fixtures = fixturesOf(name);
  const chosen = fixtures.find((fixture) => argument in fixture.args) ?? fixtures[0];
  const base: Base = chosen ?? HAND_BASES[name] ?? { args: {}, probes: {} };
  const args = { ...base.args };
  const alias = ALIASES[name]?.[argument];
  if (alias !== undefined) delete args[alias];
  for (const [other, canonical] of Object.entries(ALIASES[name] ?? {})) if (canonical === (alias ?? argument)) delete args[other];
  delete args[argument];
  return { ...base, args };
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
// case's scratch directory. Commands run as nobody when this is root: nothing outside the temp
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
    READS_STDIN.has(program) ? '/bin/cat >"$RB_STUB_LOG/$$.stdin"' : '',
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

function plan(module: ModuleDefinition<any>, base: Base, args: Record<string, unknown>): Planned {
  const context = fakeContext({ facts: base.facts, vars: base.vars, files: base.files });
  const results: ProbeResults = {};
  const probes: Command[] = [];
  let wanted: ProbeSet = module.probe?.(args, context) ?? {};
  for (let round = 0; round < 8; round += 1) {
    for (const [key, probe] of Object.entries(wanted)) {
      probes.push(probe instanceof Command ? probe : probe.command);
      const answer = base.probes[key] ?? { code: 0 };
      results[key] = { code: answer.code, signal: null, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' } satisfies ExecResult;
    }
    const planned = module.plan(args, results, context);
    if (planned.kind !== 'probe') return { probes, steps: planned.kind === 'change' ? planned.steps : [] };
    wanted = planned.probes;
  }
  throw new Error('the module kept asking for more probes');
}

const quotedPiece = (value: string) => value.replaceAll("'", "'\\''");

/** Whether a command (or its stdin) holds the value, as it is or as a piece of a single-quoted word. */
function carries({ command, stdin }: Job, value: string): boolean {
  const text = command.render();
  return text.includes(value) || text.includes(quotedPiece(value)) || (stdin !== undefined && Buffer.from(stdin).toString('utf8').includes(value));
}

/**
 * Where the value arrived: as one argument of a program; as part of one, or of what a program read
 * on stdin (a composed `name=value`, a file's content); or, when no program was given it (a builtin
 * such as `test -e` or a redirection took it), as one single-quoted piece of the command's text.
 */
function arrival(value: string, runs: readonly Ran[], jobs: readonly Job[]): 'whole' | 'part' | 'quoted' | undefined {
  const calls = runs.flatMap((run) => run.calls).filter((call) => call.program !== 'sh' && call.program !== 'bash');
  if (calls.some((call) => call.argv.includes(value))) return 'whole';
  if (calls.some((call) => call.argv.some((argument) => argument.includes(value)) || call.stdin?.includes(value))) return 'part';
  const piece = quotedPiece(value);
  if (jobs.some(({ command }) => [quote(value), `'${piece}`, `${piece}'`].some((text) => command.render().includes(text)))) return 'quoted';
  return undefined;
}

// ---------------------------------------------------------------------------------------------

// Validation sees the whole corpus. Running costs a shell and a stub process per program call, so by
// default a sample of the corpus runs, one value per way of escaping quotes; RUNBOOK_HOSTILE_FULL=1
// runs every value (minutes).
const SAMPLE = new Set([
  "it's", '"double" and \'single\'', '$(id)', '`id`', '; rm -rf /tmp/never', 'a > /tmp/never', 'line one\nline two', '-n',
  '*', '~', 'back\\slash\\n', "'$(printf x)'\"`echo y`\"", '\u0001\u0002\u001b[31mred\u001b[0m\u007f',
]);
const RUN = (value: string) => process.env.RUNBOOK_HOSTILE_FULL === '1' || SAMPLE.has(value);
const canaryBefore = existsSync('/tmp/never');

// Arguments not yet passing, to be triaged one by one: mostly the fixture's probe answers do not lead
// to a plan whose commands carry the value (so nothing can be checked), some are composed in ways the
// check does not follow (key_options, clients, mount src), a few are real findings still open: lvol
// opts and migrate dest_uri are refused only when planning, not at validation; blockinfile marker
// refusals do not say what is allowed. Each entry removed here must pass.
const UNTRIAGED = new Set<string>([
  'apt_repository.filename',
  'authorized_key.key',
  'authorized_key.key_options',
  'blockinfile.marker_begin',
  'blockinfile.marker_end',
  'cron.day',
  'cron.dom',
  'cron.dow',
  'cron.month',
  'cron.name',
  'cron.value',
  'cron.weekday',
  'file.group',
  'filesystem.opts',
  'find.contains',
  'find.exclude',
  'find.excludes',
  'find.name',
  'find.path',
  'find.pattern',
  'find.patterns',
  'git.version',
  'line.line',
  'lineinfile.line',
  'lineinfile.search_string',
  'lvg.pv_options',
  'lvg.vg_options',
  'lvol.opts',
  'migrate.dest',
  'migrate.dest_uri',
  'migrate.ping_from',
  'mount.src',
  'nfs_export.clients',
  'package.disablerepo',
  'user.password',
  'virt.xml',
  'virt_domain.peers',
  'virt_domain.xml',
  'yum_repository.bandwidth',
  'yum_repository.ca_cert',
  'yum_repository.client_cert',
  'yum_repository.client_key',
  'yum_repository.cost',
  'yum_repository.deltarpm_metadata_percentage',
  'yum_repository.deltarpm_percentage',
  'yum_repository.gpgcakey',
  'yum_repository.gpgkey',
  'yum_repository.include',
  'yum_repository.includepkgs',
  'yum_repository.metadata_expire',
  'yum_repository.metalink',
  'yum_repository.mirrorlist',
  'yum_repository.mirrorlist_expire',
  'yum_repository.proxy',
  'yum_repository.proxy_username',
  'yum_repository.retries',
  'yum_repository.sslcacert',
  'yum_repository.sslclientcert',
  'yum_repository.sslclientkey',
  'yum_repository.throttle',
  'yum_repository.timeout',
  'yum_repository.ui_repoid_vars',
  'yum_repository.username',
]);

const registered = [...modules.values()];
const matrix = registered.flatMap((module) =>
  stringArguments(module.name)
    .filter(({ argument }) => CONTROLLER_ONLY[module.name]?.[argument] === undefined)
    .map(({ argument, shape }) => ({ module, name: module.name, argument, shape })),
);

describe('the hostile corpus in every module argument', () => {
  it('samples every way of escaping quotes from the corpus', () => {
    expect(HOSTILE_VALUES.filter((value) => SAMPLE.has(value))).toHaveLength(SAMPLE.size);
  });

  it('enumerates the registry: every module, with the string arguments of its schema', () => {
    expect(registered.length).toBeGreaterThan(50);
    expect(new Set(matrix.map(({ name }) => name)).size).toBeGreaterThan(40);
    expect(matrix.length).toBeGreaterThan(200);
  });

  it.each(matrix.filter(({ name, argument }) => !UNTRIAGED.has(`${name}.${argument}`)))('$name $argument: refused with a position, or arrives intact', async ({ module, name, argument, shape }) => {
    const directory = mkdtempSync(join(root, `${name}-${argument}-`));
    chmodSync(directory, 0o777);
    const base = baseFor(name, argument);
    const written = writePlaybook(directory, name, base.args, argument, shape, HOSTILE_VALUES);
    const issues = loadIssues(written.file);
    const problems: string[] = [];
    const accepted: { label: string; value: string; jobs: Job[] }[] = [];
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
      const args = { ...base.args, [argument]: shape === 'list' ? [value] : value };
      let planned: Planned;
      try {
        planned = plan(module, base, args);
      } catch (error) {
        problems.push(`${label}: accepted at validation, then planning threw: ${(error as Error).message}`);
        return;
      }
      // Only the commands that carry the value: the others run the same whatever it is.
      const jobs: Job[] = [...planned.probes.map((command) => ({ command })), ...planned.steps.map(({ command, stdin }) => ({ command, stdin }))].filter(
        (job) => carries(job, value),
      );
      accepted.push({ label, value, jobs });
    });
    const jobs = accepted.flatMap((entry) => entry.jobs);
    const results = await Promise.all(SHELLS.map((shell) => runUnderStubs(jobs, shell, directory)));
    for (const [which, shell] of SHELLS.entries()) {
      const ran = results[which]!;
      let next = 0;
      for (const { label, value, jobs: mine } of accepted) {
        const runs = ran.slice(next, next + mine.length);
        next += mine.length;
        const unknown = runs.flatMap((run) => run.stderr.match(/^.*not found.*$/gm) ?? []);
        if (unknown.length > 0) problems.push(`${label} (${shell}): a program outside the stubs ran: ${unknown.join(' | ')}`);
        const stray = runs.flatMap((run) => run.created);
        if (stray.length > 0) problems.push(`${label} (${shell}): files appeared: ${stray.join(', ')}`);
        if (arrival(value, runs, mine) === undefined) problems.push(`${label} (${shell}): the value reached no program intact (${mine.length} commands)`);
      }
      if (!canaryBefore && existsSync('/tmp/never')) problems.push(`${shell}: /tmp/never appeared`);
    }
    expect(problems).toEqual([]);
  });
});
