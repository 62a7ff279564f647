import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

/** Debian's chromium (scripts/setup.sh installs it); puppeteer-core never downloads a browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Opens a grade report's HTML page in headless chromium and reads the matrix as rendered (pod ->
 * each cell's data-state), keeping a screenshot. Root runs the tests: chromium's sandbox refuses root.
 */
export async function readRenderedMatrix(htmlFile: string, screenshot: string): Promise<Record<string, string[]>> {
  const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1440, height: 900 });
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load' });
    const rows = await page.$$eval('#matrix tr[data-pod]', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-pod') ?? '', [...tr.querySelectorAll('td[data-state]')].map((td) => td.getAttribute('data-state') ?? '')] as const),
    );
    mkdirSync(dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    return Object.fromEntries(rows);
  } finally {
    await browser.close();
  }
}
