import { expect, test } from 'vitest';
import { renderGradeJunit } from '../../../../src/report/grade/junit.js';
import { HOSTILE_DETAIL, HOSTILE_POD, labReport } from '../../../fixtures/grade/reports.js';

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Character data with its references resolved; throws on a raw < or an & that starts no reference. */
function characterData(raw: string): string {
  if (raw.includes('<')) throw new Error(`raw < in ${JSON.stringify(raw)}`);
  return raw.replace(/&([^;]*);?/g, (reference: string, body: string) => {
    if (!reference.endsWith(';')) throw new Error(`bare & in ${JSON.stringify(raw)}`);
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    const value = ENTITIES[body];
    if (value === undefined) throw new Error(`unknown entity &${body};`);
    return value;
  });
}

/**
 * A strict reader for the XML subset JUnit reports use (a declaration, elements, double-quoted
 * attributes, text): throws on anything not well-formed, such as unbalanced tags, stray markup or
 * characters XML 1.0 forbids.
 */
function parseXml(xml: string): XmlElement {
  const illegal = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u.exec(xml);
  if (illegal) throw new Error(`character U+${illegal[0].codePointAt(0)!.toString(16)} is not allowed in XML 1.0`);
  const body = xml.replace(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n/, '');
  const root: XmlElement = { name: '#document', attributes: {}, children: [], text: '' };
  const stack = [root];
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"]*")*)\s*(\/?)>/y;
  let at = 0;
  while (at < body.length) {
    const next = body.indexOf('<', at);
    const text = body.slice(at, next < 0 ? body.length : next);
    stack.at(-1)!.text += characterData(text);
    if (next < 0) break;
    tag.lastIndex = next;
    const match = tag.exec(body);
    if (match === null) throw new Error(`malformed markup at ${next}: ${body.slice(next, next + 40)}`);
    const [whole, closing, name, attributeText, selfClosing] = match;
    at = next + whole.length;
    if (closing) {
      const open = stack.pop()!;
      if (open.name !== name) throw new Error(`</${name}> closes <${open.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      if (key! in attributes) throw new Error(`attribute ${key} twice`);
      attributes[key!] = characterData(value!);
    }
    const element: XmlElement = { name: name!, attributes, children: [], text: '' };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (root.children.length !== 1 || root.text.trim() !== '') throw new Error('not exactly one root element');
  return root.children[0]!;
}

const strippedDetail = HOSTILE_DETAIL.replace(/[\u0000\u000b\u001b]/g, '');

test('well-formed XML: a suite per pod, a case per step, counts that match the cells', () => {
  const report = labReport();
  const xml = renderGradeJunit(report);
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
  const suites = parseXml(xml);
  expect(suites.name).toBe('testsuites');
  expect(suites.attributes).toMatchObject({ name: 'playbooks/lab.yml', tests: '72', failures: '16', errors: '12', skipped: '11', time: '41.230' });
  expect(suites.children.map((suite) => suite.attributes.name)).toEqual(report.pods.map((pod) => pod.pod));
  for (const [index, suite] of suites.children.entries()) {
    const pod = report.pods[index]!;
    const count = (...states: string[]) => String(pod.cells.filter((cell) => states.includes(cell.state)).length);
    expect(suite.attributes).toMatchObject({ tests: '12', failures: count('todo'), errors: count('failed', 'unreachable'), skipped: count('na') });
    const cases = suite.children.filter((child) => child.name === 'testcase');
    expect(cases.map((testcase) => testcase.attributes.name)).toEqual(report.steps.map((step) => `${step.number}. ${step.name}`));
    expect(cases.every((testcase) => testcase.attributes.classname === pod.pod)).toBe(true);
    const outcomes = cases.map((testcase) => testcase.children.map((child) => `${child.name}:${child.attributes.type ?? ''}`).join());
    expect(outcomes).toEqual(
      pod.cells.map((cell) => ({ done: '', todo: 'failure:todo', failed: 'error:failed', unreachable: 'error:unreachable', na: 'skipped:' })[cell.state]),
    );
  }
});

test('properties give each pod its score, verdict and the step it is stuck at', () => {
  const suites = parseXml(renderGradeJunit(labReport()));
  const properties = (index: number) =>
    Object.fromEntries(suites.children[index]!.children.find((child) => child.name === 'properties')!.children.map((property) => [property.attributes.name, property.attributes.value]));
  expect(properties(0)).toEqual({ hosts: 'pod01-nfs,pod01-kvm1,pod01-kvm2', score: '1', passed: 'true' });
  expect(properties(1)).toMatchObject({ passed: 'false', stuck_at: '6' });
});

test('hostile names and messages are escaped, characters XML cannot hold are dropped, the rest read back intact', () => {
  const xml = renderGradeJunit(labReport());
  expect(xml).not.toContain('<script>');
  expect(xml).not.toContain(']]>');
  expect(xml).not.toMatch(/[\u0000\u000b\u001b]/);
  const hostile = parseXml(xml).children.find((suite) => suite.attributes.name === HOSTILE_POD)!;
  const failed = hostile.children.find((child) => child.attributes.name === '4. NFS server started and enabled')!.children[0]!;
  expect(failed.name).toBe('error');
  // The line break in the message attribute survives as a reference, not as a space.
  expect(failed.attributes.message).toBe(strippedDetail);
  expect(failed.text).toBe(`${HOSTILE_POD}-nfs: failed: NFS server started and enabled: ${strippedDetail}`);
  const todo = hostile.children.find((child) => child.attributes.name === '7. rpcbind started and enabled on the KVM hosts')!.children[0]!;
  expect(todo.attributes.message).toBe('would start "rpcbind", then\nenable it, & <b>more</b>');
});

test('the reader itself rejects what is not well-formed', () => {
  expect(() => parseXml('<a><b></a></b>')).toThrow('closes');
  expect(() => parseXml('<a title="x & y"/>')).toThrow('bare &');
  expect(() => parseXml('<a>1 < 2</a>')).toThrow();
  expect(() => parseXml('<a>\u0000</a>')).toThrow('not allowed');
});
