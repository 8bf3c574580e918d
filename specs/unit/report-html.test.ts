import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { renderMatrixHtml } from '../../harness/report/index.js';
import { matrixResult } from '../support/matrix-result.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const chromium = process.env.KCBOX_CHROMIUM ?? '/usr/bin/chromium';

describe('HTML report', () => {
  it('is one self-contained page without scripts or external resources', () => {
    const html = renderMatrixHtml(matrixResult());
    expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/i);
    expect(html).toContain('&lt;script&gt;throw new Error(&#39;unescaped&#39;)&lt;/script&gt;');
  });

  it('renders in Chromium without errors, with the grid, the mismatches and the backend output', async () => {
    if (!existsSync(chromium)) {
      throw new Error(`Chromium not found at ${chromium}. Install it (Debian: apt-get install chromium) or point KCBOX_CHROMIUM at a Chromium binary; this test does not skip.`);
    }
    const folder = tempDir();
    const file = join(folder, 'kcbox.html');
    writeFileSync(file, renderMatrixHtml(matrixResult()));
    const browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${String(error)}`));
      page.on('request', (request) => requests.push(request.url()));
      await page.setViewport({ width: 1100, height: 800 });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      expect(problems).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);

      expect(await page.title()).toBe('kcbox scope matrix: FAIL · inventory-3f2a');
      expect(await page.$$eval('td.cell', (cells) => cells.length)).toBe(3 * 4);
      expect(await page.$$eval('td.cell.mismatch', (cells) => cells.map((cell) => `${cell.getAttribute('data-endpoint')} × ${cell.getAttribute('data-user')}`))).toEqual([
        'POST /items × carol',
        'DELETE /items/{id} × bob',
      ]);
      expect(await page.$eval('td[data-endpoint="GET /items"][data-user="anonymous"]', (cell) => cell.className)).toBe('cell allow-ok');
      expect(await page.$eval('td[data-endpoint="POST /items"][data-user="bob"]', (cell) => cell.className)).toBe('cell deny-ok');
      expect(await page.$eval('.badge', (badge) => badge.textContent)).toBe('FAIL');
      expect(await page.$eval('#failure-2', (article) => article.textContent)).toContain("<script>throw new Error('unescaped')</script>");
      expect(await page.$eval('#realm-findings', (section) => section.textContent)).toContain('specs/inventory.matrix.yaml:14');
      expect(await page.$eval('#backend-output details', (details) => details.textContent)).toContain('Error: boom <at> DELETE /items/7');

      const screenshot = join(folder, 'kcbox-report.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      copyFileSync(screenshot, '/tmp/kcbox-report.png');
    } finally {
      await browser.close();
    }
  });
});
