import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ValidationError, type Issue } from '../../src/errors.js';
import { loadPlaybook, type LoadPlaybookOptions } from '../../src/load/playbook.js';

const scratch = mkdtempSync(join(tmpdir(), 'runbook-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let written = 0;
/** Write a playbook into a scratch directory (with optional neighbour files, in subdirectories too) and return its path. */
export function playbookFile(text: string, files: Record<string, string> = {}): string {
  const directory = join(scratch, String(written++));
  mkdirSync(directory);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(directory, name, '..'), { recursive: true });
    writeFileSync(join(directory, name), content);
  }
  const path = join(directory, 'playbook.yml');
  writeFileSync(path, text);
  return path;
}

/** The problems loading the playbook reports (it must report some). */
export function issuesOf(path: string, options: LoadPlaybookOptions = {}): Issue[] {
  try {
    loadPlaybook(path, options);
  } catch (error) {
    if (error instanceof ValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('the playbook loaded without problems');
}

/** The errors loading the playbook reports, without its warnings. */
export function errorsOf(path: string, options: LoadPlaybookOptions = {}): Issue[] {
  return issuesOf(path, options).filter((issue) => issue.severity === 'error');
}

/** `line:col CODE message`, for compact expectations. */
export const brief = (issue: Issue) => `${issue.line}:${issue.col} ${issue.code} ${issue.message}`;
