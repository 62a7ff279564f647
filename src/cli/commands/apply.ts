import { renameSync, writeFileSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { dirname, basename, join } from 'node:path';
import type { RunEvent } from '../../engine/events.js';
import { runPlaybook } from '../../engine/runner.js';
import type { HostKeyPolicy } from '../../transport/types.js';
import { createReporter } from '../../report/reporter.js';
import { EXIT } from '../exit-codes.js';
import { loadForRun } from './load.js';

export interface ApplyOptions {
  inventory?: string;
  limit?: string;
  extraVars: string[];
  tags: string[];
  skipTags: string[];
  forks: number;
  diff: boolean;
  check: boolean;
  /** `runbook check`: finish with the list of steps not yet in place, per host. */
  pending?: boolean;
  hostKeyPolicy: HostKeyPolicy;
  connectTimeout: number;
  timeout?: number;
  json?: string;
}

export async function applyCommand(playbookPath: string, options: ApplyOptions): Promise<number> {
  const loaded = loadForRun(playbookPath, options);
  if (!loaded.ok) return EXIT.invalidInput;
  const { playbook, inventory, extraVars } = loaded;

  const reporter = await createReporter({ stdout: process.stdout, env: process.env, pending: Boolean(options.pending), json: Boolean(options.json) });
  const controller = new AbortController();
  // Every running step, and every until delay, listens for Ctrl-C: with --forks N, about N at once
  // (a step on another host, as in migration, adds one), so the leak warning starts above that.
  setMaxListeners(Math.max(10, 2 * options.forks + 1), controller.signal);
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    process.stderr.write('\nInterrupted: finishing the running commands (Ctrl-C again to quit at once)\n');
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  let summary;
  try {
    summary = await runPlaybook(
      playbook,
      inventory,
      {
        check: options.check,
        diff: options.diff,
        forks: options.forks,
        limit: options.limit,
        tags: options.tags,
        skipTags: options.skipTags,
        extraVars,
        hostKeyPolicy: options.hostKeyPolicy,
        connectTimeoutMs: options.connectTimeout * 1000,
        commandTimeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
        signal: controller.signal,
      },
      (event: RunEvent) => reporter.listener(event),
    );
  } finally {
    process.off('SIGINT', interrupt);
  }
  await reporter.done();
  if (options.json) writeAtomically(options.json, `${JSON.stringify(reporter.jsonReport(), null, 2)}\n`);

  if (summary.interrupted) return EXIT.interrupted;
  const totals = Object.values(summary.recap);
  if (totals.some((host) => host.unreachable > 0)) return EXIT.unreachable;
  if (totals.some((host) => host.failed > 0)) return EXIT.taskFailed;
  return EXIT.ok;
}

/** A report is either complete or absent: write beside the target, then rename over it. */
function writeAtomically(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
