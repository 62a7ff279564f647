/** Exit statuses, documented in the README. */
export const EXIT = {
  ok: 0,
  taskFailed: 1,
  invalidInput: 2,
  unreachable: 3,
  internal: 70,
  interrupted: 130,
} as const;
