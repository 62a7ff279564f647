import type { FileArgs } from '../schema/generated/file.js';
import { Command, sh } from '../shell/command.js';
import {
  attributeChanges,
  attributeSteps,
  fileStateProbe,
  normalizeMode,
  parseFileState,
  type AttributeChange,
  type FileAttributes,
  type FileState,
} from './lib/remote-file.js';
import { describeAttributes, describeChanges } from './lib/write-plan.js';
import type { ModuleDefinition, Plan, ProbeResults, ProbeSet } from './types.js';

export const fileModule: ModuleDefinition<FileArgs> = {
  name: 'file',
  summary: 'Ensure a file, directory or symbolic link (mode, owner, group), or its absence',
  probe(args) {
    const probes: ProbeSet = { path: fileStateProbe(args.path) };
    const attributes = attributesOf(args);
    if (args.recurse && (args.state ?? 'file') === 'directory' && hasAny(attributes)) {
      probes.tree = treeProbe(args.path, attributes);
    }
    return probes;
  },
  plan(args, probes) {
    const state = args.state ?? 'file';
    const current = parseFileState(required(probes, 'path'));
    const attributes = attributesOf(args);
    switch (state) {
      case 'file':
        return planFile(args.path, current, attributes);
      case 'directory':
        return planDirectory(args.path, current, attributes, args.recurse ? (probes.tree?.stdout ?? '') : '');
      case 'link':
        return planLink(args, current, attributes);
      case 'absent':
        return planAbsent(args.path, current);
      case 'touch':
        return planTouch(args.path, current, attributes);
    }
  },
};

function attributesOf(args: FileArgs): FileAttributes {
  return { mode: args.mode, owner: args.owner, group: args.group };
}

function hasAny(attributes: FileAttributes): boolean {
  return attributes.mode !== undefined || attributes.owner !== undefined || attributes.group !== undefined;
}

function required(probes: ProbeResults, key: string) {
  const result = probes[key];
  if (result === undefined) throw new Error(`probe "${key}" missing`);
  return result;
}

// The first entry below the directory whose attributes differ, if any: one line of output at most.
// find takes no `--`, so a path starting with "-" is made unambiguous with "./".
function treeProbe(path: string, attributes: FileAttributes): Command {
  const conditions: Command[] = [];
  if (attributes.mode !== undefined) conditions.push(sh`'(' ! -type l ! -perm ${normalizeMode(attributes.mode)} ')'`);
  if (attributes.owner !== undefined) conditions.push(sh`! -user ${attributes.owner}`);
  if (attributes.group !== undefined) conditions.push(sh`! -group ${attributes.group}`);
  const start = path.startsWith('-') ? `./${path}` : path;
  return sh`find ${start} -mindepth 1 '(' ${Command.join(conditions, ' -o ')} ')' -print -quit`;
}

function text(lines: Record<string, string | undefined>): string {
  return Object.entries(lines)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([key, value]) => `${key}: ${value}\n`)
    .join('');
}

/** "state: directory\nmode: 0755\n": what is there now, limited to the attributes the task names. */
function currentText(current: FileState | null, attributes: FileAttributes): string {
  if (current === null) return 'state: absent\n';
  return text({
    state: current.type,
    src: current.linkTarget,
    mode: attributes.mode !== undefined && current.type !== 'link' ? current.mode : undefined,
    owner: attributes.owner !== undefined ? current.owner : undefined,
    group: attributes.group !== undefined ? current.group : undefined,
  });
}

/** The same lines as the task wants them; an owner given as a uid the path already has keeps the host's spelling. */
function wantedText(type: FileState['type'], attributes: FileAttributes, current: FileState | null, src?: string): string {
  const same = (wanted: string | undefined, name: string | undefined, id: number | undefined) =>
    wanted !== undefined && (wanted === name || wanted === String(id)) ? name : wanted;
  return text({
    state: type,
    src,
    mode: attributes.mode !== undefined && type !== 'link' ? normalizeMode(attributes.mode) : undefined,
    owner: same(attributes.owner, current?.owner, current?.uid),
    group: same(attributes.group, current?.group, current?.gid),
  });
}

/** Changes for a path that does not exist yet: every attribute given is set. */
function allAttributes(attributes: FileAttributes): AttributeChange[] {
  return (['mode', 'owner', 'group'] as const).flatMap((attribute) => {
    const value = attributes[attribute];
    return value === undefined ? [] : [{ attribute, before: '', after: attribute === 'mode' ? normalizeMode(value) : value }];
  });
}

function attributesOnly(path: string, current: FileState, attributes: FileAttributes, upToDate: string): Plan {
  const changes = attributeChanges(current, attributes);
  if (changes.length === 0) return { kind: 'noop', reason: upToDate };
  return {
    kind: 'change',
    summary: `set attributes of ${path}: ${describeChanges(changes)}`,
    diff: [{ label: path, before: currentText(current, attributes), after: wantedText(current.type, attributes, current) }],
    steps: attributeSteps(path, changes),
  };
}

