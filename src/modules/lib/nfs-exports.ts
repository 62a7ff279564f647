/** NFS export semantics shared by both servers: clients and options, /etc/exports lines, ganesha EXPORT blocks. */

export interface ExportClient {
  host: string;
  options: string[];
}

const FLAG_OPTIONS = new Set([
  'rw', 'ro', 'sync', 'async', 'secure', 'insecure', 'wdelay', 'no_wdelay', 'hide', 'nohide', 'crossmnt',
  'subtree_check', 'no_subtree_check', 'secure_locks', 'insecure_locks', 'auth_nlm', 'no_auth_nlm',
  'root_squash', 'no_root_squash', 'all_squash', 'no_all_squash', 'mountpoint', 'mp', 'nordirplus',
  'pnfs', 'no_pnfs', 'security_label', 'acl', 'no_acl',
]);

const FLAVOURS = '(?:sys|krb5|krb5i|krb5p)';
const VALUED_OPTIONS: Record<string, RegExp> = {
  anonuid: /^\d+$/,
  anongid: /^\d+$/,
  fsid: /^(?:\d+|root|[0-9a-fA-F-]{8,})$/,
  sec: new RegExp(`^${FLAVOURS}(?::${FLAVOURS})*$`),
  mountpoint: /^\/[^\s,()]*$/,
  mp: /^\/[^\s,()]*$/,
  refer: /^\/[^\s,()]*@[^\s,()]+$/,
  replicas: /^\/[^\s,()]*@[^\s,()]+$/,
};

/** Options that contradict each other: at most one of each group per client. */
const EXCLUSIVE = [
  ['rw', 'ro'],
  ['sync', 'async'],
  ['secure', 'insecure'],
  ['wdelay', 'no_wdelay'],
  ['hide', 'nohide'],
  ['subtree_check', 'no_subtree_check'],
  ['root_squash', 'no_root_squash'],
  ['all_squash', 'no_all_squash'],
];

const HOST = /^[A-Za-z0-9_*?.:@/[\]-]+$/;
/** Export paths go into /etc/exports and ganesha.conf unquoted or in double quotes. */
const EXPORT_PATH = /^\/[^\s"#\\]*$/;

/** Problems with a client list, as messages; empty when every host and option is valid. */
export function validateClients(clients: readonly ExportClient[]): string[] {
  const problems: string[] = [];
  for (const client of clients) {
    if (!HOST.test(client.host)) problems.push(`client ${JSON.stringify(client.host)} is not an address, network, host name, wildcard or @netgroup`);
    for (const option of client.options) {
      const [name = '', value] = option.split(/=(.*)/s);
      const valid = value === undefined ? FLAG_OPTIONS.has(name) : VALUED_OPTIONS[name]?.test(value) === true;
      if (!valid) problems.push(`${JSON.stringify(option)} (client ${client.host}) is not a known NFS export option`);
    }
    for (const group of EXCLUSIVE) {
      const given = group.filter((option) => client.options.includes(option));
      if (given.length > 1) problems.push(`client ${client.host} has contradicting options ${given.join(' and ')}`);
    }
  }
  return problems;
}

export function validateExportPath(path: string): string | undefined {
  return EXPORT_PATH.test(path) ? undefined : `export path ${JSON.stringify(path)} must be absolute, without whitespace, quotes, # or backslashes`;
}

/** The /etc/exports client form: `10.10.10.0/24(rw,no_root_squash) host2 *.lab(ro)`. */
export function parseClientsText(text: string): ExportClient[] | string {
  const clients: ExportClient[] = [];
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const match = /^([^()]+)(?:\(([^()]*)\))?$/.exec(token);
    if (!match) return `cannot read ${JSON.stringify(token)} as HOST(OPTIONS)`;
    clients.push({ host: match[1] ?? '', options: (match[2] ?? '').split(',').filter(Boolean) });
  }
  return clients.length > 0 ? clients : 'no clients given';
}

