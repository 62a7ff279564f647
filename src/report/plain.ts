import type { RunEvent } from '../engine/events.js';
import { lockLine } from './lock-line.js';
import { formatRunEnd } from './recap.js';
import type { Style } from './style.js';
import { resultDetails, splitMessage } from './task-line.js';

/** Line output for logs and CI (stdout not a terminal): one line per play, task and host result. */
export function plainReporter(write: (line: string) => void, style: Style): (event: RunEvent) => void {
  let check = false;
  let diff = false;
  return (event) => {
    switch (event.type) {
      case 'run:start':
        check = event.check;
        diff = event.diff;
        if (check) write(style.warning('CHECK MODE: nothing will be changed'));
        break;
      case 'play:start':
        write(style.bold(`PLAY [${event.name}] hosts: ${event.hosts.join(', ') || '(none)'}`));
        break;
      case 'task:start':
        write(`${event.handler ? 'HANDLER' : 'TASK'} [${event.name}] ${style.dim(`${event.position.file}:${event.position.line}:${event.position.col}`)}`);
        break;
      case 'host:task:end': {
        const { result } = event;
        const { first, rest } = splitMessage(result.message);
        const label = result.ignored ? 'failed (ignored)' : result.status;
        write(`  ${style.status(result.status, `${label}: [${event.host}]`)} ${first}`);
        for (const line of [...rest, ...resultDetails(result, style, { diff, check })]) write(`      ${line}`);
        break;
      }
      case 'host:unreachable':
        write(style.status('unreachable', `  unreachable: [${event.host}] ${event.message}`));
        break;
      case 'host:lock:wait':
      case 'host:lock:taken':
      case 'host:lock:unavailable':
        write(`  ${style.warning(lockLine(event))}`);
        break;
      case 'run:end':
        formatRunEnd(event.recap, event.interrupted, style, check, event.pods).forEach(write);
        break;
      default:
        break;
    }
  };
}
