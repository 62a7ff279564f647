import type { PingArgs } from '../schema/generated/ping.js';
import { sh } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition } from './types.js';

/** What the host answers when it ran the probe (with become, as the task's user). */
const ANSWER = 'pong';

export const pingModule: ModuleDefinition<PingArgs> = {
  name: 'ping',
  summary: 'Prove that the host can be logged in to and runs commands; registers ping: pong',
  probe: () => ({ ping: sh`echo ${ANSWER}` }),
  plan(args, probes) {
    const data = args.data ?? 'pong';
    const answer = probeOutput(probes, 'ping');
    if (answer.code !== 0 || answer.stdout.trim() !== ANSWER) {
      const reason = answer.stderr.trim() || `exit ${answer.code ?? answer.signal ?? 'unknown'}`;
      return { kind: 'fail', message: `the host did not run the ping command: ${reason}` };
    }
    // As Ansible's ping does, on purpose: a way to test failure handling.
    if (data === 'crash') return { kind: 'fail', message: 'boom' };
    return { kind: 'noop', reason: 'the host answered', message: data, result: { ping: data } };
  },
};
