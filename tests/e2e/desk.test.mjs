// Browser tests of the service desk: an agent of the demo world finds a ticket with the
// keyboard alone, and attaches a file to a reply through the form.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_TIMEOUT_MS, base, launch, signIn, withPage } from './lib/session.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('an agent finds and opens a ticket with the keyboard', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(browser, async (page) => {
    await signIn(page, 'nina.keller@alpha.example', '/desk?queue=all');
    await page.locator('h1', { hasText: 'Service desk' }).waitFor();

    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'q', '/ goes to the search');
    await page.keyboard.type('freezes');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=freezes/);

    await page.keyboard.press('j');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    assert.match(focused, /^T-\d{6}$/, 'j focuses the first ticket');
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Video freezes' }).waitFor();

    await page.keyboard.press('r');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'body', 'r goes to the reply');
    await page.keyboard.press('Escape');
    await page.locator('h1').click();
    await page.keyboard.press('?');
    const help = page.locator('#keyboard-help');
    await help.waitFor({ state: 'visible' });
    assert.match(await help.innerText(), /Write a reply/);
  });
});

test('a reply carries a file, and a refused file is named next to the field', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(browser, async (page) => {
    await signIn(page, 'nina.keller@alpha.example', '/desk?queue=all&q=freezes');
    await page.locator('a[data-row]').first().click();
    await page.locator('h1', { hasText: 'Video freezes' }).waitFor();

    await page.locator('#body').fill('A program will not do.');
    await page.locator('#attachments').setInputFiles({
      name: 'fix.exe',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from([0x4d, 0x5a, 0x90, 0x00]),
    });
    await page.getByRole('button', { name: 'Send' }).click();
    const error = page.locator('#attachments-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /fix\.exe: only images/);
    assert.equal(await page.locator('#body').inputValue(), 'A program will not do.', 'the text is kept');

    await page.locator('#body').fill('The decoder log from room 3.');
    await page.locator('#attachments').setInputFiles({
      name: 'decoder.log',
      mimeType: 'text/plain',
      buffer: Buffer.from('12:01 frame drop\n12:03 frame drop\n'),
    });
    await page.getByRole('button', { name: 'Send' }).click();
    const link = page.getByRole('link', { name: 'decoder.log' });
    await link.waitFor();
    const download = await page.request.get(`${base}${await link.getAttribute('href')}`);
    assert.equal(download.status(), 200);
    assert.equal(await download.text(), '12:01 frame drop\n12:03 frame drop\n');
  });
});
