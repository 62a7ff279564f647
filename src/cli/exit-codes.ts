/** Exit statuses, documented in the README. */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  invalidInput: 2,
  unreachable: 3,
  internal: 70,
  /** Ctrl-C (SIGINT). */
  interrupted: 130,
  /** SIGTERM. */
  terminated: 143,
} as const;
