import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildBatch, buildSequence } from '../../../src/engine/batch.js';
import { sh } from '../../../src/shell/command.js';
import type { ExecResult } from '../../../src/transport/types.js';

function runLocally(script: string, input?: string): ExecResult {
  const result = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

describe('probe batches', () => {
  it('returns each command its own stdout, stderr and exit status from one shell run', () => {
    const batch = buildBatch([
      sh`printf 'one\ntwo'`,
      sh`echo oops >&2; exit 3`,
      sh`printf ''`,
      sh`printf '%s\n' ${"it's $(not) run"}`,
    ]);
    const results = batch.parse(runLocally(batch.command.render()));
    expect(results).toEqual([
      { code: 0, signal: null, stdout: 'one\ntwo', stderr: '' },
      { code: 3, signal: null, stdout: '', stderr: 'oops\n' },
      { code: 0, signal: null, stdout: '', stderr: '' },
      { code: 0, signal: null, stdout: "it's $(not) run\n", stderr: '' },
    ]);
  });

  it('keeps a command from reading the batch input or ending the batch', () => {
    const batch = buildBatch([sh`cat; echo read-nothing`, sh`exit 7`, sh`echo still-here`]);
    const results = batch.parse(runLocally(batch.command.render()));
    expect(results.map((result) => [result.code, result.stdout])).toEqual([
      [0, 'read-nothing\n'],
      [7, ''],
      [0, 'still-here\n'],
    ]);
  });

  it('reports probes whose markers never arrived as failures without an exit status', () => {
    const batch = buildBatch([sh`true`, sh`true`]);
    const results = batch.parse({ code: null, signal: 'KILL', stdout: '', stderr: '' });
    expect(results.every((result) => result.code === null)).toBe(true);
  });

  it('takes no marker from a line that only starts like one, nor from one the batch did not finish', () => {
    const batch = buildBatch([sh`true`, sh`true`]);
    const nonce = /RB[0-9a-f]{18}/.exec(batch.command.render())?.[0];
    expect(nonce).toBeDefined();
    const stdout = `one\n${nonce} 0 0\n\n${nonce} not a marker\ntwo\n${nonce} 1 0`;
    expect(batch.parse({ code: null, signal: 'KILL', stdout, stderr: `\n${nonce} 0\n` })).toEqual([
      { code: 0, signal: null, stdout: 'one', stderr: '' },
      { code: null, signal: 'KILL', stdout: '', stderr: `\n${nonce} 0\n` },
    ]);
  });
});

describe('step sequences', () => {
  it('runs steps in order, the one that reads stdin getting it, and stops at the first failing step', () => {
    const sequence = buildSequence([
      { command: sh`cat; echo read-nothing` },
      { command: sh`cat > /dev/null; echo read-it`, readsStdin: true },
      { command: sh`exit 1`, okCodes: [0, 1] },
      { command: sh`echo broken >&2; exit 4` },
      { command: sh`echo never` },
    ]);
    const run = runLocally(sequence.command.render(), 'the input\n');
    expect(run.code).toBe(4);
    expect(run.stdout).not.toContain('never');
    expect(sequence.parse(run).map((result) => [result.code, result.stdout, result.stderr])).toEqual([
      [0, 'read-nothing\n', ''],
      [0, 'read-it\n', ''],
      [1, '', ''],
      [4, '', 'broken\n'],
      [null, '', run.stderr],
    ]);
  });

  it('refuses exit codes that are not whole numbers', () => {
    expect(() => buildSequence([{ command: sh`true`, okCodes: [0.5] }])).toThrow(/whole numbers/);
  });
});
