import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../src/facts/host.js';
import { getModule } from '../../src/modules/registry.js';
import type { Diff, ModuleContext, ModuleDefinition, Plan, Probe, ProbeResults, ProbeSet } from '../../src/modules/types.js';
import { moduleSchemaId } from '../../src/schema/ajv.js';
import { validate } from '../../src/schema/validate.js';
import { evaluate, renderValue } from '../../src/template/index.js';
import type { ExecResult } from '../../src/transport/types.js';

/**
 * Data-driven module tests: test/unit/modules/<module>/<case>.json. Each fixture gives the task's
 * args, the output of every probe the module asks for (over all probe rounds) and the plan expected.
 */
export interface ModuleFixture {
  description?: string;
  args: Record<string, unknown>;
  /** Overrides of the default (Debian 12) host facts. */
  facts?: Partial<HostFacts>;
  /** Task variables for templates, assert and debug. */
  vars?: Record<string, unknown>;
  /** Local files (path relative to the playbook directory → text) for copy src and template src. */
  files?: Record<string, string>;
  check?: boolean;
  /** Probe key → what the host answered. */
  probes: Record<string, { code: number | null; stdout?: string; stderr?: string }>;
  expect: {
    kind: 'noop' | 'change' | 'fail' | 'error';
    /** noop: the reason. */
    reason?: string;
    /** noop: message shown (debug); fail: the failure; error: a substring of the error thrown. */
    message?: string;
    /** change: the summary. */
    summary?: string;
    /** change: every step's command exactly as rendered for the host. */
    commands?: string[];
    diff?: Diff[];
    /** change: the stdin of the steps that have one, as UTF-8, concatenated. */
    stdin?: string;
    /** Probe key → the exact rendered probe command (for fixtures about quoting). */
    probeCommands?: Record<string, string>;
    setFacts?: Record<string, unknown>;
    result?: Record<string, unknown>;
    skipped?: boolean;
  };
}

/** Debian 12 host facts, the default of fakeContext. */
export const DEBIAN_FACTS: HostFacts = {
  hostname: 'testhost',
  osFamily: 'debian',
  distribution: 'debian',
  distributionVersion: '12',
  packageManager: 'apt',
  initSystem: 'systemd',
  addresses: ['10.77.0.11'],
  selinux: 'absent',
  firewalld: 'absent',
  user: 'root',
  uid: 0,
  architecture: 'x86_64',
  ansible: {},
};

export type FakeContextOverrides = Partial<Omit<ModuleContext, 'facts'>> & {
  facts?: Partial<HostFacts>;
  vars?: Record<string, unknown>;
  files?: Record<string, string>;
};

/**
 * A ModuleContext for unit tests: Debian facts, the project's real template engine over `vars`,
 * local files from `files`. Any context member can be overridden.
 */
export function fakeContext(overrides: FakeContextOverrides = {}): ModuleContext {
  const { facts, vars = {}, files = {}, ...rest } = overrides;
  return {
    host: 'testhost',
    facts: { ...DEBIAN_FACTS, ...facts },
    check: false,
    hostVars: () => undefined,
    resolveHost: (name) => name,
    playbookDir: '/playbook',
    renderTemplate: (text) => String(renderValue(text, vars)),
    // Keys are relative to the playbook directory; modules may ask by absolute path (search paths).
    readLocalFile: (path) => {
      const text = files[path] ?? files[relative(rest.playbookDir ?? '/playbook', path)];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      return Buffer.from(text, 'utf8');
    },
    evaluate: (expression) => evaluate(expression, vars),
    nonce: 'n0nce',
    ...rest,
  };
}

function probeCommand(probe: Probe): string {
  return 'host' in probe ? `[${probe.host}] ${probe.command.render()}` : probe.render();
}

