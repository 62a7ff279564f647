import { describe, expect, it } from 'vitest';
import type { ModuleDefinition, Plan } from '../../../src/modules/types.js';
import { sh } from '../../../src/shell/command.js';
import { checkFixture, type ModuleFixture } from '../../helpers/module-fixtures.js';

// The generator itself: it must reject the silent failures a fixture could otherwise wave through.

const planning = (plan: Plan, probe?: ModuleDefinition['probe']): ModuleDefinition => ({ name: 'fake', summary: 'a test module', plan: () => plan, ...(probe ? { probe } : {}) });
const fixture = (expect: ModuleFixture['expect'], probes: ModuleFixture['probes'] = {}): ModuleFixture => ({ args: {}, probes, expect });

describe('fixture generator', () => {
  it('fails a change that has no commands, even when the fixture expects none', () => {
    expect(() => checkFixture(planning({ kind: 'change', summary: 'nothing really', steps: [] }), fixture({ kind: 'change', commands: [] }))).toThrow(
      'a change has commands',
    );
  });

  it('fails a no-op without a reason', () => {
    expect(() => checkFixture(planning({ kind: 'noop', reason: ' ' }), fixture({ kind: 'noop', reason: ' ' }))).toThrow('a no-op has a reason');
  });

  it('fails a change fixture that does not list its commands', () => {
    const plan: Plan = { kind: 'change', summary: 'touch', steps: [{ title: 'touch', command: sh`touch x` }] };
    expect(() => checkFixture(planning(plan), fixture({ kind: 'change' }))).toThrow('a change fixture lists its commands');
  });

  it('fails when the module asks for a probe the fixture does not answer, or the fixture answers one never asked', () => {
    const probing = planning({ kind: 'noop', reason: 'fine' }, () => ({ state: sh`true` }));
    expect(() => checkFixture(probing, fixture({ kind: 'noop', reason: 'fine' }))).toThrow('does not answer');
    const silent = planning({ kind: 'noop', reason: 'fine' });
    expect(() => checkFixture(silent, fixture({ kind: 'noop', reason: 'fine' }, { extra: { code: 0 } }))).toThrow('never asked for');
  });

  it('passes a fixture that matches', () => {
    const plan: Plan = { kind: 'change', summary: 'touch', steps: [{ title: 'touch', command: sh`touch ${'a b'}` }] };
    expect(() => checkFixture(planning(plan), fixture({ kind: 'change', commands: ["touch 'a b'"] }))).not.toThrow();
  });
});
