import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { renderMatrixHtml } from '../../harness/report/index.js';
import { matrixResult, matrixResultWithHostile } from '../support/matrix-result.js';
import { optionalTool } from '../support/optional-tool.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const chromium = process.env.KCBOX_CHROMIUM ?? '/usr/bin/chromium';
/** The tests that open the page: skipped without Chromium, failing under CI=true (see optional-tool.ts). */
const withChromium = it.skipIf(
  !optionalTool(`Chromium at ${chromium}`, () => existsSync(chromium), 'apt-get install chromium (or set KCBOX_CHROMIUM)').available,
);

/**
 * Opens the page in headless Chromium, checks it loaded without console errors or requests
 * beyond the file itself, runs `check`, then saves a full-page screenshot to `screenshotCopy`.
 */
async function inChromium(html: string, screenshotCopy: string, check: (page: Page) => Promise<void>): Promise<void> {
  const folder = tempDir();
  const file = join(folder, 'kcbox.html');
  writeFileSync(file, html);
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
    await check(page);
    const screenshot = join(folder, 'kcbox-report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    copyFileSync(screenshot, screenshotCopy);
  } finally {
    await browser.close();
  }
}

describe('HTML report', () => {
  it('is one self-contained page without scripts or external resources', () => {
    for (const result of [matrixResult(), matrixResultWithHostile()]) {
      const html = renderMatrixHtml(result);
      expect(html).not.toMatch(/<script|<link|\ssrc=|url\(/i);
      expect(html).toContain('&lt;script&gt;throw new Error(&#39;unescaped&#39;)&lt;/script&gt;');
    }
    expect(renderMatrixHtml(matrixResultWithHostile())).toContain('&lt;script&gt;alert(&#39;forged&#39;)&lt;/script&gt;');
    expect(renderMatrixHtml(matrixResult())).not.toContain('id="hostile');
  });

  withChromium('renders in Chromium without errors, with the grid, the mismatches and the backend output', async () => {
    await inChromium(renderMatrixHtml(matrixResult()), '/tmp/kcbox-report.png', async (page) => {
      expect(await page.title()).toBe('kcbox scope matrix: FAIL · inventory-3f2a');
      expect(await page.$$eval('td.cell', (cells) => cells.length)).toBe(3 * 4);
      expect(
        await page.$$eval('td.cell.mismatch', (cells) =>
          cells.map((cell) => `${cell.getAttribute('data-endpoint')} × ${cell.getAttribute('data-user')}`),
        ),
      ).toEqual(['POST /items × carol', 'DELETE /items/{id} × bob']);
      expect(await page.$eval('td[data-endpoint="GET /items"][data-user="anonymous"]', (cell) => cell.className)).toBe('cell allow-ok');
      expect(await page.$eval('td[data-endpoint="POST /items"][data-user="bob"]', (cell) => cell.className)).toBe('cell deny-ok');
      expect(await page.$eval('.badge', (badge) => badge.textContent)).toBe('FAIL');
      expect(await page.$eval('#failure-2', (article) => article.textContent)).toContain("<script>throw new Error('unescaped')</script>");
      expect(await page.$eval('#realm-findings', (section) => section.textContent)).toContain('specs/inventory.matrix.yaml:14');
      expect(await page.$eval('#backend-output details', (details) => details.textContent)).toContain('Error: boom <at> DELETE /items/7');
      expect(await page.$('#hostile')).toBeNull();
    });
  });

  withChromium('renders the hostile grid in Chromium: cases × endpoints coloured by outcome, a legend, the findings', async () => {
    await inChromium(renderMatrixHtml(matrixResultWithHostile()), '/tmp/kcbox-report-hostile.png', async (page) => {
      // Five cases × the two protected endpoints and the listener, which has a finding.
      expect(await page.$$eval('#hostile td.hcell', (cells) => cells.length)).toBe(5 * 3);
      expect(await page.$$eval('#hostile thead th[scope="col"]', (heads) => heads.map((head) => head.textContent))).toEqual([
        'POST /items',
        'DELETE /items/{id}',
        '(listener)',
      ]);
      const cellsOf = (state: string) =>
        page.$$eval(`#hostile td.hcell.${state}`, (cells) =>
          cells.map((cell) => `${cell.getAttribute('data-case')} × ${cell.getAttribute('data-endpoint')}`),
        );
      expect(await cellsOf('blocking')).toEqual(['jku × DELETE /items/{id}', 'jku × (listener)']);
      expect(await cellsOf('below-threshold')).toEqual(['iat-future × POST /items']);
      expect(await cellsOf('skipped')).toEqual([
        'other-realm × POST /items',
        'other-realm × DELETE /items/{id}',
        'other-realm × (listener)',
      ]);
      expect(await cellsOf('passed')).toHaveLength(6);
      expect(await cellsOf('not-run')).toEqual(['none × (listener)', 'iat-future × (listener)', 'scheme-case × (listener)']);
      const blocking = await page.$eval('td[data-case="jku"][data-endpoint="DELETE /items/{id}"]', (cell) => ({
        className: cell.className,
        href: cell.querySelector('a')?.getAttribute('href'),
        background: cell.ownerDocument.defaultView?.getComputedStyle(cell).backgroundColor,
      }));
      expect(blocking).toEqual({ className: 'hcell blocking', href: '#hostile-finding-1', background: 'rgb(253, 227, 225)' });
      expect(
        await page.$eval(
          'td[data-case="iat-future"][data-endpoint="POST /items"]',
          (cell) => cell.ownerDocument.defaultView?.getComputedStyle(cell).backgroundColor,
        ),
      ).toBe('rgb(255, 244, 194)');
      expect(await page.$eval('td[data-case="none"][data-endpoint="POST /items"]', (cell) => cell.textContent)).toBe('✓ 401refused');
      expect(await page.$$eval('#hostile .legend span', (spans) => spans.map((span) => span.className))).toEqual([
        'passed',
        'blocking',
        'below-threshold',
        'skipped',
      ]);
      expect(await page.$eval('#hostile .ssrf', (box) => box.textContent)).toContain('GET /jku/jwks.json');

      expect(
        await page.$$eval('#hostile-findings article', (articles) => articles.map((article) => `${article.id} ${article.className}`)),
      ).toEqual(['hostile-finding-1 finding blocking', 'hostile-finding-2 finding blocking', 'hostile-finding-3 finding below-threshold']);
      const first = await page.$eval('#hostile-finding-1', (article) => ({
        heading: article.querySelector('h3')?.textContent,
        severity: article.querySelector('.sev')?.className,
        excerpt: article.querySelector('pre')?.textContent,
        text: article.textContent,
      }));
      expect(first.heading).toBe('jku critical blocking on DELETE /items/{id}');
      expect(first.severity).toBe('sev sev-critical');
      expect(first.excerpt).toContain(`{"deleted":7,"by":"<script>alert('forged')</script>"`);
      expect(first.text).toContain('Variantjku → http://127.0.0.1:47113/jku/jwks.jsonStatus204Response{"deleted":7');
      expect(await page.$eval('td[data-case="jku"][data-endpoint="(listener)"]', (cell) => cell.textContent)).toBe('✗ fetchedcritical');
      expect(await page.$eval('#hostile-finding-2 .facts', (facts) => facts.textContent)).toContain(
        'Status(none: fetched by the backend)RequestGET /jku/jwks.json',
      );
      expect(first.text).toContain('Fix: Ignore jku: fetch keys only from the configured realm JWKS URL');
      expect(first.text).toContain('Reference: RFC 7515 §4.1.2');
      expect(await page.$eval('.summary', (line) => line.textContent)).toBe(
        '12 cells: 10 passed, 2 failed · 1 realm finding · hostile: 4 cases run, 1 skipped, 2 blocking findings (threshold high), 1 below threshold',
      );
    });
  });
});
