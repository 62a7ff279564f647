/**
 * The grade's HTML page in a real browser (Debian's chromium, driven by puppeteer-core): the matrix a
 * person sees matches the report, a click shows a cell's detail, hostile text stays text, and the page
 * fetches nothing. Needs no sandbox host. Leaves a screenshot in test-artifacts/grade-report.png.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { GLYPHS } from '../../../src/report/grade/format.js';
import { renderGradeHtml } from '../../../src/report/grade/html.js';
import { HOSTILE_DETAIL, HOSTILE_POD, labReport } from '../../fixtures/grade/reports.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

const report = labReport();
let browser: Browser;
let page: Page;
let directory: string;
let pageUrl: string;
const requests: string[] = [];
const problems: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: scripts/setup.sh installs it (apt package chromium)`);
  // The page shows times in the local time of the machine that wrote it; the fixture's are UTC.
  vi.stubEnv('TZ', 'UTC');
  directory = await mkdtemp(join(tmpdir(), 'runbook-grade-html-'));
  const file = join(directory, 'grade.html');
  await writeFile(file, renderGradeHtml(report));
  pageUrl = pathToFileURL(file).href;
  // Root runs the tests: chromium's own sandbox refuses root.
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1440, height: 1000 });
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await page.goto(pageUrl, { waitUntil: 'load' });
});

afterAll(async () => {
  await browser?.close();
  if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

test('the rendered matrix is the report: one row per pod, each cell its state and glyph', async () => {
  const rows = await page.$$eval('#matrix tbody tr', (trs) =>
    trs.map((tr) => ({
      pod: tr.getAttribute('data-pod'),
      cells: [...tr.querySelectorAll('td[data-step]')].map((td) => ({
        step: Number(td.getAttribute('data-step')),
        state: td.getAttribute('data-state'),
        glyph: td.querySelector('.glyph')?.textContent,
      })),
    })),
  );
  expect(rows).toEqual(
    report.pods.map((pod) => ({
      pod: pod.pod,
      cells: pod.cells.map((cell, index) => ({ step: index + 1, state: cell.state, glyph: GLYPHS[cell.state] })),
    })),
  );
  // What a person reads: the glyph and the time the step was reached; the row header is the pod name.
  // innerText is the text as laid out: the glyph above the time.
  expect(await page.$eval('#matrix tbody tr:first-child td[data-step="1"]', (td) => (td as unknown as { innerText: string }).innerText)).toBe('✓\n13:05');
  expect(await page.$eval('#matrix tbody tr:nth-child(6) th', (th) => th.textContent)).toBe(HOSTILE_POD);
  expect(await page.$$eval('#matrix tfoot td.rate', (tds) => tds.map((td) => td.textContent))).toEqual(
    ['100%', '100%', '83%', '83%', '–', '33%', '33%', '33%', '–', '33%', '33%', '17%'],
  );
  expect(await page.$$eval('#groups li', (items) => items.length)).toBe(10);
});

test('a click on a cell shows its detail, the per-host checks, and the hint where the pod is stuck', async () => {
  expect(await page.$eval('#detail', (panel) => panel.textContent)).toContain('Click a cell');
  await page.click(`#matrix tbody tr:nth-child(6) td[data-step="4"]`);
  const panel = await page.$eval('#detail', (aside) => ({
    heading: aside.querySelector('h2')?.textContent,
    state: aside.querySelector('.chip')?.textContent,
    detail: aside.querySelector('.text')?.textContent,
    hint: aside.querySelector('.hint')?.textContent,
    checks: [...aside.querySelectorAll('tr')].map((tr) => [...tr.children].map((cell) => cell.textContent)),
  }));
  expect(panel).toEqual({
    heading: `${HOSTILE_POD} · step 4`,
    state: '✗ failed',
    detail: HOSTILE_DETAIL,
    hint: `Hint: ${report.steps[3]!.hint}`,
    checks: [
      ['host', 'status', 'message'],
      [`${HOSTILE_POD}-nfs`, 'failed', HOSTILE_DETAIL],
    ],
  });
  expect(await page.$eval('td.selected', (td) => `${td.parentElement!.getAttribute('data-pod')} ${td.getAttribute('data-step')}`)).toBe(`${HOSTILE_POD} 4`);

  // A step the pod is not stuck at: its detail, no hint.
  await page.focus('#matrix tbody tr:nth-child(2) td[data-step="8"]');
  await page.keyboard.press('Enter');
  expect(await page.$eval('#detail', (aside) => [aside.querySelector('h2')?.textContent, aside.querySelector('.text')?.textContent, aside.querySelector('.hint')])).toEqual([
    'pod02 · step 8',
    'libvirtd would be started and enabled',
    null,
  ]);
});

test('no script of the data ran and nothing was fetched: the only request is the page itself', async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.click(`#matrix tbody tr:nth-child(2) td[data-step="6"]`);
  await page.screenshot({ path: join(ARTIFACTS, 'grade-report.png'), fullPage: true });
  expect(problems).toEqual([]);
  expect(requests).toEqual([pageUrl]);
  expect(await page.$$eval('script', (scripts) => scripts.length)).toBe(2);
});
