import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RunbookError } from '../../../src/errors.js';
import { Command, quoted, raw, secret, sh } from '../../../src/shell/command.js';
import { quote } from '../../../src/shell/quote.js';
import { HOSTILE_VALUES } from './hostile-values.js';

/** /bin/sh is dash on Debian; bash is /bin/sh on RHEL-family hosts. Both must agree. */
const SHELLS = ['/bin/sh', '/bin/bash'].filter((shell) => existsSync(shell));

function run(shell: string, command: Command, input?: string): Buffer {
  return execFileSync(shell, ['-c', command.render()], { input: input ?? '', maxBuffer: 64 * 1024 * 1024 });
}

describe('quote', () => {
  it('leaves values made of safe characters as they are', () => {
    expect(quote('nfs-common')).toBe('nfs-common');
    expect(quote('/srv/nfs/vms')).toBe('/srv/nfs/vms');
    expect(quote('user@host:1.2,3+4=5%')).toBe('user@host:1.2,3+4=5%');
  });

  it('single-quotes everything else, never with $\'…\'', () => {
    expect(quote('')).toBe("''");
    expect(quote('a b')).toBe("'a b'");
    expect(quote("it's")).toBe("'it'\\''s'");
    expect(quote('$(id)')).toBe("'$(id)'");
    for (const value of HOSTILE_VALUES) expect(quote(value).startsWith("$'")).toBe(false);
  });

  it('rejects NUL, which no shell argument can hold', () => {
    const thrown = (action: () => unknown): unknown => {
      try {
        action();
      } catch (error) {
        return error;
      }
      return undefined;
    };
    const error = thrown(() => quote('a\0b'));
    expect(error).toBeInstanceOf(RunbookError);
    expect((error as RunbookError).code).toBe('RB_SHELL');
    expect(() => sh`echo ${'a\0b'}`).toThrow(/NUL/);
    expect(() => sh`echo ${secret('\0')}`.render()).toThrow(/NUL/);
  });
});

describe.each(SHELLS)('values through a real %s -c', (shell) => {
  it.each(HOSTILE_VALUES.map((value) => [JSON.stringify(value).slice(0, 60), value]))(
    'round-trips %s byte for byte',
    (_label, value) => {
      expect(run(shell, sh`printf %s ${value}`).equals(Buffer.from(value, 'utf8'))).toBe(true);
    },
  );

  it('keeps each array element one word, including empty ones', () => {
    const words = ['a b', "c'd", '', '$(id)', '*', '-n'];
    expect(run(shell, sh`printf '<%s>' ${words}`).toString()).toBe(words.map((word) => `<${word}>`).join(''));
    expect(run(shell, sh`printf '<%s>' x ${[]} y`).toString()).toBe('<x><y>');
  });

  it('passes numbers as words', () => {
    expect(run(shell, sh`printf %s ${42} ${-1.5}`).toString()).toBe('42-1.5');
  });

  it('splices nested Commands as shell text, their values still quoted', () => {
    const inner = sh`printf '%s|' ${'a b'} ${"c'd"}`;
    expect(run(shell, sh`${inner} && printf %s ${'$HOME'}`).toString()).toBe("a b|c'd|$HOME");
    expect(run(shell, Command.join([sh`printf %s ${'1 2'}`, sh`printf %s ${'3;4'}`], ' && ')).toString()).toBe('1 23;4');
  });

  it('quotes a quoted() Command as one word that a nested shell runs exactly', () => {
    for (const value of HOSTILE_VALUES) {
      const nested = sh`sh -c ${quoted(sh`printf %s ${value}`)}`;
      expect(run(shell, nested).equals(Buffer.from(value, 'utf8')), JSON.stringify(value).slice(0, 60)).toBe(true);
    }
  });

  it('survives quoted() inside quoted()', () => {
    // Every level multiplies quotes by four: keep to values that stay under Linux's 128 KiB argument limit.
    for (const value of HOSTILE_VALUES.filter((candidate) => candidate.length < 1_000)) {
      const twice = sh`sh -c ${quoted(sh`sh -c ${quoted(sh`printf %s ${value}`)}`)}`;
      expect(run(shell, twice).equals(Buffer.from(value, 'utf8')), JSON.stringify(value)).toBe(true);
    }
  });

  it('inserts raw() text unquoted', () => {
    expect(run(shell, sh`printf %s ${raw('$((1 + 2))')}`).toString()).toBe('3');
  });

  it('passes stdin untouched next to hostile arguments', () => {
    expect(run(shell, sh`cat; printf %s ${'`x`'}`, 'in\n').toString()).toBe('in\n`x`');
  });
});

describe('secrets', () => {
  const password = "s3cr3t 'pass' $(word)";

  it('are quoted in the rendered text but masked in redacted() and toString()', () => {
    const command = sh`login --password ${secret(password)} --user ${'bob'}`;
    expect(command.render()).toBe(`login --password ${quote(password)} --user bob`);
    expect(command.redacted()).toBe("login --password '********' --user bob");
    expect(String(command)).toBe(command.redacted());
    expect(command.secrets).toEqual([password]);
  });

  it('stay masked and listed through nesting, arrays and quoted()', () => {
    const inner = sh`printf %s ${[secret(password), 'visible']}`;
    const outer = sh`sudo -n -- sh -c ${quoted(inner)} && ${inner}`;
    expect(outer.redacted()).not.toContain('s3cr3t');
    expect(outer.redacted()).toContain('visible');
    expect(outer.secrets).toEqual([password, password]);
    const [shell] = SHELLS;
    if (shell === undefined) throw new Error('no shell found');
    expect(run(shell, sh`sh -c ${quoted(sh`printf %s ${secret(password)}`)}`).toString()).toBe(password);
  });
});