export function formatClient(client: ExportClient): string {
  return client.options.length > 0 ? `${client.host}(${client.options.join(',')})` : client.host;
}

// ---- /etc/exports -------------------------------------------------------------------------------

/** One logical line of /etc/exports (continuation lines joined), with its text as written. */
interface ExportsLine {
  text: string;
  /** The exported path, undefined for comments and blank lines. */
  path: string | undefined;
  /** Client tokens after the path. */
  clients: string[];
}

function exportsLines(text: string): ExportsLine[] {
  const lines: ExportsLine[] = [];
  let pending: string[] = [];
  for (const physical of text.replace(/\n$/, '').split('\n')) {
    pending.push(physical);
    if (physical.endsWith('\\')) continue;
    const joined = pending.map((part) => part.replace(/\\$/, ' ')).join('');
    const content = joined.replace(/#.*$/, '').trim();
    const quoted = /^"([^"]*)"\s*(.*)$/.exec(content);
    const [path, rest] = quoted ? [quoted[1], quoted[2] ?? ''] : [content.split(/\s+/)[0], content.slice((content.split(/\s+/)[0] ?? '').length)];
    lines.push({ text: pending.join('\n'), path: content === '' ? undefined : path, clients: (rest ?? '').trim().split(/\s+/).filter(Boolean) });
    pending = [];
  }
  if (pending.length > 0) lines.push({ text: pending.join('\n'), path: undefined, clients: [] });
  return text === '' ? [] : lines;
}

/**
 * /etc/exports with exactly one line for `path` exporting to `clients` (the first line for the path
 * replaced in place, later ones dropped), or with none when `clients` is undefined. Unchanged text
 * when it already is so.
 */
export function editExports(text: string, path: string, clients: readonly ExportClient[] | undefined): string {
  const wantedTokens = clients?.map(formatClient);
  const wantedLine = wantedTokens === undefined ? undefined : `${path} ${wantedTokens.join(' ')}`;
  let seen = false;
  let modified = false;
  const kept: string[] = [];
  for (const line of exportsLines(text)) {
    if (line.path !== path) {
      kept.push(line.text);
      continue;
    }
    if (!seen && wantedTokens !== undefined && wantedTokens.join(' ') === line.clients.join(' ')) {
      kept.push(line.text);
    } else {
      modified = true;
      if (!seen && wantedLine !== undefined) kept.push(wantedLine);
    }
    seen = true;
  }
  if (!seen && wantedLine !== undefined) {
    kept.push(wantedLine);
    modified = true;
  }
  return modified ? kept.map((line) => `${line}\n`).join('') : text;
}

// ---- nfs-ganesha --------------------------------------------------------------------------------

const beginMarker = (path: string) => `# BEGIN runbook nfs_export ${path}`;
const endMarker = (path: string) => `# END runbook nfs_export ${path}`;

/** Squash, access and security options map to ganesha's CLIENT permissions; the rest has no equivalent. */
function ganeshaPermissions(options: readonly string[]): { lines: string[]; unmapped: string[] } {
  const lines: string[] = [`Access_Type = ${options.includes('rw') ? 'RW' : 'RO'};`];
  const unmapped: string[] = [];
  const squash = options.includes('all_squash') ? 'All_Squash' : options.includes('no_root_squash') ? 'No_Root_Squash' : 'Root_Squash';
  lines.push(`Squash = ${squash};`);
  for (const option of options) {
    const [name, value] = option.split(/=(.*)/s);
    if (name === 'anonuid') lines.push(`Anonymous_Uid = ${value};`);
    else if (name === 'anongid') lines.push(`Anonymous_Gid = ${value};`);
    else if (name === 'sec') lines.push(`SecType = ${value?.split(':').join(', ')};`);
    else if (option === 'secure') lines.push('PrivilegedPort = true;');
    else if (option === 'insecure') lines.push('PrivilegedPort = false;');
    else if (!['rw', 'ro', 'root_squash', 'no_root_squash', 'all_squash', 'no_all_squash'].includes(option)) unmapped.push(option);
  }
  return { lines, unmapped };
}

