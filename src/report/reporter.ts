import type { RunEvent } from '../engine/events.js';
import { jsonCollector, type JsonReport } from './json.js';
import { pendingCollector } from './pending.js';
import { plainReporter } from './plain.js';
import { colorWanted, createStyle } from './style.js';

export interface Reporter {
  listener(event: RunEvent): void;
  /** Resolves when everything has been written. */
  done(): Promise<void>;
  jsonReport(): JsonReport;
}

/** A task tree on a terminal, plain lines otherwise (logs, CI); colour unless NO_COLOR or not a terminal. */
export async function createReporter(options: {
  stdout: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  pending: boolean;
  json: boolean;
}): Promise<Reporter> {
  const style = createStyle(colorWanted(options.stdout, options.env));
  const write = (line: string) => options.stdout.write(`${line}\n`);
  // A terminal that reports no width (e.g. under `script`) would wrap every character: use lines there.
  const terminal = options.stdout.isTTY && options.env.TERM !== 'dumb' && (options.stdout.columns ?? 0) > 0;
  // listr2 is loaded only for a terminal.
  const screen = terminal
    ? (await import('./listr.js')).listrReporter(write, style)
    : { listener: plainReporter(write, style), done: async () => undefined };
  const json = jsonCollector();
  const pending = pendingCollector();
  return {
    listener(event) {
      screen.listener(event);
      if (options.json) json.listener(event);
      if (options.pending) pending.listener(event);
    },
    async done() {
      await screen.done();
      if (options.pending) write(pending.format(style));
    },
    jsonReport: () => json.report(),
  };
}
