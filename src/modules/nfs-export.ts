import type { NfsExportArgs } from '../schema/generated/nfs_export.js';
import { sh } from '../shell/command.js';
import {
  editExports,
  editGaneshaConfig,
  parseClientsText,
  validateClients,
  validateExportPath,
  type ExportClient,
} from './lib/nfs-exports.js';
import { diffLines, probeOutput } from './lib/probe-output.js';
import {
  attributeChanges,
  attributeDiff,
  attributeSteps,
  contentDiff,
  fileContentProbe,
  fileStateProbe,
  normalizeMode,
  parseFileContent,
  parseFileState,
  writeFileSteps,
  type FileState,
} from './lib/remote-file.js';
import type { Diff, ModuleDefinition, Plan, ProbeResults, Step } from './types.js';

export const EXPORTS_FILE = '/etc/exports';
export const GANESHA_CONFIG = '/etc/ganesha/ganesha.conf';

type Backend = 'kernel' | 'ganesha';

/** Which NFS servers the host has and runs. */
export interface NfsServers {
  ganeshaRunning: boolean;
  kernelRunning: boolean;
  ganeshaInstalled: boolean;
  kernelInstalled: boolean;
}

export const nfsExportModule: ModuleDefinition<NfsExportArgs> = {
  name: 'nfs_export',
  summary: 'Export a directory over NFS with the kernel server (/etc/exports) or nfs-ganesha',

  probe(args) {
    const backend = args.backend ?? 'auto';
    return {
      servers: sh`systemctl is-active --quiet nfs-ganesha 2>/dev/null && echo ganesha-running
systemctl is-active --quiet nfs-server 2>/dev/null && echo kernel-running
command -v ganesha.nfsd >/dev/null 2>&1 && echo ganesha-installed
{ command -v exportfs || ls /usr/sbin/exportfs /sbin/exportfs; } >/dev/null 2>&1 && echo kernel-installed; true`,
      ...(backend !== 'ganesha' ? { exports: fileContentProbe(EXPORTS_FILE) } : {}),
      ...(backend !== 'kernel' ? { ganesha: fileContentProbe(GANESHA_CONFIG) } : {}),
      directory: fileStateProbe(args.path),
    };
  },

  plan(args, probes, context) {
    const servers = parseNfsServers(probeOutput(probes, 'servers').stdout);
    const backend = chooseBackend(args.backend ?? 'auto', servers);
    if (backend === undefined) {
      const message = `no NFS server on ${context.host}: install nfs-kernel-server (nfs-utils) or nfs-ganesha, or set backend`;
      // In check mode the server may be one an earlier task would install.
      if (context.check) return { kind: 'noop', skipped: true, awaitsEarlierTask: true, reason: `${message} (check mode: an earlier task may install it)` };
      return { kind: 'fail', message };
    }
    return planExport(args, backend, servers, probes);
  },
};

export function parseNfsServers(stdout: string): NfsServers {
  const lines = new Set(stdout.split('\n').map((line) => line.trim()));
  return {
    ganeshaRunning: lines.has('ganesha-running'),
    kernelRunning: lines.has('kernel-running'),
    ganeshaInstalled: lines.has('ganesha-installed'),
    kernelInstalled: lines.has('kernel-installed'),
  };
}

/** auto: the server that runs, else the one installed; ganesha first, since it is only there on purpose. */
export function chooseBackend(wanted: 'auto' | Backend, servers: NfsServers): Backend | undefined {
  if (wanted !== 'auto') return wanted;
  if (servers.ganeshaRunning) return 'ganesha';
  if (servers.kernelRunning) return 'kernel';
  if (servers.ganeshaInstalled) return 'ganesha';
  if (servers.kernelInstalled) return 'kernel';
  return undefined;
}

function wantedClients(args: NfsExportArgs): ExportClient[] | string {
  if (args.clients === undefined) return 'clients are required when state is present';
  const clients =
    typeof args.clients === 'string'
      ? parseClientsText(args.clients)
      : args.clients.map((client) => ({ host: client.host, options: client.options ?? [] }));
  if (typeof clients === 'string') return clients;
  const problems = validateClients(clients);
  return problems.length > 0 ? problems.join('; ') : clients;
}