/** The EXPORT block for `path`, between marker comments naming the path. */
export function ganeshaBlock(path: string, exportId: number, clients: readonly ExportClient[]): string {
  const unmapped = new Set<string>();
  const clientBlocks = clients.flatMap((client) => {
    const permissions = ganeshaPermissions(client.options);
    permissions.unmapped.forEach((option) => unmapped.add(option));
    return ['\tCLIENT {', `\t\tClients = ${client.host};`, ...permissions.lines.map((line) => `\t\t${line}`), '\t}'];
  });
  return [
    beginMarker(path),
    'EXPORT {',
    `\tExport_Id = ${exportId};`,
    `\tPath = "${path}";`,
    `\tPseudo = "${path}";`,
    '\tFSAL { Name = VFS; }',
    // Only the listed clients get in.
    '\tAccess_Type = None;',
    ...clientBlocks,
    ...(unmapped.size > 0 ? [`\t# no ganesha equivalent, not applied: ${[...unmapped].join(', ')}`] : []),
    '}',
    endMarker(path),
  ]
    .map((line) => `${line}\n`)
    .join('');
}

/** Where runbook's block for `path` sits in ganesha.conf (line indexes, end inclusive) and its Export_Id. */
function findBlock(lines: readonly string[], path: string): { start: number; end: number; exportId: number | undefined } | undefined {
  const start = lines.indexOf(beginMarker(path));
  if (start < 0) return undefined;
  const end = lines.indexOf(endMarker(path), start);
  if (end < 0) return undefined;
  const id = lines
    .slice(start, end)
    .map((line) => /^\s*Export_Id\s*=\s*(\d+)\s*;/i.exec(line)?.[1])
    .find((value) => value !== undefined);
  return { start, end, exportId: id === undefined ? undefined : Number(id) };
}

/**
 * ganesha.conf with runbook's block for `path` (replaced in place or appended), or without it when
 * `clients` is undefined. The Export_Id of an existing block is kept; a new block takes the smallest
 * id no other export uses. Fails when the path is exported by a block runbook does not manage.
 */
export function editGaneshaConfig(
  text: string,
  path: string,
  clients: readonly ExportClient[] | undefined,
): { text: string } | { error: string } {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const block = findBlock(lines, path);
  // The blank line put before an appended block goes with it.
  const blockStart = block !== undefined && block.start > 0 && lines[block.start - 1] === '' ? block.start - 1 : block?.start;
  const outside = block === undefined ? lines : [...lines.slice(0, blockStart), ...lines.slice(block.end + 1)];
  const pathLine = new RegExp(`^\\s*Path\\s*=\\s*"?${escapeRegExp(path)}"?\\s*;`, 'i');
  const foreign = outside.findIndex((line) => pathLine.test(line));
  if (foreign >= 0) {
    return { error: `ganesha.conf already exports ${path} outside runbook's markers ("${outside[foreign]?.trim()}"); remove that EXPORT block first` };
  }
  if (clients === undefined) {
    return { text: block === undefined ? text : outside.map((line) => `${line}\n`).join('') };
  }
  const used = new Set(outside.flatMap((line) => /^\s*Export_Id\s*=\s*(\d+)\s*;/i.exec(line)?.[1] ?? []).map(Number));
  let exportId = block?.exportId;
  if (exportId === undefined || used.has(exportId)) {
    exportId = 1;
    while (used.has(exportId)) exportId += 1;
  }
  const rendered = ganeshaBlock(path, exportId, clients);
  if (block !== undefined) {
    const current = lines.slice(block.start, block.end + 1).map((line) => `${line}\n`).join('');
    if (current === rendered) return { text };
    const before = lines.slice(0, block.start).map((line) => `${line}\n`).join('');
    const after = lines.slice(block.end + 1).map((line) => `${line}\n`).join('');
    return { text: before + rendered + after };
  }
  const separator = text === '' ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return { text: text + separator + rendered };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