function withAttributes(attributes: FileAttributes): string {
  const described = describeAttributes(attributes);
  return described === '' ? '' : ` with ${described}`;
}

function planFile(path: string, current: FileState | null, attributes: FileAttributes): Plan {
  if (current === null) {
    return {
      kind: 'fail',
      message: `${path} does not exist (state: file only changes an existing file; use copy, template or state: touch to create one)`,
    };
  }
  if (current.type !== 'file') return { kind: 'fail', message: `${path} is a ${typeName(current.type)}, not a regular file` };
  return attributesOnly(path, current, attributes, `${path} is a file${withAttributes(attributes)}`);
}

function planDirectory(path: string, current: FileState | null, attributes: FileAttributes, treeDiffers: string): Plan {
  if (current === null) {
    return {
      kind: 'change',
      summary: `create directory ${path}`,
      diff: [{ label: path, before: currentText(null, attributes), after: wantedText('directory', attributes, null) }],
      steps: [{ title: `create directory ${path}`, command: sh`mkdir -p -- ${path}` }, ...attributeSteps(path, allAttributes(attributes))],
    };
  }
  if (current.type !== 'directory') return { kind: 'fail', message: `${path} is a ${typeName(current.type)}, not a directory` };
  if (treeDiffers === '') return attributesOnly(path, current, attributes, `${path} is a directory${withAttributes(attributes)}`);
  // Something below differs: apply every given attribute to the whole tree, like chmod -R / chown -R.
  const first = treeDiffers.replace(/\n$/, '');
  const wanted = describeAttributes(attributes);
  return {
    kind: 'change',
    summary: `set ${wanted} recursively on ${path}`,
    diff: [{ label: path, before: `below ${path}: differs (first: ${first})\n`, after: `below ${path}: ${wanted}\n` }],
    steps: attributeSteps(path, allAttributes(attributes), { recurse: true }),
  };
}

function planLink(args: FileArgs, current: FileState | null, attributes: FileAttributes): Plan {
  const { path, src } = args;
  if (src === undefined) return { kind: 'fail', message: `state: link needs src (the link's target) for ${path}` };
  // A link's own mode is meaningless on Linux; only ownership applies (chown -h).
  const ownership: FileAttributes = { owner: attributes.owner, group: attributes.group };
  const create = (command: Command, summary: string): Plan => ({
    kind: 'change',
    summary,
    diff: [{ label: path, before: currentText(current, ownership), after: wantedText('link', ownership, current, src) }],
    steps: [{ title: summary, command }, ...attributeSteps(path, allAttributes(ownership))],
  });
  if (current === null) return create(sh`ln -sT -- ${src} ${path}`, `link ${path} → ${src}`);
  if (current.type === 'link') {
    if (current.linkTarget === src) return attributesOnly(path, current, ownership, `${path} already links to ${src}`);
    return create(sh`ln -sfT -- ${src} ${path}`, `relink ${path} → ${src} (was → ${current.linkTarget ?? ''})`);
  }
  if (current.type === 'file' && args.force) return create(sh`ln -sfT -- ${src} ${path}`, `replace file ${path} with a link → ${src}`);
  if (current.type === 'file') return { kind: 'fail', message: `${path} is a regular file; set force: true to replace it with a link to ${src}` };
  return { kind: 'fail', message: `${path} is a ${typeName(current.type)}; it cannot be replaced with a link` };
}

function planAbsent(path: string, current: FileState | null): Plan {
  if (current === null) return { kind: 'noop', reason: `${path} does not exist` };
  const recursive = current.type === 'directory';
  return {
    kind: 'change',
    summary: `remove ${recursive ? 'directory ' : ''}${path}`,
    diff: [{ label: path, before: currentText(current, {}), after: 'state: absent\n' }],
    steps: [{ title: `remove ${path}`, command: recursive ? sh`rm -rf -- ${path}` : sh`rm -f -- ${path}` }],
  };
}

// Ansible semantics, deliberately: touch updates the times of an existing path, so it always reports
// changed. Use state: file (existing files) or copy (new ones) for a task that settles to ok.
function planTouch(path: string, current: FileState | null, attributes: FileAttributes): Plan {
  const changes = current === null ? allAttributes(attributes) : attributeChanges(current, attributes);
  return {
    kind: 'change',
    summary: current === null ? `create ${path}` : `touch ${path}`,
    diff: [{ label: path, before: currentText(current, attributes), after: wantedText(current?.type ?? 'file', attributes, current) }],
    steps: [{ title: `touch ${path}`, command: sh`touch -- ${path}` }, ...attributeSteps(path, changes)],
  };
}

function typeName(type: FileState['type']): string {
  return type === 'link' ? 'symbolic link' : type === 'other' ? 'special file' : type;
}
