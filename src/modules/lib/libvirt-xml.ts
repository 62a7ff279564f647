import { RunbookError } from '../../errors.js';

/**
 * Just enough XML for libvirt documents: elements, attributes, text. Comments, processing
 * instructions and the XML declaration are dropped; whitespace-only text is ignored (libvirt's output is
 * indented, users' input is indented differently).
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Trimmed text content directly inside this element ('' when none). */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number.parseInt(entity.slice(1), 10));
    return ENTITIES[entity] ?? whole;
  });
}

function invalid(message: string): RunbookError {
  return new RunbookError('RB_VALIDATION', `domain XML: ${message}`);
}

export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let at = 0;
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[([\s\S]*?)\]\]>|<!DOCTYPE[^>]*>|<\/([^\s>]+)\s*>|<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
  const addText = (text: string): void => {
    if (text.trim() === '') return;
    const parent = stack.at(-1);
    if (!parent) throw invalid(`text outside the root element: ${JSON.stringify(text.trim().slice(0, 40))}`);
    parent.text = (parent.text + text).trim();
  };
  const addMarkupGap = (raw: string): void => {
    const stray = raw.indexOf('<');
    if (stray >= 0) throw invalid(`cannot read ${JSON.stringify(raw.slice(stray, stray + 40))}`);
    addText(decodeEntities(raw));
  };
  for (let match = token.exec(source); match; match = token.exec(source)) {
    addMarkupGap(source.slice(at, match.index));
    at = token.lastIndex;
    const [, cdata, closing, opening, attributeText, selfClosing] = match;
    if (cdata !== undefined) {
      addText(cdata);
    } else if (closing !== undefined) {
      const open = stack.pop();
      if (open?.name !== closing) throw invalid(`</${closing}> does not close <${open?.name ?? 'nothing'}>`);
    } else if (opening !== undefined) {
      const element: XmlElement = { name: opening, attributes: parseAttributes(attributeText ?? ''), children: [], text: '' };
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw invalid('more than one root element');
      else root = element;
      if (selfClosing !== '/') stack.push(element);
    }
  }
  addMarkupGap(source.slice(at));
  if (stack.length > 0) throw invalid(`<${stack.at(-1)?.name ?? ''}> is never closed`);
  if (!root) throw invalid('no root element');
  return root;
}

function parseAttributes(text: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of text.matchAll(/([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
    attributes[match[1] as string] = decodeEntities(match[2] ?? match[3] ?? '');
  }
  return attributes;
}

function escapeXml(text: string, quote: boolean): string {
  const escaped = text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return quote ? escaped.replaceAll("'", '&apos;') : escaped;
}

/** Indented XML, attributes in the order given; the same input always prints the same text. */
export function serializeXml(element: XmlElement, indent = ''): string {
  const attributes = Object.entries(element.attributes)
    .map(([key, value]) => ` ${key}='${escapeXml(value, true)}'`)
    .join('');
  const open = `${indent}<${element.name}${attributes}`;
  if (element.children.length === 0) {
    return element.text === '' ? `${open}/>\n` : `${open}>${escapeXml(element.text, false)}</${element.name}>\n`;
  }
  const text = element.text === '' ? '' : `${indent}  ${escapeXml(element.text, false)}\n`;
  const children = element.children.map((child) => serializeXml(child, `${indent}  `)).join('');
  return `${open}>\n${text}${children}${indent}</${element.name}>\n`;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((candidate) => candidate.name === name);
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((candidate) => candidate.name === name);
}
