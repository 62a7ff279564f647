import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseYaml } from '../load/source.js';
import type { IncludeVarsArgs } from '../schema/generated/include_vars.js';
import { PythonRegexError, translatePythonRegex } from './lib/python-regex.js';
import type { ModuleContext, Plan } from './types.js';
import type { ModuleDefinition } from './types.js';

const DEFAULT_EXTENSIONS = ['yaml', 'yml', 'json'];

/** Where Ansible looks for a relative file (its _find_needle('vars', ...)): the role's vars/ and tasks/, then the playbook's vars/ and directory. */
export function varsFileCandidates(file: string, context: Pick<ModuleContext, 'roleDir' | 'playbookDir'>): string[] {
  if (isAbsolute(file)) return [file];
  const role = context.roleDir === undefined ? [] : [join(context.roleDir, 'vars', file), join(context.roleDir, 'tasks', file)];
  const playbook = [...(file.split('/')[0] === 'vars' ? [] : [join(context.playbookDir, 'vars', file)]), join(context.playbookDir, file)];
  return [...role, ...playbook];
}

/** A vars file's mapping (an empty file is an empty mapping), or why it cannot be read. */
function readVarsFile(path: string, context: ModuleContext): Record<string, unknown> | string {
  const source = parseYaml(path, context.readLocalFile(path).toString('utf8'));
  const error = source.issues.find((issue) => issue.severity === 'error');
  if (error !== undefined) return `${path}:${error.line}:${error.col}: ${error.message}`;
  const data = source.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) return `${path} must be stored as a dictionary/hash`;
  return data as Record<string, unknown>;
}

function pattern(text: string, suffix = ''): RegExp {
  return translatePythonRegex(`(?:${text})${suffix}`, { flavor: 'str' }).regexp;
}

/** The files of a directory as Ansible's include_vars reads them: level by level, sorted, filtered. */
function directoryFiles(root: string, args: IncludeVarsArgs): string[] {
  const levels: Array<{ dir: string; files: string[] }> = [];
  const walk = (dir: string): void => {
    const entries = readdirSync(dir, { withFileTypes: true });
    levels.push({ dir, files: entries.filter((entry) => !entry.isDirectory()).map((entry) => entry.name).sort() });
    for (const entry of entries.filter((each) => each.isDirectory())) walk(join(dir, entry.name));
  };
  walk(root);
  levels.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
  const depth = args.depth ?? 0;
  const matching = args.files_matching === undefined ? undefined : pattern(args.files_matching);
  const ignored = (typeof args.ignore_files === 'string' ? args.ignore_files.split(/\s+/).filter(Boolean) : (args.ignore_files ?? [])).map((each) => pattern(each, '$'));
  const extensions = args.extensions ?? DEFAULT_EXTENSIONS;
  return levels
    .slice(0, depth === 0 ? undefined : depth)
    .flatMap(({ dir, files }) => files.map((file) => ({ dir, file })))
    .filter(({ file }) => (matching === undefined || matching.test(file)) && !ignored.some((regexp) => regexp.test(file)))
    .filter(({ file }) => !args.ignore_unknown_extensions || extensions.includes(extname(file).slice(1)))
    .map(({ dir, file }) => join(dir, file));
}

function failed(message: string): Plan {
  return { kind: 'fail', message, result: { ansible_included_var_files: [], ansible_facts: {} } };
}

export const includeVarsModule: ModuleDefinition<IncludeVarsArgs> = {
  name: 'include_vars',
  summary: 'Read variables from YAML or JSON files on the controller',
  plan(args, _probes, context) {
    let files: string[];
    try {
      if (args.dir !== undefined) {
        const root = isAbsolute(args.dir)
          ? args.dir
          : context.roleDir !== undefined
            ? args.dir.split('/')[0] === 'vars' && existsSync(join(context.roleDir, args.dir))
              ? join(context.roleDir, args.dir)
              : join(context.roleDir, 'vars', args.dir)
            : resolve(context.playbookDir, args.dir);
        if (!existsSync(root)) return failed(`${root} directory does not exist`);
        if (!statSync(root).isDirectory()) return failed(`${root} is not a directory`);
        // A role's vars/main.yml is already its vars: never read again.
        files = directoryFiles(root, args).filter((file) => context.roleDir === undefined || file !== join(context.roleDir, 'vars', 'main.yml'));
        const extensions = args.extensions ?? DEFAULT_EXTENSIONS;
        const unknown = files.find((file) => !extensions.includes(extname(file).slice(1)));
        if (unknown !== undefined) return failed(`${unknown} does not have a valid extension: ${extensions.join(', ')}`);
      } else {
        const candidates = varsFileCandidates(args.file as string, context);
        const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
        if (found === undefined) return failed(`Could not find or access '${args.file}'\nSearched in:\n${candidates.map((path) => `\t${path}`).join('\n')}`);
        files = [found];
      }
    } catch (error) {
      if (error instanceof PythonRegexError) return failed(`invalid regular expression: ${error.message}`);
      throw error;
    }
    const read: Record<string, unknown> = {};
    for (const file of files) {
      const vars = readVarsFile(file, context);
      if (typeof vars === 'string') return failed(vars);
      Object.assign(read, vars);
    }
    const facts = args.name === undefined ? read : { [args.name]: read };
    const shown = files.map((file) => relative(context.playbookDir, file) || basename(file));
    return {
      kind: 'noop',
      reason: `read ${Object.keys(facts).join(', ') || 'no variables'} from ${shown.join(', ') || dirname(files[0] ?? '.')}`,
      includedVars: facts,
      result: { ansible_facts: facts, ansible_included_var_files: files },
    };
  },
};
