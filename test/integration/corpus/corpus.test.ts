import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { TaskStatus } from '../../../src/engine/events.js';
import type { JsonReport } from '../../../src/report/json.js';
import { runCli } from '../../helpers/cli.js';
import { sandboxInventoryPath } from '../../helpers/sandbox.js';

// The entries of the Ansible corpus (test/fixtures/ansible-corpus/) that can run on the sandbox
// (index.yml says which, and why the others cannot), applied with the CLI and the sandbox's own
// inventory: each entry targets the sandbox's groups (nfs_server, kvm_hosts or all) and reads its
// own group_vars/ and host_vars/ beside its playbook. Entries run one after the other on the same
// hosts, in the index's order. A --check before the first apply may fail where Ansible's would too
// (an assert on a file an earlier task would create, a wait for a service not yet started): what
// it must not do is change anything, so a second --check must report exactly what the first did.
const CORPUS = join(import.meta.dirname, '../../fixtures/ansible-corpus');
const index = parse(readFileSync(join(CORPUS, 'index.yml'), 'utf8')) as Record<string, { playbook: string; sandbox: true | string }>;
const runnable = Object.keys(index).filter((name) => index[name]!.sandbox === true);

const work = mkdtempSync(join(tmpdir(), 'runbook-corpus-it-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  code: number | null;
  output: string;
  report: JsonReport;
}

let runs = 0;
async function run(name: string, check = false): Promise<Run> {
  const reportFile = join(work, `${name}-${(runs += 1)}.json`);
  const playbook = join(CORPUS, name, index[name]!.playbook);
  const result = await runCli(['apply', playbook, '-i', sandboxInventoryPath(), '--json', reportFile, ...(check ? ['--check'] : [])]);
  const output = `${result.stdout}\n${result.stderr}`;
  if (!existsSync(reportFile)) throw new Error(`runbook apply${check ? ' --check' : ''} ${name} exited ${result.code} without a report:\n${output}`);
  return { code: result.code, output, report: JSON.parse(readFileSync(reportFile, 'utf8')) as JsonReport };
}

const changed = (run: Run) => Object.values(run.report.recap).reduce((sum, recap) => sum + recap.changed, 0);

/** Every task's status on every host (hosts finish a task in any order): what a run did, or in check mode would do. */
function statuses(run: Run): string[] {
  return run.report.plays.flatMap((play) =>
    play.tasks.flatMap((task) =>
      Object.entries(task.results)
        .map(([host, result]: [string, { status: TaskStatus }]) => `${task.name} @ ${host}: ${result.status}`)
        .sort(),
    ),
  );
}

describe.each(runnable)('corpus entry %s on the sandbox', (name) => {
  it('--check changes nothing: it reports changes, and a second --check reports the same', async () => {
    const before = await run(name, true);
    expect(changed(before), before.output).toBeGreaterThan(0);
    const again = await run(name, true);
    expect(statuses(again), again.output).toEqual(statuses(before));
    expect(again.code, again.output).toBe(before.code);
  });

  it('converges, then a second apply and a --check change nothing', async () => {
    const first = await run(name);
    expect(first.code, first.output).toBe(0);
    expect(changed(first), first.output).toBeGreaterThan(0);
    const second = await run(name);
    expect(second.code, second.output).toBe(0);
    expect(changed(second), second.output).toBe(0);
    const checked = await run(name, true);
    expect(checked.code, checked.output).toBe(0);
    expect(changed(checked), checked.output).toBe(0);
  });
});
