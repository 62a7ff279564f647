/* Generated from schemas/modules/pause.schema.json by scripts/gen-types.mjs. Do not edit: change the schema and run npm run gen:types. */

/**
 * Pause for a number of seconds or minutes (each host of the play at the same time), then continue; registers start, stop and delta. Changes nothing. runbook never reads a keyboard, so a pause without seconds or minutes (waiting for Enter at a prompt) is refused: give seconds or minutes.
 */
export type PauseArgs = (
  | {
      seconds: unknown;
    }
  | {
      minutes: unknown;
    }
) & {
  /**
   * Seconds to pause. Give seconds or minutes: without one, Ansible would wait for Enter, which runbook cannot do. As in Ansible, 0 or less pauses 1 second.
   */
  seconds?: number;
  /**
   * Minutes to pause. As in Ansible, 0 or less pauses 1 second.
   */
  minutes?: number;
  /**
   * A message shown while pausing (with seconds or minutes: no input is read, as in Ansible).
   */
  prompt?: string;
  /**
   * Whether typed input would be shown; has no effect with seconds or minutes (as in Ansible). Registered as `echo`.
   */
  echo?: boolean;
};
