import type { GitArgs } from '../schema/generated/git.js';
import { sh, type Command } from '../shell/command.js';
import { probeOutput } from './lib/probe-output.js';
import type { ModuleDefinition, Plan, ProbeResults, Step } from './types.js';

export const gitModule: ModuleDefinition<GitArgs> = {
  name: 'git',
  summary: "A git checkout at a version: cloned, or fetched and switched (Ansible's git)",
  probe: (args) => {
    const dest = args.dest;
    return {
      git: sh`command -v git`,
      // The remote's refs, with the symbolic HEAD (ref: refs/heads/main	HEAD).
      remote: sh`git ls-remote --symref -- ${repoOf(args)}`,
      checkout: sh`if [ -f ${`${dest}/.git/config`} ]; then git -C ${dest} rev-parse HEAD && printf 'url %s\\n' "$(git -C ${dest} config --get ${`remote.${remoteOf(args)}.url`})" && git -C ${dest} status --porcelain --untracked-files=no; else exit 3; fi`,
    };
  },
  plan: (args, probes) => planGit(args, probes),
};

/** Ansible reads an absolute path as a file:// URL. */
function repoOf(args: GitArgs): string {
  const repo = (args.repo ?? args.name) as string;
  return repo.startsWith('/') ? `file://${repo}` : repo;
}

function remoteOf(args: GitArgs): string {
  return args.remote ?? 'origin';
}

interface RemoteRefs {
  /** The default branch (HEAD's target), e.g. main. */
  headBranch: string | undefined;
  refs: Map<string, string>;
}

export function parseLsRemote(stdout: string): RemoteRefs {
  const refs = new Map<string, string>();
  let headBranch: string | undefined;
  for (const line of stdout.split('\n')) {
    const symref = /^ref: refs\/heads\/(\S+)\tHEAD$/.exec(line);
    if (symref) headBranch = symref[1];
    const ref = /^([0-9a-f]{40,64})\t(\S+)$/.exec(line);
    if (ref) refs.set(ref[2] as string, ref[1] as string);
  }
  return { headBranch, refs };
}

type Target = { kind: 'branch'; branch: string; commit: string } | { kind: 'tag'; commit: string } | { kind: 'commit'; commit: string };

/** Ansible's get_remote_head: HEAD, a branch, a tag (its commit), or else the version itself, a commit id. */
function resolve(version: string, remote: RemoteRefs): Target | undefined {
  if (version === 'HEAD') {
    const commit = remote.refs.get('HEAD');
    if (commit === undefined) return undefined;
    return remote.headBranch === undefined ? { kind: 'commit', commit } : { kind: 'branch', branch: remote.headBranch, commit };
  }
  const branch = remote.refs.get(`refs/heads/${version}`);
  if (branch !== undefined) return { kind: 'branch', branch: version, commit: branch };
  const tag = remote.refs.get(`refs/tags/${version}^{}`) ?? remote.refs.get(`refs/tags/${version}`);
  if (tag !== undefined) return { kind: 'tag', commit: tag };
  return /^[0-9a-f]{4,64}$/.test(version) ? { kind: 'commit', commit: version } : undefined;
}

function sameCommit(head: string, wanted: string): boolean {
  return head === wanted || (wanted.length < head.length && head.startsWith(wanted));
}

function switchStep(args: GitArgs, target: Target): Step {
  const dest = args.dest;
  const version = args.version ?? 'HEAD';
  const command: Command =
    target.kind === 'branch'
      ? sh`git -C ${dest} checkout --force -B ${target.branch} ${`${remoteOf(args)}/${target.branch}`}`
      : sh`git -C ${dest} checkout --force ${target.kind === 'tag' ? version : target.commit}`;
  return { title: `check out ${version}`, command };
}

