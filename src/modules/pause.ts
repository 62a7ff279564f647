import type { PauseArgs } from '../schema/generated/pause.js';
import { RunbookError } from '../errors.js';
import { sh } from '../shell/command.js';
import type { ModuleDefinition } from './types.js';

/** The clock read before and after the pause: epoch seconds, then Ansible's start/stop format. */
const CLOCK = sh`date '+%s.%N %Y-%m-%d %H:%M:%S.%6N'`;

export const pauseModule: ModuleDefinition<PauseArgs> = {
  name: 'pause',
  summary: 'Pause for a number of seconds or minutes',
  // No first-round probe: a pause must not be read ahead with earlier tasks' probes. plan() asks
  // for it in a later round, which runs when this task's turn comes (in check mode too, as Ansible).
  plan(args, probes, context) {
    const unit = args.minutes !== undefined ? 'minutes' : 'seconds';
    const given = args.minutes ?? args.seconds ?? 0;
    // As in Ansible: 0 or less pauses 1 second.
    const seconds = given < 1 ? 1 : unit === 'minutes' ? given * 60 : given;
    const paused = probes.pause;
    // The task's nonce keeps this read from being taken from the cache of an identical earlier pause.
    if (paused === undefined) return { kind: 'probe', probes: { pause: sh`: ${context.nonce}; ${CLOCK} && sleep ${seconds} && ${CLOCK}` } };
    const [start, stop] = paused.stdout.trim().split('\n').map(parseClock);
    if (paused.code !== 0 || start === undefined || stop === undefined) {
      const reason = paused.stderr.trim() || `exit ${paused.code ?? paused.signal ?? 'unknown'}`;
      return { kind: 'fail', message: `the pause was cut short: ${reason}` };
    }
    const elapsed = stop.epoch - start.epoch;
    const duration = Math.round((unit === 'minutes' ? elapsed / 60 : elapsed) * 100) / 100;
    const stdout = `Paused for ${duration} ${unit}`;
    return {
      kind: 'noop',
      reason: stdout,
      message: args.prompt === undefined ? stdout : `${args.prompt}: ${stdout}`,
      result: { start: start.text, stop: stop.text, delta: Math.trunc(elapsed), echo: args.echo ?? true, user_input: '', stdout, rc: 0 },
    };
  },
};

function parseClock(line: string): { epoch: number; text: string } {
  const match = /^(\d+(?:\.\d+)?) (.+)$/.exec(line);
  if (!match) throw new RunbookError('RB_COMMAND_FAILED', `unexpected output from the pause: ${JSON.stringify(line)}`);
  return { epoch: Number(match[1]), text: match[2] as string };
}
