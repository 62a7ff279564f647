import { expect, test } from 'vitest';
import { jsonCollector } from '../../../src/report/json.js';

test('the --json report carries the per-host transport counts of run:end', () => {
  const collector = jsonCollector();
  collector.listener({ type: 'run:start', playbook: 'site.yml', check: false, diff: false, hosts: ['web1'] });
  collector.listener({
    type: 'run:end',
    pods: {},
    recap: { web1: { ok: 3, changed: 0, skipped: 0, failed: 0, unreachable: 0, rescued: 0, ignored: 0 } },
    durationMs: 120,
    interrupted: false,
    transportStats: { web1: { connections: 1, execs: 2 } },
  });
  expect(collector.report()).toMatchObject({
    playbook: 'site.yml',
    durationMs: 120,
    transportStats: { web1: { connections: 1, execs: 2 } },
  });
});