function planExport(args: NfsExportArgs, backend: Backend, servers: NfsServers, probes: ProbeResults): Plan {
  const path = args.path;
  const present = (args.state ?? 'present') === 'present';
  const pathProblem = validateExportPath(path);
  if (pathProblem !== undefined) return { kind: 'fail', message: pathProblem };
  const clients = present ? wantedClients(args) : undefined;
  if (typeof clients === 'string') return { kind: 'fail', message: clients };

  const steps: Step[] = [];
  const diff: Diff[] = [];
  const actions: string[] = [];

  if (present) {
    const directory = planDirectory(args, parseFileState(probeOutput(probes, 'directory')));
    if ('error' in directory) return { kind: 'fail', message: directory.error };
    steps.push(...directory.steps);
    diff.push(...directory.diff);
    actions.push(...directory.actions);
  }

  const configPath = backend === 'kernel' ? EXPORTS_FILE : GANESHA_CONFIG;
  const config = parseFileContent(probeOutput(probes, backend === 'kernel' ? 'exports' : 'ganesha'));
  if (config.state !== null && config.content === undefined) {
    return { kind: 'fail', message: `${configPath} is not a regular file of a readable size` };
  }
  const current = config.content?.toString('utf8') ?? '';
  let edited: string;
  if (backend === 'kernel') {
    edited = editExports(current, path, clients);
  } else {
    const result = editGaneshaConfig(current, path, clients);
    if ('error' in result) return { kind: 'fail', message: result.error };
    edited = result.text;
  }

  if (edited !== current) {
    steps.push(...writeFileSteps(configPath, Buffer.from(edited), {}, config.state, { createParents: config.state === null }));
    diff.push(contentDiff(configPath, config.content, Buffer.from(edited)));
    actions.push(present ? `export ${path} (${backend})` : `stop exporting ${path} (${backend})`);
    const apply = applyStep(backend, servers);
    if ('error' in apply) return { kind: 'fail', message: apply.error };
    if (apply.step !== undefined) steps.push(apply.step);
  }

  if (steps.length === 0) {
    return {
      kind: 'noop',
      reason: present ? `${path} is exported as wanted in ${configPath}` : `${path} is not exported in ${configPath}`,
    };
  }
  return { kind: 'change', summary: actions.join('; '), diff, steps };
}

/** The export directory: created when missing (if allowed), its mode set when asked for. */
function planDirectory(
  args: NfsExportArgs,
  state: FileState | null,
): { steps: Step[]; diff: Diff[]; actions: string[] } | { error: string } {
  const path = args.path;
  const mode = args.mode === undefined ? undefined : normalizeMode(args.mode);
  if (state === null) {
    if (args.create_path === false) return { error: `export directory ${path} does not exist (create_path: false)` };
    const steps: Step[] = [{ title: `create ${path}`, command: sh`mkdir -p -- ${path}` }];
    if (mode !== undefined) steps.push({ title: `chmod ${mode} ${path}`, command: sh`chmod ${mode} -- ${path}` });
    return {
      steps,
      diff: [{ label: path, before: 'absent\n', after: diffLines([`directory${mode === undefined ? '' : ` ${mode}`}`]) }],
      actions: [`create ${path}`],
    };
  }
  if (state.type !== 'directory') return { error: `export path ${path} exists but is a ${state.type}, not a directory` };
  const changes = attributeChanges(state, mode === undefined ? {} : { mode });
  if (changes.length === 0) return { steps: [], diff: [], actions: [] };
  return { steps: attributeSteps(path, changes), diff: [attributeDiff(path, changes)], actions: [`chmod ${mode} ${path}`] };
}

/**
 * Makes a changed configuration live: `exportfs -ra` for the kernel server (which needs the tool);
 * for ganesha a reload (new exports on SIGHUP) when it runs; a stopped ganesha reads it when started.
 */
function applyStep(backend: Backend, servers: NfsServers): { step: Step | undefined } | { error: string } {
  if (backend === 'kernel') {
    if (!servers.kernelInstalled) return { error: 'exportfs not found: install nfs-kernel-server (Debian) or nfs-utils (RHEL)' };
    return { step: { title: 'exportfs -ra', command: sh`exportfs -ra` } };
  }
  if (!servers.ganeshaRunning) return { step: undefined };
  return { step: { title: 'reload nfs-ganesha', command: sh`systemctl reload-or-restart nfs-ganesha` } };
}
