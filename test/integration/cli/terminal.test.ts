import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { quote } from '../../../src/shell/quote.js';
import { projectRoot } from '../../helpers/cli.js';

/**
 * The listr2 view as a person sees it: the CLI runs in a real terminal (tmux), and the screen is
 * read back. Each host's result is one row, a skipped one included.
 */

const work = mkdtempSync(join(tmpdir(), 'runbook-terminal-'));
const session = `runbook-terminal-${process.pid}`;
afterAll(() => {
  execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  rmSync(work, { recursive: true, force: true });
});

test('a skipped host shows its reason once, in one row', async () => {
  const playbook = join(work, 'skip.yml');
  writeFileSync(
    playbook,
    '- hosts: localhost\n  tasks:\n    - name: skipped one\n      debug: { msg: hi }\n      when: false\n    - name: shown one\n      debug: { msg: hello }\n',
  );
  const done = join(work, 'done');
  const command = `node ${quote(join(projectRoot, 'bin/runbook.js'))} apply ${quote(playbook)}; touch ${quote(done)}; sleep 60`;
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '120', '-y', '30', command], { env: { ...process.env, TERM: 'xterm-256color', NO_COLOR: '1' } });
  let screen = '';
  for (let attempt = 0; attempt < 100; attempt += 1) {
    screen = execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
    if (screen.includes('No changes')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(screen).toContain('No changes');
  const rows = screen.split('\n').filter((line) => line.includes('localhost skipped'));
  expect(rows).toEqual(['  ↓ localhost skipped when: false is false']);
  expect(screen.split('\n').filter((line) => line.includes('localhost ok hello'))).toHaveLength(1);
});
