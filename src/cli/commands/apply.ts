import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { hostname, userInfo } from 'node:os';
import type { RunEvent } from '../../engine/events.js';
import { runPlaybook } from '../../engine/runner.js';
import { RunbookError } from '../../errors.js';
import { findStep, gradeSteps, lastTaskOf } from '../../grade/grade.js';
import type { Playbook } from '../../load/model.js';
import type { HostKeyPolicy } from '../../transport/types.js';
import { createReporter } from '../../report/reporter.js';
import { writeAtomically } from '../atomic-write.js';
import { EXIT } from '../exit-codes.js';
import { assertPod, podLimit } from '../pod-options.js';
import { DEFAULT_LOCK_TIMEOUT_S, runSettings } from '../run-settings.js';
import { listenForInterrupts } from '../signals.js';
import { loadForRun } from './load.js';

export interface ApplyOptions {
  inventory?: string;
  limit?: string;
  extraVars: string[];
  tags: string[];
  skipTags: string[];
  /** Unset: ansible.cfg's forks, else runbook's default. */
  forks?: number;
  diff: boolean;
  check: boolean;
  /** `runbook check`: finish with the list of steps not yet in place, per host. */
  pending?: boolean;
  /** Only this classroom pod's hosts. */
  pod?: string;
  /** Stop at the end of this step (number or name, as grade numbers them). */
  upTo?: string;
  hostKeyPolicy?: HostKeyPolicy;
  connectTimeout?: number;
  timeout?: number;
  /** Seconds to wait for another run's lock on a host (0: do not wait). */
  lockTimeout?: number;
  json?: string;
}

export async function applyCommand(playbookPath: string, options: ApplyOptions): Promise<number> {
  const loaded = loadForRun(playbookPath, options);
  if (!loaded.ok) return EXIT.invalidInput;
  const { playbook, inventory, extraVars } = loaded;
  const settings = runSettings(options, loaded.ansibleConfig);
  if (options.pod !== undefined) assertPod(inventory, options.pod);
  const lastTask = options.upTo === undefined ? undefined : lastTaskOfStep(playbook, options.upTo);

  const reporter = await createReporter({ stdout: process.stdout, env: process.env, pending: Boolean(options.pending), json: Boolean(options.json) });
  const controller = new AbortController();
  // Every running step, and every until delay, listens for Ctrl-C: with --forks N, about N at once
  // (a step on another host, as in migration, adds one), so the leak warning starts above that.
  setMaxListeners(Math.max(10, 2 * settings.forks + 1), controller.signal);
  const interrupts = listenForInterrupts(controller, 'Interrupted: stopping the running commands (Ctrl-C again to quit at once)');
  let summary;
  try {
    summary = await runPlaybook(
      playbook,
      inventory,
      {
        check: options.check,
        diff: options.diff,
        forks: settings.forks,
        limit: podLimit(options.limit, options.pod),
        tags: options.tags,
        skipTags: options.skipTags,
        extraVars,
        hostKeyPolicy: settings.hostKeyPolicy,
        connectTimeoutMs: settings.connectTimeoutMs,
        connectionDefaults: settings.connectionDefaults,
        commandTimeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
        signal: controller.signal,
        ...(lastTask === undefined ? {} : { lastTask }),
        // A dry run writes nothing: it neither takes nor waits for the run lock.
        ...(options.check ? {} : { lock: { owner: lockOwner(playbookPath), timeoutMs: (options.lockTimeout ?? DEFAULT_LOCK_TIMEOUT_S) * 1000 } }),
      },
      (event: RunEvent) => reporter.listener(event),
    );
    await reporter.done();
    if (options.json) writeAtomically(options.json, `${JSON.stringify(reporter.jsonReport(), null, 2)}\n`);
  } finally {
    // Listening until the recap is out: a Ctrl-C while connections close must not kill the process mid-output.
    interrupts.dispose();
  }

  if (summary.interrupted) return interrupts.exitCode() ?? EXIT.interrupted;
  const totals = Object.values(summary.recap);
  if (totals.some((host) => host.unreachable > 0)) return EXIT.unreachable;
  if (totals.some((host) => host.failed > 0)) return EXIT.taskFailed;
  return EXIT.ok;
}

/** The task where --up-to STEP stops: the last task of that step. */
function lastTaskOfStep(playbook: Playbook, wanted: string): string {
  const plan = gradeSteps(playbook);
  const step = findStep(plan, wanted);
  if (step === undefined) {
    throw new RunbookError('RB_USAGE', `${playbook.file} has no step ${JSON.stringify(wanted)}`, {
      hint: `its steps: ${plan.steps.map((each) => `${each.number} "${each.name}"`).join(', ')}`,
    });
  }
  return lastTaskOf(plan, step);
}

/** This run, as it records itself in the run lock of every host it writes to. */
function lockOwner(playbookPath: string): { who: string; pid: number; playbook: string; token: string } {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? 'unknown';
  }
  return { who: `${user}@${hostname()}`, pid: process.pid, playbook: playbookPath, token: randomBytes(8).toString('hex') };
}
