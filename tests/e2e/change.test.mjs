// Browser tests of change management: the change manager opens a change waiting for its
// assessment, sees what is missing before the next step, is refused with the rule's name when
// trying anyway, adds the fallback through the form and assesses the change.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TEST_TIMEOUT_MS, launch, signIn, withPage } from './lib/session.mjs';

// Where the screenshots for humans go; git ignores this folder.
const resultsDir = fileURLToPath(new URL('./test-results/', import.meta.url));

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('a change page says what is missing, refuses by rule, and moves once it is there', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(browser, async (page) => {
    await signIn(page, 'jonas.braun@alpha.example', '/changes?state=submitted');
    await page.getByRole('link', { name: 'Replace RAID controller of hv-de-02' }).click();
    await page.locator('h1', { hasText: 'Replace RAID controller' }).waitFor();

    const next = page.locator('#next');
    assert.match(await next.innerText(), /G5: a productive change needs a fallback procedure/);
    await next.getByRole('button', { name: 'Assess' }).click();
    const refusal = page.locator('.refusals');
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /G5/);
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}change-refused.png`, fullPage: true });

    await page.getByRole('button', { name: 'Edit' }).or(page.getByRole('link', { name: 'Edit' })).first().click();
    await page.locator('#fallback').fill('Move the VMs back and run the host on the old controller.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('h1', { hasText: 'Replace RAID controller' }).waitFor();
    await page.locator('#next').getByRole('button', { name: 'Assess' }).click();
    await page.locator('h1 .badge', { hasText: 'Assessed' }).waitFor();
    assert.match(await page.locator('#history').innerText(), /submitted → assessed/);
  });
});

test('the calendar shows the scheduled room installation and the blackout', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(browser, async (page) => {
    await signIn(page, 'maria.schmidt@alpha.example', '/changes/calendar');
    await page.locator('h1', { hasText: 'Change calendar' }).waitFor();
    await page.getByRole('link', { name: 'Later →' }).click();
    await page.waitForURL(/date=/);
    const week = await page.locator('.calendar').innerText();
    await mkdir(resultsDir, { recursive: true });
    await page.screenshot({ path: `${resultsDir}calendar.png`, fullPage: true });
    assert.match(week, /Blackout: Beta board meeting week/);
  });
});
