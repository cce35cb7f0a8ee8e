// Browser tests of the people pages: a person is created through the form the way a person
// would do it, then found in the list; and a bad e-mail address is reported next to its field.
//
// The server must already run (scripts/test starts `tandem serve --demo`, whose demo world has
// the organisation "Beta Technologies" and the accounts used here) and TANDEM_BASE_URL must
// point at it. Chromium is Debian's /usr/bin/chromium, driven by playwright-core.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TEST_TIMEOUT_MS, base, launch, signIn, withPage as onPage } from './lib/session.mjs';

// Where the screenshot for humans goes; git ignores this folder.
const resultsDir = fileURLToPath(new URL('./test-results/', import.meta.url));

// A person's own page: /people/ followed by a UUID.
const detailPath = /\/people\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/?$/i;

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

// A fresh page signed in as Nina Keller, the demo world's service desk agent (who may change
// the directory), on the new-person form.
async function withPage(body) {
  await onPage(browser, async (page) => {
    await signIn(page, 'nina.keller@alpha.example', '/people/new');
    await body(page);
  });
}

// A number that no earlier run has used, so that each run creates people of its own.
function stamp() {
  return `${Date.now()}${Math.floor(Math.random() * 1000)
    .toString()
    .padStart(3, '0')}`;
}

// Sends the form with its button, found by its accessible name as a person would find it.
async function submit(page) {
  await page.getByRole('button', { name: 'Create person' }).click();
}

test('creates a person through the form and sees them in the list', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    const id = stamp();
    const name = `Ada Lovelace ${id}`;

    await page.locator('#name').fill(name);
    await page.locator('#email').fill(`ada.${id}@beta.example`);
    await page.locator('#organisation_id').selectOption({ label: 'Beta Technologies' });
    await page.locator('#job_title').fill('Telepresence coordinator');
    await submit(page);

    // After saving, the browser lands on the new person's own page, headed by their name.
    await page.waitForURL(detailPath);
    const personPath = new URL(page.url()).pathname.replace(/\/$/, '');
    await page.locator('h1', { hasText: name }).waitFor();

    // The list, filtered by the unique part of the name, shows exactly that person.
    await page.goto(`${base}/people?q=${encodeURIComponent(id)}`);
    const rows = page.locator('table tbody tr', { hasText: name });
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, `expected one row for ${name}`);
    const row = rows.first();
    const rowText = await row.innerText();
    assert.ok(rowText.includes(name), `the row should show the name; it shows: ${rowText}`);
    assert.ok(
      rowText.includes('Beta Technologies'),
      `the row should show the organisation; it shows: ${rowText}`,
    );

    // The name is a link to the person's own page.
    const link = row.getByRole('link', { name });
    assert.equal(await link.count(), 1, 'the name in the row should be a link');
    const href = await link.getAttribute('href');
    assert.ok(href, 'the link should have an href');
    assert.equal(new URL(href, page.url()).pathname.replace(/\/$/, ''), personPath);

    // For humans who want to see the page; nothing is checked on the picture.
    mkdirSync(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}people.png`, fullPage: true });
  });
});

test('shows a validation error next to the field', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(async (page) => {
    const name = `Grace Hopper ${stamp()}`;

    await page.locator('#name').fill(name);
    await page.locator('#email').fill('not-an-address');
    await page.locator('#organisation_id').selectOption({ label: 'Beta Technologies' });

    // The server, not the browser, must judge the address: if the browser's own validation
    // (type="email" without novalidate on the form) blocks the submit, no request is sent.
    const answer = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().startsWith(base),
    );
    await submit(page);
    const response = await answer.catch(async (error) => {
      const blocked = await page.locator('#email').evaluate((input) => !input.validity.valid);
      if (blocked) {
        throw new Error(
          "the browser's own form validation blocked the submit, so the server never saw it; " +
            'the form needs the novalidate attribute',
        );
      }
      throw error;
    });
    assert.ok(
      [200, 400, 422].includes(response.status()),
      `a rejected form should come back as a page (200 or 422), not HTTP ${response.status()}`,
    );

    // The error is shown next to the e-mail field and tied to it for screen readers.
    const error = page.locator('#email-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /e-mail address/);
    assert.equal(await page.locator('#email').getAttribute('aria-invalid'), 'true');

    // Still on the form, not on a new person's page, and what was typed is kept.
    assert.doesNotMatch(new URL(page.url()).pathname, detailPath);
    assert.equal(await page.locator('#name').inputValue(), name);
  });
});