function planGit(args: GitArgs, probes: ProbeResults): Plan {
  if (probeOutput(probes, 'git').code !== 0) return { kind: 'fail', message: 'Failed to find required executable "git" in paths' };
  const repo = repoOf(args);
  const dest = args.dest;
  const version = args.version ?? 'HEAD';
  const lsRemote = probeOutput(probes, 'remote');
  if (lsRemote.code !== 0) return { kind: 'fail', message: `Failed to read the remote ${repo}: ${lsRemote.stderr.trim()}` };
  const target = resolve(version, parseLsRemote(lsRemote.stdout));
  if (target === undefined) return { kind: 'fail', message: `Cannot find version ${version} in ${repo}` };
  const depth = args.depth === undefined ? sh`` : sh` --depth ${String(args.depth)}`;
  const readHead: Step = { title: 'read HEAD', command: sh`git -C ${dest} rev-parse HEAD`, capture: 'after' };
  const checkout = probeOutput(probes, 'checkout');

  if (checkout.code === 3) {
    const branch = target.kind === 'commit' ? sh`` : sh` --branch ${target.kind === 'branch' ? target.branch : version}`;
    const steps: Step[] = [{ title: `clone ${repo}`, command: sh`git clone --origin ${remoteOf(args)}${depth}${branch} -- ${repo} ${dest}` }];
    if (target.kind === 'commit') steps.push(switchStep(args, target));
    steps.push(readHead);
    return {
      kind: 'change',
      summary: `clone ${repo} at ${version} into ${dest}`,
      diff: [{ label: `git ${dest}`, before: 'no checkout\n', after: `${target.commit}\n` }],
      steps,
      result: { before: null, after: target.commit },
      finish: (captured) => ({ result: { before: null, after: captured.after?.stdout.trim() ?? target.commit } }),
    };
  }
  if (checkout.code !== 0) return { kind: 'fail', message: `cannot read the checkout in ${dest}: ${checkout.stderr.trim()}` };
  const [head = '', urlLine = '', ...changes] = checkout.stdout.split('\n');
  const url = urlLine.replace(/^url /, '');
  if (args.update === false) return { kind: 'noop', reason: `${dest} is at ${head} (update: false)`, result: { before: head, after: head } };
  const localMods = changes.some((line) => line.trim() !== '');
  if (localMods && args.force !== true) {
    return { kind: 'fail', message: `Local modifications exist in the destination: ${dest} (force=no).`, result: { before: head } };
  }
  const urlChanged = url !== '' && url !== repo && url.replace(/\/+$/, '') !== repo.replace(/\/+$/, '');
  if (!localMods && !urlChanged && sameCommit(head, target.commit)) {
    return { kind: 'noop', reason: `${dest} is at ${version} (${head})`, result: { before: head, after: head, remote_url_changed: false } };
  }
  const steps: Step[] = [];
  if (localMods) steps.push({ title: 'reset local modifications', command: sh`git -C ${dest} reset --hard HEAD` });
  if (urlChanged) steps.push({ title: `set ${remoteOf(args)} to ${repo}`, command: sh`git -C ${dest} remote set-url ${remoteOf(args)} ${repo}` });
  steps.push(
    { title: `fetch ${remoteOf(args)}`, command: sh`git -C ${dest} fetch --tags --force${depth} ${remoteOf(args)} ${`+refs/heads/*:refs/remotes/${remoteOf(args)}/*`}` },
    switchStep(args, target),
    readHead,
  );
  const result = { before: head, after: target.commit, remote_url_changed: urlChanged };
  return {
    kind: 'change',
    summary: [localMods ? 'reset local modifications' : '', urlChanged ? `set the remote to ${repo}` : '', sameCommit(head, target.commit) ? '' : `move ${dest} to ${version}`].filter(Boolean).join('; '),
    diff: [{ label: `git ${dest}`, before: `${head}\n`, after: `${target.commit}\n` }],
    steps,
    result,
    finish: (captured) => ({ result: { ...result, after: captured.after?.stdout.trim() ?? target.commit } }),
  };
}
