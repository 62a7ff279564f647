import { EXIT } from './exit-codes.js';

/** The exit status for each signal that stops a run: 128 + its number, as shells report it. */
const EXIT_BY_SIGNAL = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated } as const;

type StopSignal = keyof typeof EXIT_BY_SIGNAL;

export interface Interrupts {
  /** The exit status for the first SIGINT or SIGTERM received; undefined while none came. */
  exitCode(): number | undefined;
  /** Stops listening. */
  dispose(): void;
}

/**
 * Ctrl-C (SIGINT) or SIGTERM aborts `controller`: running commands are stopped on their hosts and the
 * run ends with its recap. A second one of either quits at once. `notice` is written to stderr on the first.
 */
export function listenForInterrupts(controller: AbortController, notice?: string): Interrupts {
  let received: StopSignal | undefined;
  const listeners = (Object.keys(EXIT_BY_SIGNAL) as StopSignal[]).map((name) => {
    const listener = (): void => {
      if (controller.signal.aborted) process.exit(EXIT_BY_SIGNAL[name]);
      received = name;
      if (notice !== undefined) process.stderr.write(`\n${notice}\n`);
      controller.abort();
    };
    process.on(name, listener);
    return { name, listener };
  });
  return {
    exitCode: () => (received === undefined ? undefined : EXIT_BY_SIGNAL[received]),
    dispose: () => {
      for (const { name, listener } of listeners) process.off(name, listener);
    },
  };
}