/** Runs probe rounds from the fixture's answers until the module returns a final plan. */
export function planFromFixture(module: ModuleDefinition<any>, fixture: ModuleFixture): Exclude<Plan, { kind: 'probe' }> {
  const context = fakeContext({ facts: fixture.facts, vars: fixture.vars, files: fixture.files, check: fixture.check ?? false });
  const results: ProbeResults = {};
  const asked = new Set<string>();
  let wanted: ProbeSet = module.probe?.(fixture.args, context) ?? {};
  for (let round = 0; round < 8; round += 1) {
    for (const [key, probe] of Object.entries(wanted)) {
      const answer = fixture.probes[key];
      if (answer === undefined) throw new Error(`the module asked for probe "${key}", which the fixture does not answer`);
      const expected = fixture.expect.probeCommands?.[key];
      if (expected !== undefined) expect(probeCommand(probe), `probe ${key}`).toBe(expected);
      asked.add(key);
      results[key] = { code: answer.code, signal: null, stdout: answer.stdout ?? '', stderr: answer.stderr ?? '' } satisfies ExecResult;
    }
    const plan = module.plan(fixture.args, results, context);
    if (plan.kind !== 'probe') {
      const unused = Object.keys(fixture.probes).filter((key) => !asked.has(key));
      if (unused.length > 0) throw new Error(`the fixture answers probes the module never asked for: ${unused.join(', ')}`);
      return plan;
    }
    wanted = plan.probes;
  }
  throw new Error('the module kept asking for more probes');
}

/** Plans the fixture with `module` and asserts the expectation; throws (fails the test) on any difference. */
export function checkFixture(module: ModuleDefinition<any>, fixture: ModuleFixture): void {
  const wanted = fixture.expect;
  if (wanted.kind === 'error') {
    expect(wanted.message, 'an error fixture names the error').toBeTruthy();
    expect(() => planFromFixture(module, fixture)).toThrow(wanted.message);
    return;
  }
  const plan = planFromFixture(module, fixture);
  expect(plan.kind, plan.kind === 'fail' ? plan.message : plan.kind === 'noop' ? plan.reason : plan.summary).toBe(wanted.kind);
  if (plan.kind === 'change') {
    // A change must say how: a plan without commands is a silent no-op in disguise.
    expect(plan.steps.length, 'a change has commands').toBeGreaterThan(0);
    expect(wanted.commands, 'a change fixture lists its commands').toBeDefined();
    expect(plan.steps.map((step) => step.command.render())).toEqual(wanted.commands);
    if (wanted.summary !== undefined) expect(plan.summary).toBe(wanted.summary);
    if (wanted.diff !== undefined) expect(plan.diff).toEqual(wanted.diff);
    const stdin = plan.steps.flatMap((step) => (step.stdin === undefined ? [] : [Buffer.from(step.stdin).toString('utf8')])).join('');
    if (wanted.stdin !== undefined) expect(stdin).toBe(wanted.stdin);
    if (wanted.result !== undefined) expect(plan.result).toEqual(wanted.result);
  } else if (plan.kind === 'noop') {
    // A no-op always says why.
    expect(plan.reason.trim(), 'a no-op has a reason').not.toBe('');
    expect(wanted.reason, 'a noop fixture states the reason').toBeDefined();
    expect(plan.reason).toBe(wanted.reason);
    if (wanted.message !== undefined) expect(plan.message).toBe(wanted.message);
    if (wanted.setFacts !== undefined) expect(plan.setFacts).toEqual(wanted.setFacts);
    if (wanted.result !== undefined) expect(plan.result).toEqual(wanted.result);
    if (wanted.skipped !== undefined) expect(plan.skipped ?? false).toBe(wanted.skipped);
  } else {
    expect(wanted.message, 'a fail fixture states the message').toBeDefined();
    expect(plan.message).toBe(wanted.message);
    if (wanted.result !== undefined) expect(plan.result).toEqual(wanted.result);
  }
}

function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

/**
 * Registers one vitest test per fixture. `dir` is either one module's fixture directory (named after
 * the module) or a directory of such directories.
 */
export function runFixtureDir(dir: string): void {
  const direct = jsonFiles(dir);
  const moduleDirs =
    direct.length > 0
      ? [dir]
      : readdirSync(dir)
          .map((name) => join(dir, name))
          .filter((path) => statSync(path).isDirectory() && jsonFiles(path).length > 0)
          .sort();
  for (const moduleDir of moduleDirs) {
    const name = basename(moduleDir);
    describe(`module ${name}`, () => {
      for (const file of jsonFiles(moduleDir)) {
        const fixture = JSON.parse(readFileSync(join(moduleDir, file), 'utf8')) as ModuleFixture;
        it(`${file.replace(/\.json$/, '')}${fixture.description ? `: ${fixture.description}` : ''}`, () => {
          const module = getModule(name);
          if (!module) throw new Error(`no module "${name}" is registered (src/modules/registry.ts)`);
          expect(validate(moduleSchemaId(name), fixture.args), 'args must be valid for the schema').toEqual([]);
          checkFixture(module, fixture);
        });
      }
    });
  }
}
