// Browser tests of signing in: the administrator of the demo world, whose role requires a
// second factor, signs in with the code of an authenticator app (computed here from the demo
// secret, as the app would); a wrong code is reported next to the field; and a customer user
// is kept to their own organisation.

import test, { after, before } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO_TOTP_SECRET,
  TEST_TIMEOUT_MS,
  base,
  launch,
  signIn,
  totp,
  withPage,
} from './lib/session.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test('the administrator signs in with password and authenticator code', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(browser, async (page) => {
    await signIn(page, 'claudia.hoffmann@alpha.example', '/admin/accounts');
    assert.equal(new URL(page.url()).pathname, '/sign-in/code', 'the code is asked for');

    // Before the code, nothing else opens: the access page sends back to the code.
    await page.goto(`${base}/admin/accounts`);
    assert.equal(new URL(page.url()).pathname, '/sign-in/code');

    await page.locator('#code').fill('000000' === totp(DEMO_TOTP_SECRET) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.locator('#code-error');
    await error.waitFor({ state: 'visible' });
    assert.match(await error.innerText(), /not the current code/);
    assert.equal(await page.locator('#code').getAttribute('aria-invalid'), 'true');

    await page.locator('#code').fill(totp(DEMO_TOTP_SECRET));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/admin/accounts`);
    await page.locator('h1', { hasText: 'Access' }).waitFor();
    const row = page.locator('table tbody tr', { hasText: 'david.chen@beta.example' });
    assert.match(await row.innerText(), /customer-user/);
    assert.equal(await page.getByRole('link', { name: 'Access' }).count(), 1, 'the menu offers Access');
  });
});

test('a customer user sees only their own organisation', { timeout: TEST_TIMEOUT_MS }, async () => {
  await withPage(browser, async (page) => {
    await signIn(page, 'david.chen@beta.example', '/organisations');
    const names = await page.locator('table tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(names.map((n) => n.trim()), ['Beta Technologies']);
    assert.equal(await page.getByRole('link', { name: 'Audit' }).count(), 0, 'no audit trail in the menu');
    const audit = await page.goto(`${base}/audit`);
    assert.equal(audit.status(), 403, 'and no audit trail by address either');
  });
});
