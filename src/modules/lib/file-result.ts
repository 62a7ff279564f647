import { fileStateProbe, parseFileState, type FileState } from './remote-file.js';
import type { Plan, ProbeResults } from '../types.js';

/** Capture key of the step that reads the written file back. */
const WRITTEN = 'written';

/** Ansible's file return values (copy, template): what stat says of the file. */
export function fileResult(state: FileState): Record<string, unknown> {
  return { state: 'file', mode: state.mode, owner: state.owner, group: state.group, uid: state.uid, gid: state.gid, size: state.size };
}

/**
 * Adds Ansible's return values to a write plan: `values` always, and the file's own (mode, owner,
 * uid, …) from the probe when nothing changes, or read back after the write (not in check mode).
 */
export function withFileResult(plan: Plan, current: FileState | null, path: string, values: Record<string, unknown>): Plan {
  if (plan.kind === 'noop') return { ...plan, result: { ...values, ...(current === null ? {} : fileResult(current)), ...plan.result } };
  if (plan.kind === 'fail') return { ...plan, result: { ...values, ...plan.result } };
  if (plan.kind !== 'change') return plan;
  return {
    ...plan,
    result: { ...values, ...plan.result },
    steps: [...plan.steps, { title: `read back ${path}`, command: fileStateProbe(path), capture: WRITTEN }],
    finish: (captured: ProbeResults) => {
      const written = captured[WRITTEN];
      const state = written === undefined ? null : parseFileState(written);
      return { result: state === null ? {} : fileResult(state) };
    },
  };
}
