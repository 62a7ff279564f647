import type { UserArgs } from '../schema/generated/user.js';
import { Command, secret, sh } from '../shell/command.js';
import { parseGroupLine, type GroupEntry } from './group.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import type { ModuleContext, ModuleDefinition, Outcome, Plan, ProbeSet, Step } from './types.js';

/** A line of the passwd database: name:password:uid:gid:comment:home:shell. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

/** What Ansible registers in place of the hash. */
const PASSWORD_MASK = 'NOT_LOGGING_PASSWORD';
/** How a hash appears in diffs and messages: never itself. */
const HIDDEN = '********';

// getent exits 2 when the key is unknown: the probe reports that as "no line", other failures as they are.
const missingIsEmpty = (command: Command) => sh`${command}; rc=$?; [ $rc -eq 2 ] && exit 0; exit $rc`;

export function parsePasswdLine(line: string): PasswdEntry | undefined {
  const fields = line.split(':');
  if (fields.length < 7) return undefined;
  const [name, , uid, gid, comment, home, shell] = fields as [string, string, string, string, string, string, string];
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) return undefined;
  return { name, uid: Number(uid), gid: Number(gid), comment, home, shell };
}

function userName(args: UserArgs): string {
  const name = args.name ?? args.user;
  if (name === undefined) throw new Error('user: name is required (the schema guarantees it)');
  return name;
}

/** `groups` as a list of names or gids; a comma-separated string is split as Ansible splits it. */
function wantedGroups(args: UserArgs): string[] | undefined {
  if (args.groups === undefined) return undefined;
  const items = typeof args.groups === 'string' ? args.groups.split(',') : args.groups;
  return [...new Set(items.map((item) => item.trim()).filter((item) => item !== ''))];
}

function needsShadow(args: UserArgs): boolean {
  return args.password !== undefined || args.password_lock !== undefined || args.expires !== undefined;
}

export const userModule: ModuleDefinition<UserArgs> = {
  name: 'user',
  summary: 'Ensure a local user account (uid, groups, home, shell, password hash), or its absence',

  probe(args) {
    const name = userName(args);
    const probes: ProbeSet = { passwd: missingIsEmpty(sh`getent passwd -- ${name}`) };
    if ((args.state ?? 'present') === 'absent') return probes;
    probes.groups = sh`getent group`;
    if (needsShadow(args)) probes.shadow = missingIsEmpty(sh`getent shadow -- ${name}`);
    probes.home =
      args.home === undefined
        ? sh`h=$(getent passwd -- ${name} | cut -d: -f6); if [ -n "$h" ] && [ ! -e "$h" ]; then echo missing; else echo present; fi`
        : sh`h=$(getent passwd -- ${name} | cut -d: -f6); if [ -e ${args.home} ]; then echo present; else echo missing; fi; if [ -n "$h" ] && [ -e "$h" ]; then echo old-present; fi`;
    return probes;
  },

  plan(args, probes, context) {
    const name = userName(args);
    const passwd = probeOutput(probes, 'passwd');
    if (passwd.code !== 0) return { kind: 'fail', message: `could not read user ${name}: ${passwd.stderr.trim() || `exit ${passwd.code}`}` };
    const current = passwd.stdout
      .split('\n')
      .map(parsePasswdLine)
      .find((entry) => entry?.name === name);
    if ((args.state ?? 'present') === 'absent') return planAbsent(args, name, current);

    const groupsRead = probeOutput(probes, 'groups');
    if (groupsRead.code !== 0) return { kind: 'fail', message: `could not read the group database: ${groupsRead.stderr.trim() || `exit ${groupsRead.code}`}` };
    const groups = groupsRead.stdout.split('\n').flatMap((line) => parseGroupLine(line) ?? []);

    let shadow: string[] | undefined;
    if (current !== undefined && needsShadow(args)) {
      const read = probeOutput(probes, 'shadow');
      shadow = read.code === 0 ? read.stdout.split('\n').find((line) => line.startsWith(`${name}:`))?.split(':') : undefined;
      if (shadow === undefined) {
        // The output is never quoted here: a shadow line holds the hash.
        return { kind: 'fail', message: `could not read the shadow entry of ${name} (reading /etc/shadow needs root: become: true)` };
      }
    }
    const home = probeOutput(probes, 'home').stdout.split('\n');
    return planPresent(args, name, current, groups, shadow, { target: home[0] === 'present', old: home.includes('old-present') }, context);
  },
};

