import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type Page,
  type Request,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testChromium } from './support/config.js';
import { startTestHub, type TestHub } from './support/hub.js';

/** Kept by the test run (CI uploads the folder), so a reviewer sees what a newcomer sees. */
const SCREENSHOTS = fileURLToPath(new URL('../test-results/', import.meta.url));

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const BOARD = 'Northbridge Safeguarding Children Partnership';

/** A page in a fresh profile (no GraphiQL state from another test), with what it did recorded. */
interface Visit {
  page: Page;
  requests: Request[];
  pageErrors: string[];
  consoleErrors: string[];
}

function isIntrospection(request: Request): boolean {
  return request.method() === 'POST' && (request.postData() ?? '').includes('IntrospectionQuery');
}

describe('GraphiQL', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub('sqlite');
  });
  afterAll(() => t?.close());

  it("sends the hub's address to GraphiQL", async () => {
    const response = await fetch(new URL('/', t.url), { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });

  describe.runIf(testChromium)('in a browser', () => {
    let browser: Browser;
    const contexts: BrowserContext[] = [];

    beforeAll(async () => {
      mkdirSync(SCREENSHOTS, { recursive: true });
      browser = await chromium.launch({ executablePath: testChromium, args: CHROMIUM_ARGS });
    });
    afterAll(async () => {
      for (const context of contexts) await context.close();
      await browser?.close();
    });

    async function openPage(path: string): Promise<Visit> {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
      contexts.push(context);
      const page = await context.newPage();
      const visit: Visit = { page, requests: [], pageErrors: [], consoleErrors: [] };
      page.on('request', (request) => visit.requests.push(request));
      page.on('pageerror', (error) => visit.pageErrors.push(String(error)));
      page.on('console', (message) => {
        if (message.type() === 'error') visit.consoleErrors.push(message.text());
      });
      await page.goto(new URL(path, t.url).href);
      await page.locator('.graphiql-query-editor .CodeMirror').waitFor();
      return visit;
    }

    /** Nothing from anywhere but the hub (no CDN, no fonts from elsewhere), nothing broken. */
    function expectSelfContained(visit: Visit): void {
      const origin = new URL(t.url).origin;
      const elsewhere = visit.requests
        .map((request) => request.url())
        .filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin);
      expect(elsewhere).toEqual([]);
      expect(visit.pageErrors).toEqual([]);
      expect(visit.consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual(
        [],
      );
    }

    const banner = (page: Page) => page.getByRole('region', { name: 'Token' });
    const docs = (page: Page) => page.locator('.graphiql-doc-explorer');
    const screenshot = (page: Page, name: string) =>
      page.screenshot({ path: join(SCREENSHOTS, `graphiql-${name}.png`) });

    it('says how to get a token and loads the schema once one is pasted in Headers', async () => {
      const visit = await openPage('/');
      const { page } = visit;
      expect(page.url()).toBe(t.url);

      const text = await banner(page).innerText();
      expect(text).toContain('Paste a token');
      expect(text).toContain('npm run --silent token -- --admin');
      expect(text).toContain('npm run --silent token -- --practitioner <id>');
      expect(text).toContain('{"Authorization": "Bearer …"}');

      // Without a token nothing is asked that could only be refused.
      await page.getByRole('button', { name: 'Show Documentation Explorer' }).click();
      await docs(page).getByText('No GraphQL schema available').waitFor();
      expect(await page.getByText('Error fetching schema').count()).toBe(0);
      expect(await page.locator('.graphiql-response').innerText()).not.toContain(
        'Authentication required',
      );
      expect(visit.requests.filter((request) => request.method() === 'POST')).toEqual([]);
      await screenshot(page, '1-no-token');

      const introspected = page.waitForRequest(isIntrospection);
      const headers = page.locator(
        'section.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror',
      );
      await headers.click();
      await page.keyboard.press('Control+A');
      await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${t.adminToken}` }));
      expect((await introspected).headers().authorization).toBe(`Bearer ${t.adminToken}`);

      // The schema arrives without "Re-fetch GraphQL schema": Docs lists the API's root types.
      await docs(page).getByText('Root Types').waitFor();
      await docs(page).getByRole('link', { name: 'Query' }).first().click();
      await docs(page).getByRole('link', { name: 'boards' }).waitFor();
      await banner(page).getByText('Token accepted').waitFor();
      expect(visit.requests.filter(isIntrospection)).toHaveLength(1);
      await screenshot(page, '2-schema');

      // The starting query runs with the pasted token.
      await page.locator('.graphiql-execute-button').click();
      await page.locator('.graphiql-response').getByText(BOARD).waitFor();
      await screenshot(page, '3-result');
      expectSelfContained(visit);
    }, 60_000);

    it("names a refused token, and takes one from the banner's field", async () => {
      const visit = await openPage('/graphql');
      const { page } = visit;
      const field = banner(page).getByRole('textbox', { name: 'Token' });

      await field.fill('not-a-token-of-this-hub');
      await field.press('Enter');
      await banner(page).getByText('The hub refused this token').waitFor();
      await screenshot(page, '4-refused');

      const introspected = page.waitForRequest(
        (request) =>
          isIntrospection(request) && request.headers().authorization === `Bearer ${t.adminToken}`,
      );
      await field.fill(t.adminToken);
      await banner(page).getByRole('button', { name: 'Use token' }).click();
      await introspected;
      // Docs opens by itself once the first schema has loaded, and the refusal leaves the
      // result pane.
      await page.getByRole('button', { name: 'Hide Documentation Explorer' }).waitFor();
      await docs(page).getByText('Root Types').waitFor();
      expect((await docs(page).boundingBox())?.width).toBeGreaterThan(200);
      await banner(page).getByText('Token accepted').waitFor();
      expect(await page.locator('.graphiql-response').innerText()).not.toContain('malformed');
      await screenshot(page, '5-token-field');
      expectSelfContained(visit);
    }, 60_000);
  });
});
