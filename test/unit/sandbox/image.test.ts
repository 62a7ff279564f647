import { describe, expect, it } from 'vitest';
import { debianMirrors } from '../../../src/sandbox/image.js';

describe('debianMirrors', () => {
  it('reads the main and security mirrors from a deb822 sources file', () => {
    const sources = [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://mirror.example/debian/',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb',
      'URIs: http://security.example/debian-security',
      'Suites: bookworm-security',
      'Components: main',
    ].join('\n');
    expect(debianMirrors(sources)).toEqual({ main: 'http://mirror.example/debian', security: 'http://security.example/debian-security' });
  });

  it('falls back to deb.debian.org without a file, for https mirrors (the apt proxy speaks http) and for disabled or deb-src entries', () => {
    const defaults = { main: 'http://deb.debian.org/debian', security: 'http://deb.debian.org/debian-security' };
    expect(debianMirrors(undefined)).toEqual(defaults);
    expect(debianMirrors('Types: deb\nURIs: https://mirror.example/debian\nSuites: bookworm\n')).toEqual(defaults);
    expect(debianMirrors('Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nEnabled: no\n')).toEqual(defaults);
    expect(debianMirrors('Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n')).toEqual(defaults);
  });
});