function planAbsent(args: UserArgs, name: string, current: PasswdEntry | undefined): Plan {
  const result = { name, state: 'absent' };
  if (current === undefined) return { kind: 'noop', reason: `user ${name} is absent`, result };
  const options = [...(args.force ? [sh` -f`] : []), ...(args.remove ? [sh` -r`] : [])];
  return {
    kind: 'change',
    summary: `remove user ${name}${args.remove ? ' and its home directory' : ''}`,
    diff: [{ label: `user ${name}`, before: diffLines(['state: present', `uid: ${current.uid}`, `home: ${current.home}`]), after: 'state: absent\n' }],
    steps: [{ title: `userdel ${name}`, command: sh`userdel${Command.join(options, '')} -- ${name}` }],
    result: { ...result, force: args.force ?? false, remove: args.remove ?? false },
  };
}

/** A group named by name or gid (a number is tried as a gid first, as Ansible does). */
function findGroup(groups: readonly GroupEntry[], wanted: string): GroupEntry | undefined {
  return (/^\d+$/.test(wanted) ? groups.find((group) => group.gid === Number(wanted)) : undefined) ?? groups.find((group) => group.name === wanted);
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** An expiry as shadow keeps it (days since the epoch, empty for never) in words. */
function expiryText(days: number): string {
  return days < 0 ? 'never' : utcDay(new Date(days * 86_400_000));
}

function planPresent(
  args: UserArgs,
  name: string,
  current: PasswdEntry | undefined,
  groups: readonly GroupEntry[],
  shadow: string[] | undefined,
  homes: { target: boolean; old: boolean },
  context: ModuleContext,
): Plan {
  const createHome = args.create_home ?? args.createhome ?? true;
  const groupList = wantedGroups(args);

  // Every group named must exist; in check mode an earlier task may be about to create it.
  const missing = [...(args.group === undefined ? [] : [args.group]), ...(groupList ?? [])].filter((group) => findGroup(groups, group) === undefined);
  if (missing.length > 0) {
    const message = `group ${missing.join(', ')} does not exist`;
    if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may create it)` };
    return { kind: 'fail', message };
  }
  const primary = args.group === undefined ? undefined : findGroup(groups, args.group);
  const groupNames = groupList?.map((group) => findGroup(groups, group)?.name ?? group);

  const result: Record<string, unknown> = { name, state: 'present' };
  if (groupList !== undefined) result.groups = groupList.join(',');
  if (args.password !== undefined) result.password = PASSWORD_MASK;

  if (current === undefined) return planCreate(args, name, createHome, primary, groupNames, groups, result);

  const options: Command[] = [];
  const changed: string[] = [];
  const before: string[] = ['state: present'];
  const after: string[] = ['state: present'];
  const note = (label: string, was: string, will: string, changes: boolean) => {
    before.push(`${label}: ${was}`);
    after.push(`${label}: ${will}`);
    if (changes) changed.push(label);
  };
  const unique = args.non_unique ? sh` -o` : sh``;

  if (args.uid !== undefined) {
    note('uid', String(current.uid), String(args.uid), args.uid !== current.uid);
    if (args.uid !== current.uid) options.push(sh` -u ${String(args.uid)}${unique}`);
  }
  const groupName = (gid: number) => `${groups.find((group) => group.gid === gid)?.name ?? '?'} (${gid})`;
  if (primary !== undefined) {
    note('group', groupName(current.gid), groupName(primary.gid), primary.gid !== current.gid);
    if (primary.gid !== current.gid) options.push(sh` -g ${String(primary.gid)}`);
  }
  if (groupNames !== undefined) {
    const member = groups.filter((group) => group.members.includes(name)).map((group) => group.name);
    const wanted = args.append ? [...new Set([...member, ...groupNames])] : groupNames;
    const differs = args.append
      ? groupNames.some((group) => !member.includes(group))
      : member.length !== groupNames.length || member.some((group) => !groupNames.includes(group));
    note('groups', member.join(',') || '(none)', wanted.join(',') || '(none)', differs);
    if (differs) options.push(args.append ? sh` -a -G ${groupNames.join(',')}` : sh` -G ${groupNames.join(',')}`);
  }
  if (args.comment !== undefined) {
    note('comment', current.comment, args.comment, args.comment !== current.comment);
    if (args.comment !== current.comment) options.push(sh` -c ${args.comment}`);
  }
  let homeWillExist = homes.target;
  if (args.home !== undefined) {
    note('home', current.home, args.home, args.home !== current.home);
    if (args.home !== current.home) {
      options.push(args.move_home ? sh` -d ${args.home} -m` : sh` -d ${args.home}`);
      if (args.move_home && homes.old) homeWillExist = true;
    }
  }
  if (args.shell !== undefined) {
    note('shell', current.shell, args.shell, args.shell !== current.shell);
    if (args.shell !== current.shell) options.push(sh` -s ${args.shell}`);
  }
  if (args.expires !== undefined && shadow !== undefined) {
    const days = shadow[7] === undefined || shadow[7] === '' ? -1 : Number(shadow[7]);
    const wantedDate = args.expires < 0 ? 'never' : utcDay(new Date(Math.floor(args.expires * 1000)));
    const differs = args.expires < 0 ? days >= 0 : days < 0 || expiryText(days) !== wantedDate;
    note('expires', expiryText(days), wantedDate, differs);
    if (differs) options.push(sh` -e ${args.expires < 0 ? '' : wantedDate}`);
  }
  if (shadow !== undefined && (args.password_lock !== undefined || args.password !== undefined)) {
    const hash = shadow[1] ?? '';
    const locked = hash.startsWith('!');
    const passwordChanges =
      args.password !== undefined && (args.update_password ?? 'always') === 'always' && hash.replace(/^!+/, '') !== args.password.replace(/^!+/, '');
    if (args.password !== undefined) note('password', hash === '' ? '(none)' : HIDDEN, passwordChanges ? `${HIDDEN} (new hash)` : hash === '' ? '(none)' : HIDDEN, passwordChanges);
    if (args.password_lock !== undefined) {
      const lockChanges = args.password_lock !== locked;
      note('locked', locked ? 'yes' : 'no', args.password_lock ? 'yes' : 'no', lockChanges);
      if (lockChanges && !passwordChanges) options.push(args.password_lock ? sh` -L` : sh` -U`);
    }
    if (passwordChanges && args.password !== undefined) {
      options.push(sh` -p ${secret(args.password_lock ? `!${args.password}` : args.password)}`);
    }
  }

  const steps: Step[] = [];
  if (options.length > 0) steps.push({ title: `usermod ${name}`, command: sh`usermod${Command.join(options, '')} -- ${name}` });
  if (createHome && !homeWillExist) {
    const home = args.home ?? current.home;
    const uid = args.uid ?? current.uid;
    const gid = primary?.gid ?? current.gid;
    note('home directory', 'missing', 'created', true);
    steps.push({ title: `create the home directory of ${name}`, command: createHomeCommand(home, `${uid}:${gid}`) });
  }

  const known = {
    uid: args.uid ?? current.uid,
    group: primary?.gid ?? current.gid,
    comment: args.comment ?? current.comment,
    home: args.home ?? current.home,
    shell: args.shell ?? current.shell,
  };
  const existing = { ...result, ...known, append: args.append ?? false, move_home: args.move_home ?? false };
  if (steps.length === 0) {
    return { kind: 'noop', reason: `user ${name} is in place (uid ${current.uid}, home ${current.home}, shell ${current.shell})`, result: existing };
  }
  return withReadBack(name, {
    kind: 'change',
    summary: `change user ${name}: ${changed.join(', ')}`,
    diff: [{ label: `user ${name}`, before: diffLines(before), after: diffLines(after) }],
    steps,
    result: existing,
  });
}

function planCreate(
  args: UserArgs,
  name: string,
  createHome: boolean,
  primary: GroupEntry | undefined,
  groupNames: string[] | undefined,
  groups: readonly GroupEntry[],
  result: Record<string, unknown>,
): Plan {
  const options: Command[] = [];
  const after: string[] = ['state: present'];
  if (args.uid !== undefined) {
    options.push(sh` -u ${String(args.uid)}${args.non_unique ? sh` -o` : sh``}`);
    after.push(`uid: ${args.uid}`);
  }
  if (primary !== undefined && args.group !== undefined) {
    options.push(sh` -g ${args.group}`);
    after.push(`group: ${primary.name} (${primary.gid})`);
  } else if (groups.some((group) => group.name === name)) {
    // As Ansible: a group of the user's name exists already, so useradd must not try to create one.
    options.push(sh` -N`);
  }
  if (groupNames !== undefined && groupNames.length > 0) {
    options.push(sh` -G ${groupNames.join(',')}`);
    after.push(`groups: ${groupNames.join(',')}`);
  }
  if (args.comment !== undefined) {
    options.push(sh` -c ${args.comment}`);
    after.push(`comment: ${args.comment}`);
  }
  if (args.home !== undefined) {
    options.push(sh` -d ${args.home}`);
    after.push(`home: ${args.home}`);
  }
  if (args.shell !== undefined) {
    options.push(sh` -s ${args.shell}`);
    after.push(`shell: ${args.shell}`);
  }
  if (args.expires !== undefined) {
    const date = args.expires < 0 ? '' : utcDay(new Date(Math.floor(args.expires * 1000)));
    options.push(sh` -e ${date}`);
    after.push(`expires: ${date || 'never'}`);
  }
  if (args.password !== undefined) {
    options.push(sh` -p ${secret(args.password_lock ? `!${args.password}` : args.password)}`);
    after.push(`password: ${HIDDEN}`);
  }
  options.push(createHome ? sh` -m` : sh` -M`);
  if (args.system) options.push(sh` -r`);

  const steps: Step[] = [];
  // useradd creates the home directory but not its parents.
  if (createHome && args.home !== undefined) {
    const parent = args.home.replace(/\/+[^/]*\/*$/, '') || '/';
    if (parent !== '/') steps.push({ title: `create ${parent}`, command: sh`mkdir -p -- ${parent}` });
  }
  steps.push({ title: `useradd ${name}`, command: sh`useradd${Command.join(options, '')} -- ${name}` });
  return withReadBack(name, {
    kind: 'change',
    summary: `create user ${name}`,
    diff: [{ label: `user ${name}`, before: 'state: absent\n', after: diffLines(after) }],
    steps,
    result: {
      ...result,
      ...(args.uid === undefined ? {} : { uid: args.uid }),
      ...(primary === undefined ? {} : { group: primary.gid }),
      ...(args.comment === undefined ? {} : { comment: args.comment }),
      ...(args.home === undefined ? {} : { home: args.home }),
      ...(args.shell === undefined ? {} : { shell: args.shell }),
      system: args.system ?? false,
      create_home: createHome,
    },
  });
}

/**
 * The last step also reads the account back, so the registered uid, group, comment, home and shell are
 * the host's (a new account's uid is chosen by useradd).
 */
function withReadBack(name: string, plan: Extract<Plan, { kind: 'change' }>): Plan {
  const last = plan.steps.at(-1)!;
  plan.steps[plan.steps.length - 1] = { ...last, command: sh`${last.command} && getent passwd -- ${name}`, capture: 'account' };
  const predicted = plan.result ?? {};
  plan.finish = (captured): Outcome => {
    const entry = (captured.account?.stdout ?? '')
      .split('\n')
      .map(parsePasswdLine)
      .find((line) => line?.name === name);
    if (entry === undefined) return { failure: `user ${name} is not in the passwd database after the change` };
    return {
      result: { ...predicted, uid: entry.uid, group: entry.gid, comment: entry.comment, home: entry.home, shell: entry.shell },
    };
  };
  return plan;
}

// The last HOME_MODE and UMASK of /etc/login.defs (sed scripts, passed as quoted words).
const HOME_MODE_SED = 's/^HOME_MODE[[:space:]]\\{1,\\}\\([0-7]\\{1,\\}\\).*/\\1/p';
const UMASK_SED = 's/^UMASK[[:space:]]\\{1,\\}\\([0-7]\\{1,\\}\\).*/\\1/p';

/**
 * The home directory of an existing account, made as Ansible makes it: a copy of /etc/skel (or an empty
 * directory), owned by the account, with login.defs' HOME_MODE (else the mode its UMASK leaves).
 */
export function createHomeCommand(home: string, owner: string): Command {
  const parent = home.replace(/\/+[^/]*\/*$/, '') || '/';
  return sh`mkdir -p -- ${parent} && if [ -d /etc/skel ]; then cp -RPp -- /etc/skel ${home}; else mkdir -- ${home}; fi && chown -R -- ${owner} ${home} && hm=$(sed -n ${HOME_MODE_SED} /etc/login.defs 2>/dev/null | tail -n 1) && um=$(sed -n ${UMASK_SED} /etc/login.defs 2>/dev/null | tail -n 1) && if [ -n "$hm" ]; then chmod -- "$hm" ${home}; elif [ -n "$um" ]; then chmod -- "$(printf '%o' $((0777 & ~0$um)))" ${home}; fi`;
}
