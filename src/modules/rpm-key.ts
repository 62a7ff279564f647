import type { RpmKeyArgs } from '../schema/generated/rpm_key.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults } from './types.js';

/** Exit status of the key probe when the key is not a file. */
const NOT_A_FILE = 3;

export const rpmKeyModule: ModuleDefinition<RpmKeyArgs> = {
  name: 'rpm_key',
  summary: "A GPG key imported in (or erased from) the rpm database (Ansible's rpm_key)",
  probe: (args) => ({
    tools: sh`command -v rpm >/dev/null && { command -v gpg || command -v gpg2; }`,
    // The key file's key id and fingerprint, as gpg lists them.
    key: isPath(args.key)
      ? sh`if [ -f ${args.key} ]; then "$(command -v gpg || command -v gpg2)" --no-tty --batch --with-colons --fixed-list-mode --with-fingerprint ${args.key}; else exit ${NOT_A_FILE}; fi`
      : sh`true`,
    // The key ids of the imported keys; no output when there are none.
    imported: sh`if rpm -q gpg-pubkey >/dev/null 2>&1; then rpm -q gpg-pubkey --qf '%{description}' | "$(command -v gpg || command -v gpg2)" --no-tty --batch --with-colons --fixed-list-mode -; fi`,
  }),
  plan: (args, probes) => planRpmKey(args, probes),
};

function isPath(key: string): boolean {
  return key.startsWith('/');
}

/** Ansible's normalize_keyid: no 0x, upper case. */
function normalizeKeyid(keyid: string): string {
  const upper = keyid.trim().toUpperCase();
  return upper.startsWith('0X') ? upper.slice(2) : upper;
}

/** The first field of `kind` lines in gpg's --with-colons output (pub: key id is field 5, fpr: fingerprint field 10). */
function colonField(stdout: string, kind: string, index: number): string[] {
  return stdout
    .split('\n')
    .map((line) => line.trim().split(':'))
    .filter((fields) => fields[0] === kind)
    .map((fields) => fields[index] ?? '');
}

function planRpmKey(args: RpmKeyArgs, probes: ProbeResults): Plan {
  const tools = probeOutput(probes, 'tools');
  if (tools.code !== 0) return { kind: 'fail', message: 'Failed to find required executables rpm and gpg (or gpg2)' };
  let keyid: string;
  let keyOutput = '';
  if (isPath(args.key)) {
    const key = probeOutput(probes, 'key');
    if (key.code === NOT_A_FILE) return { kind: 'fail', message: `Not a valid key ${args.key}` };
    if (key.code !== 0) return { kind: 'fail', message: key.stderr.trim() };
    keyOutput = key.stdout;
    const [pub] = colonField(keyOutput, 'pub', 4);
    if (pub === undefined) return { kind: 'fail', message: 'Unexpected gpg output' };
    keyid = normalizeKeyid(pub);
  } else {
    keyid = normalizeKeyid(args.key);
  }
  const imported = probeOutput(probes, 'imported');
  if (imported.code !== 0) return { kind: 'fail', message: imported.stderr.trim() };
  // As Ansible: the key id is found within an imported key's id.
  const isImported = colonField(imported.stdout, 'pub', 4).some((id) => id.includes(keyid));
  const present = (args.state ?? 'present') === 'present';
  if (present === isImported) return { kind: 'noop', reason: `key ${keyid} is ${present ? 'already' : 'not'} imported` };
  if (!present) {
    const name = `gpg-pubkey-${keyid.slice(-8).toLowerCase()}`;
    return { kind: 'change', summary: `erase key ${keyid}`, steps: [{ title: `rpm --erase ${name}`, command: sh`rpm --erase --allmatches ${name}` }] };
  }
  if (!isPath(args.key)) return { kind: 'fail', message: 'When importing a key, a valid file must be given' };
  if (args.fingerprint !== undefined) {
    const wanted = args.fingerprint.replaceAll(' ', '').toUpperCase();
    const [actual = ''] = colonField(keyOutput, 'fpr', 9);
    if (wanted !== actual) return { kind: 'fail', message: `The specified fingerprint, '${wanted}', does not match the key fingerprint '${actual}'` };
  }
  return { kind: 'change', summary: `import key ${keyid} from ${args.key}`, steps: [{ title: `rpm --import ${args.key}`, command: sh`rpm --import ${args.key}` }] };
}
