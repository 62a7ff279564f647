/**
 * Python's fnmatch on POSIX (fnmatch.translate), which Ansible uses for find's patterns, setup's
 * filter and the fileglob lookup: `*`, `?`, `[seq]`, `[!seq]` (a `]` first in a set is literal);
 * case-sensitive; `*` also matches "/" and a leading dot (glob's hiding of dot files is the caller's).
 */
export function fnmatchRegExp(pattern: string): RegExp {
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i] as string;
    i += 1;
    if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else if (char === '[') {
      let j = i;
      if (pattern[j] === '!') j += 1;
      if (pattern[j] === ']') j += 1;
      while (j < pattern.length && pattern[j] !== ']') j += 1;
      if (j >= pattern.length) source += '\\[';
      else {
        let body = pattern.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        else if (body.startsWith('^')) body = `\\${body}`;
        source += `[${body}]`;
      }
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${source})$`, 'u');
}
