import type { WaitForArgs } from '../schema/generated/wait_for.js';
import { sh, type Command } from '../shell/command.js';
import type { ModuleDefinition, Plan } from './types.js';

/** Exit statuses of the waiting probe: the time ran out; search_regex is no valid regular expression. */
const TIMEOUT_EXIT = 3;
const BAD_REGEX_EXIT = 5;

export const waitForModule: ModuleDefinition<WaitForArgs> = {
  name: 'wait_for',
  summary: 'Wait until a port is open or closed, or a file is present (matching a regex) or absent',
  // No first-round probe: the wait must not run ahead with earlier tasks' probes (their changes
  // may be what it waits for). plan() asks for it in a later round, when this task's turn comes;
  // it runs in check mode too, as Ansible's wait_for does. The wait is bounded by `timeout`.
  plan(args, probes, context) {
    const waited = probes.wait;
    // The task's nonce keeps this read from being taken from the cache of an identical earlier wait.
    if (waited === undefined) return { kind: 'probe', probes: { wait: sh`: ${context.nonce}; ${waitScript(args)}` } };
    const lines = waited.stdout.split('\n');
    const elapsed = Number(/^elapsed (\d+)$/m.exec(waited.stdout)?.[1] ?? '0');
    const state = args.state ?? 'started';
    const result: Record<string, unknown> = {
      elapsed,
      state,
      port: args.port ?? null,
      path: args.path ?? null,
      search_regex: args.search_regex ?? null,
      match_groups: [],
      match_groupdict: {},
    };
    if (waited.code === TIMEOUT_EXIT) return { kind: 'fail', message: args.msg ?? timeoutMessage(args), result };
    if (waited.code === BAD_REGEX_EXIT) return { kind: 'fail', message: `search_regex is not a valid regular expression: ${waited.stderr.trim()}`, result };
    if (waited.code !== 0) {
      const reason = waited.stderr.trim() || `exit ${waited.code ?? waited.signal ?? 'unknown'}`;
      return { kind: 'fail', message: `the wait could not run: ${reason}`, result };
    }
    const matchLine = lines.find((line) => line.startsWith('match '));
    if (args.search_regex !== undefined && matchLine !== undefined) {
      Object.assign(result, groupsOf(args.search_regex, Buffer.from(matchLine.slice('match '.length), 'base64').toString('utf8')));
    }
    const reason = args.port === undefined && args.path === undefined ? `waited ${elapsed} s` : `${reached(args)} (after ${elapsed} s)`;
    return { kind: 'noop', reason, result } satisfies Plan;
  },
};

/** What is waited for, as a POSIX shell condition; undefined when only time is waited for. */
function condition(args: WaitForArgs): Command | undefined {
  const stopping = args.state === 'stopped' || args.state === 'absent';
  if (args.port !== undefined) {
    // bash's /dev/tcp, given host and port as arguments: a connection attempt bounded by connect_timeout.
    const open = sh`timeout ${args.connect_timeout ?? 5} bash -c 'exec 3<>"/dev/tcp/$0/$1"' ${args.host ?? '127.0.0.1'} ${args.port} 2>/dev/null`;
    return stopping ? sh`! ${open}` : open;
  }
  if (args.path !== undefined) {
    if (stopping) return sh`[ ! -e ${args.path} ]`;
    if (args.search_regex === undefined) return sh`[ -e ${args.path} ]`;
    // -z: the whole file is one record; (?m): ^ and $ at every line, as Python's re.MULTILINE.
    return sh`[ -e ${args.path} ] && grep -Pzq -e ${multiline(args.search_regex)} -- ${args.path} 2>/dev/null`;
  }
  return undefined;
}

function multiline(regex: string): string {
  return `(?m)${regex}`;
}

// Ansible's loop: the deadline counts from the start (delay included), one check every `sleep`
// seconds; `elapsed` is whole seconds. A matching file's first match is printed (base64) for the groups.
function waitScript(args: WaitForArgs): Command {
  const timeout = args.timeout ?? 300;
  const start = sh`rb_t0=$(date +%s) && sleep ${args.delay ?? 0} || exit 1`;
  const elapsed = sh`printf 'elapsed %s\\n' "$(( $(date +%s) - rb_t0 ))"`;
  const check = condition(args);
  if (check === undefined) return sh`${start}; sleep ${timeout} || exit 1; ${elapsed}`;
  const regex = args.search_regex;
  const validRegex =
    regex === undefined || args.state === 'stopped' || args.state === 'absent'
      ? sh``
      : sh`printf '' | grep -Pzq -e ${multiline(regex)}; [ $? -ne 2 ] || exit ${BAD_REGEX_EXIT}; `;
  const showMatch =
    regex === undefined || args.state === 'stopped' || args.state === 'absent' || args.path === undefined
      ? sh``
      : sh`printf 'match '; grep -Pzo -e ${multiline(regex)} -- ${args.path} | head -zn1 | tr -d '\\000' | base64 -w0; echo; `;
  return sh`${validRegex}${start}; rb_end=$((rb_t0 + ${timeout})); while :; do if ${check}; then ${showMatch}${elapsed}; exit 0; fi; if [ "$(date +%s)" -ge "$rb_end" ]; then ${elapsed}; exit ${TIMEOUT_EXIT}; fi; sleep ${args.sleep ?? 1} || exit 1; done`;
}

/** The groups of the match, read again with JavaScript's engine (Python's (?P<name>…) becomes (?<name>…)); empty when it cannot read the expression. */
function groupsOf(regex: string, matched: string): { match_groups: Array<string | null>; match_groupdict: Record<string, string | null> } {
  try {
    const js = new RegExp(regex.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>'), 'm');
    const match = js.exec(matched);
    if (!match) return { match_groups: [], match_groupdict: {} };
    return {
      match_groups: match.slice(1).map((group) => group ?? null),
      match_groupdict: Object.fromEntries(Object.entries(match.groups ?? {}).map(([name, value]) => [name, value ?? null])),
    };
  } catch {
    return { match_groups: [], match_groupdict: {} };
  }
}

function host(args: WaitForArgs): string {
  return `${args.host ?? '127.0.0.1'}:${args.port ?? ''}`;
}

/** Ansible's messages. */
function timeoutMessage(args: WaitForArgs): string {
  const stopping = args.state === 'stopped' || args.state === 'absent';
  if (args.port !== undefined) return stopping ? `Timeout when waiting for ${host(args)} to stop.` : `Timeout when waiting for ${host(args)}`;
  if (stopping) return `Timeout when waiting for ${args.path ?? ''} to be absent.`;
  if (args.search_regex !== undefined) return `Timeout when waiting for search string ${args.search_regex} in ${args.path ?? ''}`;
  return `Timeout when waiting for file ${args.path ?? ''}`;
}

function reached(args: WaitForArgs): string {
  const stopping = args.state === 'stopped' || args.state === 'absent';
  if (args.port !== undefined) return stopping ? `${host(args)} refuses connections` : `${host(args)} accepts connections`;
  if (args.path !== undefined) {
    if (stopping) return `${args.path} is absent`;
    return args.search_regex === undefined ? `${args.path} exists` : `${args.path} matches ${args.search_regex}`;
  }
  return 'the time is up';
}
