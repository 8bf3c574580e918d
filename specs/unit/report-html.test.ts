import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Page } from 'puppeteer-core';
import { describe, expect, it } from 'vitest';
import { renderMatrixHtml } from '../../harness/report/index.js';
import {
  matrixResult,
  matrixResultIncomplete,
  matrixResultWithHostile,
  matrixResultWithPeers,
  matrixResultWithRuntimeSkips,
} from '../support/matrix-result.js';
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
  it('is one self-contained page: one small inline script, no external resources', () => {
    for (const result of [matrixResult(), matrixResultWithHostile()]) {
      const html = renderMatrixHtml(result);
      expect(html.match(/<script/gi)).toHaveLength(1);
      expect(html).toMatch(/<script>[^<]+<\/script>\n<\/body>/);
      expect(html).not.toMatch(/<link|\ssrc=|url\(/i);
      expect(html).toContain('&lt;script&gt;throw new Error(&#39;unescaped&#39;)&lt;/script&gt;');
    }
    expect(renderMatrixHtml(matrixResultWithHostile())).toContain('&lt;script&gt;alert(&#39;forged&#39;)&lt;/script&gt;');
    expect(renderMatrixHtml(matrixResult())).not.toContain('id="hostile');
  });

  it('says INCOMPLETE in the title and the badge, and names every skipped case with its reason', () => {
    const html = renderMatrixHtml(matrixResultIncomplete());
    expect(html).toContain('<title>kcbox scope matrix: INCOMPLETE · inventory-3f2a</title>');
    expect(html).toContain('<span class="badge incomplete">INCOMPLETE</span>');
    expect(html).not.toMatch(/<span class="badge (pass|fail)">/);
    const skips = renderMatrixHtml(matrixResultWithRuntimeSkips());
    expect(skips).toContain(
      '<div class="why">skipped: No realm signing key: kcbox re-signs claims only in realms it imported (it provisions the key there); this realm was not.</div>',
    );
    expect(skips).toContain('(6 cases: 4 run, 2 skipped)');
  });

  it('shows the peer cells apart: a caller × owner grid and their own mismatches', () => {
    const html = renderMatrixHtml(matrixResultWithPeers());
    const peers = html.slice(
      html.indexOf('<section id="peer-cells">'),
      html.indexOf('</section>', html.indexOf('<section id="peer-cells">')),
    );
    expect(peers).toContain('<th scope="col">alice\'s object</th>');
    expect(peers.match(/<td class="cell own"/g)).toHaveLength(3);
    expect(html).toContain('<h2>Peer mismatches (1)</h2>');
    expect(html).toContain("<h3><code>GET /carts/${owner.cartId}</code> × bob on alice's object</h3>");
    expect(html).toContain('authenticated; owner only');
    expect(renderMatrixHtml(matrixResult())).not.toContain('id="peer-cells"');
  });

  withChromium('filters the grids by caller, endpoint and outcome in Chromium', async () => {
    await inChromium(renderMatrixHtml(matrixResultWithPeers()), '/tmp/kcbox-report-filters.png', async (page) => {
      /** `grid: endpoint × user [on owner]` of every cell shown and not dimmed. */
      const shown = () =>
        page.$$eval('td.cell', (cells) =>
          cells
            .filter(
              (cell) => !cell.hidden && !(cell.parentElement as { hidden: boolean }).hidden && !cell.classList.contains('filtered-out'),
            )
            .filter((cell) => !['own', 'missing'].includes(cell.getAttribute('data-outcome') ?? ''))
            .map((cell) => {
              const grid = cell.closest('section')?.id;
              const owner = cell.getAttribute('data-owner');
              const who = `${cell.getAttribute('data-endpoint') ?? '·'} × ${cell.getAttribute('data-user') ?? cell.getAttribute('data-column')}`;
              return `${grid}: ${who}${owner && owner !== cell.getAttribute('data-user') ? ` on ${owner}` : ''}`;
            }),
        );
      const all = await shown();
      // 4 endpoints × 4 users, less anonymous on the carts (it owns none), and 9 peer cells.
      expect(all).toHaveLength(4 * 4 - 1 + 9);
      expect(await page.$eval('output[name="shown"]', (output) => output.textContent)).toBe(`${all.length} cells shown`);

      await page.select('select[name="outcome"]', 'mismatch');
      expect(await shown()).toEqual(['matrix: DELETE /items/{id} × bob', 'peer-cells: GET /carts/${owner.cartId} × bob on alice']);
      await page.select('select[name="caller"]', 'alice');
      expect(await shown()).toEqual([]);
      expect(await page.$eval('output[name="shown"]', (output) => output.textContent)).toBe('0 cells shown');

      await page.select('select[name="outcome"]', '');
      await page.select('select[name="endpoint"]', 'GET /carts/${owner.cartId}');
      expect(await shown()).toEqual([
        'matrix: GET /carts/${owner.cartId} × alice',
        'peer-cells: GET /carts/${owner.cartId} × alice on bob',
        'peer-cells: GET /carts/${owner.cartId} × alice on carol',
      ]);
      // Only alice's column of the role grid is left, header included.
      expect(
        await page.$$eval('#matrix thead th[data-user]', (heads) => heads.filter((head) => !head.hidden).map((head) => head.textContent)),
      ).toEqual(['alice']);

      await page.click('button[type="reset"]');
      await page.waitForFunction(`document.querySelector('output[name="shown"]').textContent === '${all.length} cells shown'`);
      expect(await shown()).toEqual(all);
    });
  });

  withChromium('renders in Chromium without errors, with the grid, the mismatches and the backend output', async () => {
    await inChromium(renderMatrixHtml(matrixResult()), '/tmp/kcbox-report.png', async (page) => {
      expect(await page.title()).toBe('kcbox scope matrix: FAIL · inventory-3f2a');
      expect(await page.$$eval('td.cell', (cells) => cells.length)).toBe(3 * 4);
      expect(
        await page.$$eval('td.cell.mismatch', (cells) =>
          cells.map((cell) => `${cell.getAttribute('data-endpoint')} × ${cell.getAttribute('data-user')}`),
        ),
      ).toEqual(['DELETE /items/{id} × bob']);
      // No answer is not a mismatch: the cell is inconclusive, and links to what was not checked.
      expect(
        await page.$eval('td[data-endpoint="POST /items"][data-user="carol"]', (cell) => [
          cell.className,
          cell.textContent,
          cell.querySelector('a')?.getAttribute('href'),
        ]),
      ).toEqual(['cell inconclusive', '? timeoutexpected deny (403)', '#incomplete']);
      expect(await page.$$eval('#incomplete tbody tr', (rows) => rows.map((row) => row.textContent))).toEqual([
        'POST /items × carolThe backend did not answer within 5000 ms.',
      ]);
      expect(await page.$eval('td[data-endpoint="GET /items"][data-user="anonymous"]', (cell) => cell.className)).toBe('cell allow-ok');
      expect(await page.$eval('td[data-endpoint="POST /items"][data-user="bob"]', (cell) => cell.className)).toBe('cell deny-ok');
      expect(await page.$eval('.badge', (badge) => badge.textContent)).toBe('FAIL');
      expect(await page.$eval('#failure-1', (article) => article.textContent)).toContain("<script>throw new Error('unescaped')</script>");
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
        'inconclusive',
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
        '12 cells: 10 passed, 1 failed, 1 inconclusive · 1 realm finding · hostile: 5 cases (4 run, 1 skipped), 2 blocking findings (threshold high), 1 below threshold',
      );
    });
  });

  withChromium('renders an incomplete run in Chromium: the verdict, what was not checked, inconclusive cells, skipped cases', async () => {
    await inChromium(renderMatrixHtml(matrixResultIncomplete()), '/tmp/kcbox-report-incomplete.png', async (page) => {
      expect(await page.title()).toBe('kcbox scope matrix: INCOMPLETE · inventory-3f2a');
      const badge = await page.$eval('.badge', (element) => ({
        text: element.textContent,
        background: element.ownerDocument.defaultView?.getComputedStyle(element).backgroundColor,
      }));
      expect(badge).toEqual({ text: 'INCOMPLETE', background: 'rgb(154, 103, 0)' });
      expect(await page.$eval('.summary', (line) => line.textContent)).toBe(
        'incomplete: 5 things could not be checked · 12 cells: 9 passed, 1 failed, 2 inconclusive · 1 realm finding · hostile: 7 cases (4 run, 2 skipped, 1 not checked), 2 blocking findings (threshold high), 1 below threshold, 1 attempt inconclusive (no answer)',
      );
      // Right under the header, before the grid: each thing once, with why.
      expect(await page.$$eval('body > *', (parts) => parts.map((part) => part.id || part.tagName.toLowerCase()).slice(0, 3))).toEqual([
        'header',
        'incomplete',
        'matrix',
      ]);
      expect(await page.$eval('#incomplete h2', (heading) => heading.textContent)).toBe('Not checked (5)');
      expect(
        await page.$$eval('#incomplete tbody tr', (rows) =>
          rows.map((row) => [row.querySelector('th')?.textContent, row.querySelector('td')?.textContent]),
        ),
      ).toEqual([
        ['the backend', 'it exited during the check (code 1); its last output is in the report'],
        ['POST /items × carol', 'no answer (timeout): no answer within 5000 ms'],
        ['DELETE /items/{id} × carol', 'no answer (network-error): read ECONNRESET (also on a fresh connection)'],
        [
          'hostile other-client',
          'Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
        ],
        ['hostile none · DELETE /items/{id} · alg "nOnE"', 'no answer (timeout): no answer within 5000 ms'],
      ]);
      const cells = (selector: string, attribute: string) =>
        page.$$eval(
          selector,
          (found, name) =>
            found.map((cell) => `${cell.getAttribute(name)} × ${cell.getAttribute('data-user') ?? cell.getAttribute('data-endpoint')}`),
          attribute,
        );
      expect(await cells('td.cell.inconclusive', 'data-endpoint')).toEqual(['POST /items × carol', 'DELETE /items/{id} × carol']);
      expect(await cells('td.cell.mismatch', 'data-endpoint')).toEqual(['DELETE /items/{id} × bob']);
      expect(await page.$$eval('#failures article', (articles) => articles.length)).toBe(1);
      expect(await cells('#hostile td.hcell.inconclusive', 'data-case')).toEqual([
        'none × DELETE /items/{id}',
        'other-client × POST /items',
        'other-client × DELETE /items/{id}',
      ]);
      expect(await cells('#hostile td.hcell.skipped', 'data-case')).toEqual([
        'expired × POST /items',
        'expired × DELETE /items/{id}',
        'expired × (listener)',
        'other-realm × POST /items',
        'other-realm × DELETE /items/{id}',
        'other-realm × (listener)',
      ]);
      expect(
        await page.$eval(
          'td[data-case="none"][data-endpoint="DELETE /items/{id}"]',
          (cell) => cell.ownerDocument.defaultView?.getComputedStyle(cell).borderStyle,
        ),
      ).toBe('dashed');
      const reasons = await page.$$eval('#hostile th[scope="row"] .why', (notes) => notes.map((note) => note.textContent));
      expect(reasons).toEqual([
        'skipped: No realm signing key: kcbox re-signs claims only in realms it imported (it provisions the key there); this realm was not.',
        'skipped: The spec names an existing realm, so kcbox has no second realm to take a token from.',
        'not checked: Keycloak did not give kcbox the token: 503 Service Unavailable from /realms/inventory-3f2a/protocol/openid-connect/token',
      ]);
      expect(await page.$eval('#hostile > p', (intro) => intro.textContent)).toContain('(7 cases: 4 run, 2 skipped, 1 not checked)');
    });
  });
});
