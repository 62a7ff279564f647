import { expect, test } from 'vitest';
import { parseYaml } from '../../../src/load/source.js';

// Ansible reads YAML with PyYAML: YAML 1.1's booleans except y/Y/n/N, which stay strings.
test("booleans are PyYAML's: yes/no/on/off/true/false in their three spellings; y and n stay strings", () => {
  const { data } = parseYaml('vars.yml', 'words: [y, Y, n, N, yes, No, ON, off, True, FALSE, "yes"]\n');
  expect(data).toEqual({ words: ['y', 'Y', 'n', 'N', true, false, true, false, true, false, 'yes'] });
});
