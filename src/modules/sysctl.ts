import type { SysctlArgs } from '../schema/generated/sysctl.js';
import { sh, type Command } from '../shell/command.js';
import { contentDiff, fileContentProbe, parseFileContent, writeFileSteps } from './lib/remote-file.js';
import { probeOutput } from './lib/probe-output.js';
import type { Diff, ModuleDefinition, Plan, Step } from './types.js';

/** Ansible's boolean words (module_utils/parsing/convert_bool.py), which sysctl writes as 1 and 0. */
const TRUE_WORDS = new Set(['y', 'yes', 'on', '1', 'true', 't']);
const FALSE_WORDS = new Set(['n', 'no', 'off', '0', 'false', 'f']);

export const sysctlModule: ModuleDefinition<SysctlArgs> = {
  name: 'sysctl',
  summary: "A kernel parameter in /etc/sysctl.conf (or sysctl_file) and optionally the running kernel (Ansible's ansible.posix.sysctl)",
  probe: (args) => ({
    file: fileContentProbe(fileOf(args)),
    running: sh`${sysctl(args)} -n ${nameOf(args)}`,
  }),
  plan: (args, probes) => {
    const current = parseFileContent(probeOutput(probes, 'file'));
    const path = fileOf(args);
    if (current.state !== null && current.content === undefined) return { kind: 'fail', message: `${path} is not a regular file of a readable size` };
    const running = probeOutput(probes, 'running');
    return planSysctl(args, {
      text: current.content?.toString('utf8'),
      state: current.state,
      running: running.code === 0 ? running.stdout : undefined,
    });
  },
};

function nameOf(args: SysctlArgs): string {
  return (args.name ?? args.key) as string;
}

function fileOf(args: SysctlArgs): string {
  return args.sysctl_file ?? '/etc/sysctl.conf';
}

/** sysctl, with -e (unknown keys ignored) when ignoreerrors is set. */
function sysctl(args: SysctlArgs): Command {
  return args.ignoreerrors === true ? sh`sysctl -e` : sh`sysctl`;
}

/** The value as Ansible writes it: booleans and their words as 1 or 0, other text stripped. */
export function sysctlValue(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  const text = String(value);
  if (TRUE_WORDS.has(text.toLowerCase())) return '1';
  if (FALSE_WORDS.has(text.toLowerCase())) return '0';
  return text.trim();
}

/** Ansible compares values word by word: "4096 87380  6291456" equals "4096\t87380 6291456". */
function sameValue(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const left = a.trim().split(/\s+/);
  const right = b.trim().split(/\s+/);
  return left.length === right.length && left.every((word, index) => word === right[index]);
}

/** A settings line: not blank, no comment (# or ;), holding "=". */
function setting(line: string): { key: string; value: string } | undefined {
  if (line === '' || line.startsWith('#') || line.startsWith(';') || !line.includes('=')) return undefined;
  const equals = line.indexOf('=');
  return { key: line.slice(0, equals).trim(), value: line.slice(equals + 1).trim() };
}

/**
 * The file as Ansible's sysctl reads and rewrites it: each line stripped; the first line of each key
 * kept as key=value (later lines of the same key dropped), the parameter's line replaced (present)
 * or dropped (absent), and appended when missing. Returns the value the file gave the parameter
 * (its last line wins, as in Ansible).
 */
export function editSysctlFile(text: string, name: string, wanted: string | undefined): { text: string; fileValue: string | undefined } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const stripped = lines.map((line) => line.trim());
  let fileValue: string | undefined;
  for (const line of stripped) {
    const parsed = setting(line);
    if (parsed?.key === name) fileValue = parsed.value;
  }
  const seen = new Set<string>();
  const fixed: string[] = [];
  for (const line of stripped) {
    const parsed = setting(line);
    if (parsed === undefined) {
      fixed.push(line);
      continue;
    }
    if (seen.has(parsed.key)) continue;
    seen.add(parsed.key);
    if (parsed.key !== name) fixed.push(`${parsed.key}=${parsed.value}`);
    else if (wanted !== undefined) fixed.push(`${name}=${wanted}`);
  }
  if (!seen.has(name) && wanted !== undefined) fixed.push(`${name}=${wanted}`);
  return { text: fixed.map((line) => `${line}\n`).join(''), fileValue };
}

interface Observed {
  /** The file's text; undefined when it does not exist. */
  text: string | undefined;
  state: ReturnType<typeof parseFileContent>['state'];
  /** `sysctl -n NAME`'s output; undefined when the key cannot be read. */
  running: string | undefined;
}

function planSysctl(args: SysctlArgs, observed: Observed): Plan {
  const name = nameOf(args);
  const path = fileOf(args);
  const present = (args.state ?? 'present') === 'present';
  const value = sysctlValue(args.value ?? args.val);
  const edited = editSysctlFile(observed.text ?? '', name, present ? value : undefined);
  // As Ansible: the file is written only when the parameter's value in it differs (or a line must go).
  const writeFile = present ? !sameValue(edited.fileValue, value) : edited.fileValue !== undefined && edited.fileValue !== '';
  const steps: Step[] = [];
  const diff: Diff[] = [];
  const actions: string[] = [];
  if (writeFile) {
    steps.push(...writeFileSteps(path, Buffer.from(edited.text), {}, observed.state));
    diff.push(contentDiff(path, observed.text === undefined ? undefined : Buffer.from(observed.text), Buffer.from(edited.text)));
    actions.push(present ? `set ${name}=${value} in ${path}` : `remove ${name} from ${path}`);
  }
  if (args.sysctl_set === true && present) {
    if (observed.running === undefined) {
      if (args.ignoreerrors !== true) return { kind: 'fail', message: `sysctl ${name}: the running kernel has no such key (sysctl -n ${name} failed)` };
    } else if (!sameValue(observed.running, value)) {
      steps.push({ title: `sysctl -w ${name}`, command: sh`${sysctl(args)} -w ${`${name}=${value}`}`, failureMessage: `setting ${name} failed` });
      diff.push({ label: `sysctl ${name}`, before: `${observed.running.trim()}\n`, after: `${value}\n` });
      actions.push(`set the running ${name} to ${value}`);
    }
  }
  if (steps.length === 0) {
    const where = args.sysctl_set === true && present ? `${path} and the running kernel` : path;
    return { kind: 'noop', reason: present ? `${name} is ${value} in ${where}` : `${name} is not set in ${path}` };
  }
  if (args.reload !== false) {
    steps.push({ title: `sysctl -p ${path}`, command: sh`${sysctl(args)} -p ${path}`, failureMessage: `Failed to reload sysctl from ${path}` });
    actions.push(`reload ${path}`);
  }
  return { kind: 'change', summary: actions.join('; '), diff, steps };
}
