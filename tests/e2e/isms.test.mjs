// Browser test of the ISMS's controlled documents: the CISO writes the draft of the business
// continuity plan she has checked out, names the service manager as approver and submits it;
// the service manager approves it; the CISO publishes it; the service manager, to whom the
// plan is distributed, reads it and acknowledges it.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DEMO_TOTP_SECRET, TEST_TIMEOUT_MS, launch, signIn, totp, withPage } from './lib/session.mjs';

// Where the screenshots for humans go; git ignores this folder.
const resultsDir = fileURLToPath(new URL('./test-results/', import.meta.url));

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

// Opens version 1.0 of the business continuity plan from the register.
async function openPlan(page) {
  await page.getByRole('link', { name: 'Business continuity plan' }).click();
  await page.locator('h1', { hasText: 'Business continuity plan' }).waitFor();
  await page.locator('#versions').getByRole('link', { name: '1.0' }).click();
  await page.locator('h1', { hasText: 'version 1.0' }).waitFor();
}

test('a policy is written, approved under four eyes, published and acknowledged', { timeout: TEST_TIMEOUT_MS }, async () => {
  // The CISO stays signed in throughout (her authenticator code is taken once).
  const ines = await browser.newContext();
  ines.setDefaultTimeout(10_000);
  try {
    const page = await ines.newPage();
    await signIn(page, 'ines.kraus@alpha.example', '/isms/documents');
    await page.locator('#code').fill(totp(DEMO_TOTP_SECRET));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('h1', { hasText: 'Documents' }).waitFor();
    await openPlan(page);
    const planPath = new URL(page.url()).pathname;

    const editor = page.locator('#editor');
    const text = await editor.locator('#body').inputValue();
    await editor.locator('#body').fill(`${text}\n\n## Contacts\n\nThe crisis team meets in room 3.\n\n<script>alert(1)</script>\n`);
    await editor.locator('#change_note').fill('Adds the crisis team contacts');
    await editor.getByLabel('Maria Schmidt').check();
    await editor.getByRole('button', { name: 'Save the draft' }).click();
    await page.locator('#text', { hasText: 'The crisis team meets in room 3.' }).waitFor();
    assert.match(await page.locator('#text').innerText(), /<script>alert\(1\)<\/script>/, 'HTML is shown as text');
    assert.equal(await page.locator('#text script').count(), 0, 'and never runs');

    await page.locator('#next').getByRole('button', { name: 'Submit for review' }).click();
    await page.locator('h1 .badge', { hasText: 'In review' }).waitFor();
    assert.match(await page.locator('#next').innerText(), /four-eyes: you wrote this version/, 'the author does not approve');

    await withPage(browser, async (maria) => {
      await signIn(maria, 'maria.schmidt@alpha.example', planPath);
      await maria.locator('h1 .badge', { hasText: 'In review' }).waitFor();
      await maria.locator('#next').getByRole('button', { name: 'Approve' }).click();
      await maria.locator('h1 .badge', { hasText: 'Approved' }).waitFor();
      assert.match(await maria.locator('#approvers').innerText(), /Maria Schmidt: Approved/);
    });

    await page.reload();
    await page.locator('#next').getByRole('button', { name: 'Publish' }).click();
    await page.locator('h1 .badge', { hasText: 'Published' }).waitFor();
  } finally {
    await ines.close();
  }

  await withPage(browser, async (page) => {
    await signIn(page, 'maria.schmidt@alpha.example', '/isms/documents');
    const due = page.locator('#to-acknowledge');
    assert.match(await due.innerText(), /Business continuity plan, version 1\.0/);
    await due.getByRole('link', { name: /Business continuity plan/ }).click();
    await page.locator('#in-force', { hasText: 'The crisis team meets in room 3.' }).waitFor();
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}document-to-acknowledge.png`, fullPage: true });
    await page.getByRole('button', { name: 'I have read and accept version 1.0' }).click();
    await page.locator('#coverage').waitFor();
    assert.equal(await page.locator('#acknowledge').count(), 0, 'acknowledged: the form is gone');
    assert.match(await page.locator('#coverage').innerText(), /Acknowledged: 1 of 2/);
  });
});
