import { toKiB } from './libvirt.js';
import { child, parseXml, serializeXml, type XmlElement } from './libvirt-xml.js';

/**
 * Compares a user's domain XML with what libvirt keeps (`virsh dumpxml --inactive`). libvirt adds a
 * uuid, MAC and PCI addresses, controllers, default models and attributes, and rewrites memory in KiB;
 * none of that is a change. So the comparison covers what the user wrote: libvirt's XML is projected
 * onto the user's elements and attributes, and the two are printed the same way. Devices the user owns
 * (disks, interfaces, filesystems, host devices) that libvirt has but the user's XML lacks count too,
 * so removing a disk from the XML is a change.
 */
export interface DefinitionComparison {
  same: boolean;
  /** libvirt's current definition, limited to what the user's XML specifies. */
  before: string;
  /** The user's definition, normalised (memory in KiB). */
  after: string;
}

const OWNED_DEVICES = new Set(['disk', 'interface', 'filesystem', 'hostdev']);
const SCALED_MEMORY = new Set(['memory', 'currentMemory', 'maxMemory']);

export function compareDefinition(desiredXml: string, actualXml: string): DefinitionComparison {
  const desired = normalise(parseXml(desiredXml));
  const projected = project(normalise(parseXml(actualXml)), desired);
  const before = serializeXml(projected);
  const after = serializeXml(desired);
  return { same: before === after, before, after };
}

/** The user's XML as the comparison prints it, for the diff of a domain not yet defined. */
export function normaliseDefinition(desiredXml: string): string {
  return serializeXml(normalise(parseXml(desiredXml)));
}

/** The user's XML as it will be defined: with the existing domain's uuid when it names none (libvirt refuses a second uuid for one name). */
export function withUuid(desiredXml: string, uuid: string): string {
  const domain = parseXml(desiredXml);
  if (child(domain, 'uuid')) return desiredXml;
  const nameAt = domain.children.findIndex((element) => element.name === 'name');
  domain.children.splice(nameAt + 1, 0, { name: 'uuid', attributes: {}, children: [], text: uuid });
  return serializeXml(domain);
}

/** Memory sizes in KiB with unit='KiB', as libvirt prints them. */
function normalise(element: XmlElement): XmlElement {
  const children = element.children.map(normalise);
  if (SCALED_MEMORY.has(element.name) && element.text !== '') {
    const kib = toKiB(element);
    if (Number.isFinite(kib)) return { ...element, attributes: { ...element.attributes, unit: 'KiB' }, text: String(kib), children };
  }
  return { ...element, children };
}

function project(actual: XmlElement, desired: XmlElement): XmlElement {
  const attributes: Record<string, string> = {};
  for (const [key, wanted] of Object.entries(desired.attributes)) {
    const value = actual.attributes[key];
    if (value !== undefined) attributes[key] = equivalent(desired.name, key, wanted, value) ? wanted : value;
  }
  const used = new Set<XmlElement>();
  const children: XmlElement[] = [];
  for (const wanted of desired.children) {
    const match = bestMatch(
      actual.children.filter((candidate) => candidate.name === wanted.name && !used.has(candidate)),
      wanted,
    );
    if (!match) continue;
    used.add(match);
    children.push(project(match, wanted));
  }
  if (actual.name === 'devices') {
    children.push(...actual.children.filter((extra) => !used.has(extra) && OWNED_DEVICES.has(extra.name)));
  }
  return { name: actual.name, attributes, children, text: desired.text === '' ? '' : actual.text };
}

/** libvirt expands machine type aliases: 'pc' is stored as 'pc-i440fx-7.2'. */
function equivalent(element: string, attribute: string, wanted: string, actual: string): boolean {
  return wanted === actual || (element === 'type' && attribute === 'machine' && actual.startsWith(`${wanted}-`));
}

function bestMatch(candidates: XmlElement[], wanted: XmlElement): XmlElement | undefined {
  let best: XmlElement | undefined;
  let bestScore = -1;
  for (const candidate of candidates) {
    const score = similarity(candidate, wanted);
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return best;
}

/** How much of `wanted` an element already matches: equal attributes and text, recursively. */
function similarity(actual: XmlElement, wanted: XmlElement): number {
  let score = 0;
  for (const [key, value] of Object.entries(wanted.attributes)) {
    const present = actual.attributes[key];
    if (present !== undefined && equivalent(wanted.name, key, value, present)) score += 1;
  }
  if (wanted.text !== '' && actual.text === wanted.text) score += 1;
  for (const wantedChild of wanted.children) {
    const scores = actual.children
      .filter((candidate) => candidate.name === wantedChild.name)
      .map((candidate) => 1 + similarity(candidate, wantedChild));
    score += Math.max(0, ...scores);
  }
  return score;
}
