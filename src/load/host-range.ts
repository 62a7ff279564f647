/**
 * Ansible host ranges: `web[01:03]` is web01, web02, web03; `db-[a:c]` is db-a, db-b, db-c; an
 * optional third part is the step (`[1:9:2]`). A leading zero fixes the width. Several ranges
 * multiply. Names without a range come back unchanged; a malformed range is an error message.
 */
export function expandHostRange(name: string): string[] | string {
  const match = /\[([^\]:]*):([^\]:]*)(?::([^\]]*))?\]/.exec(name);
  if (match === null) return [name];
  const [whole, from = '', to = '', stepText] = match;
  const head = name.slice(0, match.index);
  const tails = expandHostRange(name.slice(match.index + whole.length));
  if (typeof tails === 'string') return tails;
  const step = stepText === undefined || stepText === '' ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) return `invalid step "${stepText}" in host range "${whole}"`;
  const middles = rangeValues(from, to, step);
  if (typeof middles === 'string') return `${middles} in host range "${whole}"`;
  return middles.flatMap((middle) => tails.map((tail) => `${head}${middle}${tail}`));
}

function rangeValues(from: string, to: string, step: number): string[] | string {
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const start = Number(from);
    const end = Number(to);
    if (end < start) return `end ${to} is before start ${from}`;
    const width = from.length > 1 && from.startsWith('0') ? from.length : 0;
    const values: string[] = [];
    for (let value = start; value <= end; value += step) values.push(String(value).padStart(width, '0'));
    return values;
  }
  if (/^[a-zA-Z]$/.test(from) && /^[a-zA-Z]$/.test(to)) {
    const start = from.charCodeAt(0);
    const end = to.charCodeAt(0);
    if (end < start) return `end ${to} is before start ${from}`;
    const values: string[] = [];
    for (let code = start; code <= end; code += step) values.push(String.fromCharCode(code));
    return values;
  }
  return `"${from}:${to}" is neither a numeric nor an alphabetic range`;
}
