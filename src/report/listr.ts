import { Listr, type ListrTaskWrapper } from 'listr2';
import type { RunEvent, TaskResult } from '../engine/events.js';
import { lockLine } from './lock-line.js';
import { formatRunEnd } from './recap.js';
import type { Style } from './style.js';
import { resultDetails, splitMessage } from './task-line.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

type HostWrapper = ListrTaskWrapper<unknown, never, never>;

/**
 * Terminal output: each playbook task is a listr2 tree with a row per host that shows progress
 * while it runs and the result when done. The engine is never blocked: events are queued and each
 * task's tree renders after the previous one finished.
 */
export function listrReporter(
  write: (line: string) => void,
  style: Style,
): { listener: (event: RunEvent) => void; done(): Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  let check = false;
  let diff = false;
  const hostResults = new Map<string, Deferred<TaskResult>>();
  const hostRows = new Map<string, HostWrapper>();
  const tasksDetails = new Map<string, Array<Extract<RunEvent, { type: 'host:task:end' }>>>();
  /** The task each host is running now: a run-lock event shows in that task's row. */
  const hostTask = new Map<string, string>();
  /** Run-lock lines by task (printed below its tree) and by row (shown in the row while it runs). */
  const taskNotes = new Map<string, string[]>();
  const rowNotes = new Map<string, string>();
  const key = (taskId: string, host: string) => `${taskId}\u0000${host}`;

  const renderTask = (event: Extract<RunEvent, { type: 'task:start' }>): Promise<void> => {
    const position = style.dim(`${event.position.file}:${event.position.line}`);
    const list = new Listr(
      [
        {
          title: `${event.handler ? 'handler: ' : ''}${event.name} ${position}`,
          task: (_context, task) =>
            task.newListr(
              event.hosts.map((host) => ({
                title: host,
                task: async (_hostContext: unknown, row: HostWrapper) => {
                  hostRows.set(key(event.taskId, host), row);
                  const note = rowNotes.get(key(event.taskId, host));
                  if (note) row.output = note;
                  const result = await hostResults.get(key(event.taskId, host))!.promise;
                  const { first } = splitMessage(result.message);
                  const label = result.ignored ? 'failed (ignored)' : result.status;
                  row.title = `${host} ${style.status(result.status, label)} ${style.dim(first)}`;
                  if (result.status === 'skipped') row.skip(row.title);
                  if (result.status === 'failed' || result.status === 'unreachable') throw new Error(row.title);
                },
              })),
              { concurrent: true, exitOnError: false },
            ),
        },
      ],
      {
        exitOnError: false,
        renderer: 'default',
        // collapseSkips: a skipped row shows its title (which holds the reason) once, not again below it.
        rendererOptions: { collapseSubtasks: false, collapseErrors: false, collapseSkips: true, showErrorMessage: false },
      },
    );
    return list.run().then(
      () => undefined,
      () => undefined,
    );
  };

  const printDetails = (event: Extract<RunEvent, { type: 'host:task:end' }>) => {
    const { rest } = splitMessage(event.result.message);
    const details = [...rest, ...resultDetails(event.result, style, { diff, check })];
    if (details.length === 0) return;
    write(style.bold(`  ${event.host}:`));
    for (const line of details) write(`    ${line}`);
  };

  const listener = (event: RunEvent): void => {
    switch (event.type) {
      case 'run:start':
        check = event.check;
        diff = event.diff;
        if (check) chain = chain.then(() => write(style.warning('CHECK MODE: nothing will be changed')));
        break;
      case 'play:start':
        chain = chain.then(() => write(style.bold(`PLAY [${event.name}]`)));
        break;
      case 'task:start': {
        for (const host of event.hosts) hostResults.set(key(event.taskId, host), deferred());
        const pending: Array<Extract<RunEvent, { type: 'host:task:end' }>> = [];
        tasksDetails.set(event.taskId, pending);
        const notes: string[] = [];
        taskNotes.set(event.taskId, notes);
        chain = chain
          .then(() => renderTask(event))
          .then(() => {
            for (const note of notes) write(`  ${style.warning(note)}`);
            pending.forEach(printDetails);
          });
        break;
      }
      case 'host:task:start':
        hostTask.set(event.host, event.taskId);
        break;
      case 'host:lock:wait':
      case 'host:lock:taken':
      case 'host:lock:unavailable': {
        const line = lockLine(event);
        const taskId = hostTask.get(event.host);
        const notes = taskId === undefined ? undefined : taskNotes.get(taskId);
        if (taskId === undefined || !notes) {
          chain = chain.then(() => write(`  ${style.warning(line)}`));
          break;
        }
        notes.push(line);
        rowNotes.set(key(taskId, event.host), line);
        const row = hostRows.get(key(taskId, event.host));
        if (row) row.output = line;
        break;
      }
      case 'host:task:progress': {
        const row = hostRows.get(key(event.taskId, event.host));
        if (row) row.output = [event.percent === undefined ? '' : `${event.percent}%`, event.message ?? ''].join(' ').trim();
        break;
      }
      case 'host:task:end':
        tasksDetails.get(event.taskId)?.push(event);
        hostResults.get(key(event.taskId, event.host))?.resolve(event.result);
        break;
      case 'run:end':
        chain = chain.then(() => formatRunEnd(event.recap, event.interrupted, style, check, event.pods).forEach(write));
        break;
      default:
        break;
    }
  };
  return { listener, done: () => chain };
}
