import type { SlurpArgs } from '../schema/generated/slurp.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition } from './types.js';

/** Exit status of the probe when the file does not exist, and when it is a directory. */
const ABSENT_EXIT = 3;
const DIRECTORY_EXIT = 4;

export const slurpModule: ModuleDefinition<SlurpArgs> = {
  name: 'slurp',
  summary: "Read a file from the host into a registered variable (content, base64-encoded)",
  // `[ -e ]` follows links, as Ansible's os.path.exists does; reading follows them too.
  probe: (args) => ({
    slurp: sh`if [ -d ${sourceOf(args)} ]; then exit ${DIRECTORY_EXIT}; elif [ ! -e ${sourceOf(args)} ]; then exit ${ABSENT_EXIT}; fi; base64 -w0 < ${sourceOf(args)}`,
  }),
  plan(args, probes) {
    const source = sourceOf(args);
    const read = probeOutput(probes, 'slurp');
    // Ansible's messages.
    if (read.code === ABSENT_EXIT) return { kind: 'fail', message: `file not found: ${source}` };
    if (read.code === DIRECTORY_EXIT) return { kind: 'fail', message: 'source is a directory and must be a file' };
    if (read.code !== 0) {
      const reason = read.stderr.trim() || `exit ${read.code ?? read.signal ?? 'unknown'}`;
      return { kind: 'fail', message: `file is not readable: ${source} (${reason})` };
    }
    const content = read.stdout.trim();
    const bytes = Buffer.from(content, 'base64').length;
    return {
      kind: 'noop',
      reason: `read ${source} (${bytes} bytes)`,
      result: { content, encoding: 'base64', source },
    };
  },
};

function sourceOf(args: SlurpArgs): string {
  return (args.src ?? args.path) as string;
}
