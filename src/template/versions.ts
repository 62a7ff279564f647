import { RunbookError } from '../errors.js';

/**
 * The version schemes of Ansible's `version` test: loose (distutils' LooseVersion, the default),
 * strict (StrictVersion) and semver (Ansible's SemanticVersion). pep440 needs Python's packaging
 * library and is refused.
 */

function failed(detail: string): never {
  throw new RunbookError('RB_TEMPLATE', `version comparison failed: ${detail}`);
}

/** Python's ordering of two lists; an int against a str is a TypeError in Python 3, so an error here. */
function compareParts(left: ReadonlyArray<number | string>, right: ReadonlyArray<number | string>): number {
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const [a, b] = [left[index]!, right[index]!];
    if (typeof a !== typeof b) failed(`'<' not supported between ${typeof a === 'number' ? 'int' : 'str'} ${JSON.stringify(a)} and ${typeof b === 'number' ? 'int' : 'str'} ${JSON.stringify(b)}`);
    if (a !== b) return a < b ? -1 : 1;
  }
  return left.length - right.length;
}

/** LooseVersion: runs of digits (numbers), of lowercase letters, and any other text, dots dropped. */
function loose(version: string): Array<number | string> {
  return version
    .split(/(\d+|[a-z]+|\.)/)
    .filter((part) => part !== '' && part !== '.')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** StrictVersion: `1.2`, `1.2.3`, with an optional a/b pre-release (`1.2b3`), which sorts before the release. */
function strict(version: string): [number[], Array<number | string> | undefined] {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(version) ?? failed(`invalid version number '${version}'`);
  return [[Number(match[1]), Number(match[2]), Number(match[3] ?? 0)], match[4] === undefined ? undefined : [match[4], Number(match[5])]];
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** Semantic versioning 2.0: numeric pre-release identifiers sort below alphanumeric ones; build metadata is ignored. */
function compareSemver(left: string, right: string): number {
  const parse = (version: string) => SEMVER.exec(version) ?? failed(`invalid semantic version '${version}'`);
  const [a, b] = [parse(left), parse(right)];
  const core = compareParts([1, 2, 3].map((index) => Number(a[index])), [1, 2, 3].map((index) => Number(b[index])));
  if (core !== 0) return core;
  if (a[4] === undefined || b[4] === undefined) return a[4] === b[4] ? 0 : a[4] === undefined ? 1 : -1;
  const identifiers = (text: string) => text.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const [x, y] = [identifiers(a[4]), identifiers(b[4])];
  for (let index = 0; index < Math.min(x.length, y.length); index++) {
    const [p, q] = [x[index]!, y[index]!];
    if (typeof p !== typeof q) return typeof p === 'number' ? -1 : 1;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}

/** Negative, zero or positive as `left` is older than, the same as or newer than `right`. */
export function compareVersions(left: string, right: string, kind: string): number {
  switch (kind) {
    case 'loose':
      return compareParts(loose(left), loose(right));
    case 'strict': {
      const [[a, aPre], [b, bPre]] = [strict(left), strict(right)];
      const core = compareParts(a, b);
      if (core !== 0 || (aPre === undefined && bPre === undefined)) return core;
      if (aPre === undefined || bPre === undefined) return aPre === undefined ? 1 : -1;
      return compareParts(aPre, bPre);
    }
    case 'semver':
    case 'semantic':
      return compareSemver(left, right);
    case 'pep440':
      return failed('the pep440 version_type needs Python\'s packaging library, which runbook does not have');
    default:
      return failed(`invalid version type (${kind}); must be one of 'loose', 'strict', 'semver', 'semantic', 'pep440'`);
  }
}
