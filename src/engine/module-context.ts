import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunbookError } from '../errors.js';
import type { ModuleContext } from '../modules/types.js';
import { evaluate, renderValue } from '../template/index.js';
import type { HostState } from './host-state.js';
import type { Variables } from './vars.js';

/** What a module's probe() and plan() are told of the host, the run and the task's variables. */
export class ModuleContexts {
  constructor(
    private readonly variables: Variables,
    private readonly check: boolean,
    private readonly playbookDir: string,
  ) {}

  /** `roleDir`: the directory of the task's role, if it comes from one; `check`: the task's check mode, if it says. */
  of(host: HostState, vars: Record<string, unknown>, roleDir?: string, check = this.check): ModuleContext {
    let nonce: string | undefined;
    return {
      host: host.name,
      // Read ahead while connecting, before the facts arrive: a probe that needs them is read later.
      get facts() {
        if (!host.facts) throw new RunbookError('RB_INTERNAL', `the facts of ${host.name} are not known yet`);
        return host.facts;
      },
      check,
      hostVars: (name) => this.variables.ofHostSeenFrom(host, name),
      resolveHost: (name) => this.variables.resolveHost(host, name),
      playbookDir: this.playbookDir,
      ...(roleDir === undefined ? {} : { roleDir }),
      renderTemplate: (text) => String(renderValue(text, vars)),
      readLocalFile: (path) => readFileSync(resolve(this.playbookDir, path)),
      evaluate: (expression) => evaluate(expression, vars),
      // Drawn on first use: most plans never need one.
      get nonce() {
        return (nonce ??= randomBytes(8).toString('hex'));
      },
    };
  }
}
