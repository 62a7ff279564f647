import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { ModuleContext } from '../types.js';

/**
 * Where Ansible looks for a relative `src` on the controller (DataLoader.path_dwim_relative_stack):
 * the role's files/ (templates/) and tasks/, then the playbook's files/ (templates/, unless src
 * already starts with that directory) and the playbook's directory. `~` is the controller's home.
 */
export function localFileSearchPath(kind: 'files' | 'templates', src: string, context: Pick<ModuleContext, 'roleDir' | 'playbookDir'>): string[] {
  if (src === '~' || src.startsWith('~/')) return [join(homedir(), src.slice(1))];
  if (isAbsolute(src)) return [src];
  const role = context.roleDir === undefined ? [] : [join(context.roleDir, kind, src), join(context.roleDir, 'tasks', src)];
  const inKind = src.split('/')[0] === kind ? [] : [join(context.playbookDir, kind, src)];
  return [...role, ...inKind, join(context.playbookDir, src)];
}

export type LocalSource = { found: true; path: string; content: Buffer } | { found: false; message: string };

/** The first file of the search path that exists, with its path; otherwise Ansible's message and every place searched. */
export function readLocalSource(kind: 'files' | 'templates', src: string, context: ModuleContext): LocalSource {
  const candidates = localFileSearchPath(kind, src, context);
  for (const path of candidates) {
    try {
      return { found: true, path, content: context.readLocalFile(path) };
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code === 'EISDIR') return { found: false, message: `${path} is a directory: runbook copies one file per task (src a directory is not supported)` };
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw error;
    }
  }
  return { found: false, message: `Could not find or access '${src}' on the controller. Searched: ${candidates.join(', ')}` };
}
