// How far a run got, read from each tool's own output: how many task results succeeded (ok or
// changed, summed over the hosts; pyinfra: operations), how many changed, and the first failure with
// its error on one line. A run that fails or overruns is a result for the lab benchmark, not an error.

const ANSI_ESCAPE = /\x1b\[[0-9;]*m/g;
const FAILURE_CHARS = 240;

/** One line, at most FAILURE_CHARS long. */
function oneLine(text) {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > FAILURE_CHARS ? `${line.slice(0, FAILURE_CHARS - 1)}…` : line;
}

/** runbook, from its --json report. */
export function runbookProgress(json) {
  const results = (json.plays ?? []).flatMap((play) => (play.tasks ?? []).flatMap((task) => Object.entries(task.results ?? {}).map(([host, result]) => ({ task: task.name, host, ...result }))));
  const failed = results.find((result) => result.status === 'failed' || result.status === 'unreachable');
  return {
    done: results.filter((result) => result.status === 'ok' || result.status === 'changed').length,
    changed: results.filter((result) => result.status === 'changed').length,
    failure: failed && oneLine(`"${failed.task}" on ${failed.host}: ${failed.message ?? failed.status}`),
  };
}

/**
 * The message of an Ansible result printed as `=> {json}`: its first line, and for a module that
 * crashed, the last line of its stderr (the exception); else the text itself.
 */
function ansibleMessage(text) {
  try {
    const result = JSON.parse(text);
    const crash = result.module_stderr?.trim().split('\n').at(-1);
    return [result.msg?.split('\n')[0], crash].filter(Boolean).join(': ') || text;
  } catch {
    return text;
  }
}

/**
 * ansible-playbook, from its default output: each task's result lines (a loop's items count once per
 * task and host), the first fatal or failed result, and an ERROR! that ended the run before its recap
 * (with a recap, an ERROR! line is only logged, e.g. by Mitogen).
 */
export function ansibleProgress(text) {
  const ok = new Set();
  const changed = new Set();
  let task = '';
  let failure;
  let ended;
  for (const line of text.replace(ANSI_ESCAPE, '').split('\n')) {
    const header = /^(?:TASK|RUNNING HANDLER) \[(.*)\] \**$/.exec(line);
    if (header) {
      task = header[1];
      continue;
    }
    const result = /^(ok|changed): \[([^\]\s]+)/.exec(line);
    if (result) {
      ok.add(`${task}\n${result[2]}`);
      if (result[1] === 'changed') changed.add(`${task}\n${result[2]}`);
      continue;
    }
    const failed = /^(?:fatal|failed): \[([^\]\s]+)[^\]]*\](?: \(item=.*?\))?: (?:FAILED|UNREACHABLE)! => (.*)$/.exec(line) ?? /^failed: \[([^\]\s]+)[^\]]*\] \(item=.*?\) => (.*)$/.exec(line);
    if (failed) failure ??= `"${task}" on ${failed[1]}: ${ansibleMessage(failed[2])}`;
    const error = /^ERROR! (.*)$/.exec(line);
    // Its first sentence; the rest is Ansible's advice.
    if (error) ended ??= `"${task}": ERROR! ${error[1].split('. ')[0]}`;
  }
  const recapped = /^PLAY RECAP /m.test(text);
  const described = [failure, !recapped && ended && `the run ended at ${ended}`].filter(Boolean).join('; ');
  return { done: ok.size, changed: changed.size, failure: described ? oneLine(described) : undefined };
}

/**
 * pyinfra, from its output: the per-host recap ("Changed: N  No change: N  Errors: N") and the first
 * host error under its operation, with the last line that host printed before it (the command's own
 * error); an error before any operation ran is one of planning (facts, the deploy file).
 */
export function pyinfraProgress(text) {
  let done = 0;
  let changed = 0;
  let operation;
  let failure;
  const lastOutput = new Map();
  for (const line of text.replace(ANSI_ESCAPE, '').split('\n')) {
    const recap = /^\s*\[\S+\]\s+Changed: (\d+)\s+No change: (\d+)\s+Errors: \d+/.exec(line);
    if (recap) {
      done += Number(recap[1]) + Number(recap[2]);
      changed += Number(recap[1]);
      continue;
    }
    const started = /^--> Starting operation: (.*?)\s*$/.exec(line);
    if (started) {
      operation = started[1];
      lastOutput.clear();
      continue;
    }
    const error = /^\s*\[(\S+)\] Error\b:? ?(.*)$/.exec(line);
    if (error) {
      const where = operation ? `"${operation}" on ${error[1]}` : `planning, on ${error[1]}`;
      failure ??= `${where}: ${lastOutput.get(error[1]) ?? error[2]}`;
      continue;
    }
    const output = /^\s*\[(\S+)\] (.*\S)\s*$/.exec(line);
    if (output && !/^(Success|No changes|Skipped)$/.test(output[2])) lastOutput.set(output[1], output[2]);
    const fatal = /^--> pyinfra error: (.*)$/.exec(line);
    if (fatal) failure ??= `pyinfra error: ${fatal[1]}`;
  }
  return { done, changed, failure: failure && oneLine(failure) };
}
