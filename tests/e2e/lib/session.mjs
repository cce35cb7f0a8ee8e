// Shared by the browser tests: the server's address, a Chromium to drive, and signing in as a
// demo account (with the authenticator code, for accounts whose role requires one).

import { createHmac } from 'node:crypto';
import { chromium } from 'playwright-core';

export const base = (process.env.TANDEM_BASE_URL ?? '').replace(/\/+$/, '');
if (!base) {
  throw new Error(
    'TANDEM_BASE_URL is not set: start a Tandem server and set it to its address, e.g. ' +
      'TANDEM_BASE_URL=http://127.0.0.1:8080 (scripts/test does both for you)',
  );
}

// The demo world's password and TOTP secret (README, "Demo accounts").
export const DEMO_PASSWORD = 'tandem-demo-2026';
export const DEMO_TOTP_SECRET = 'JBSWY3DPEHPK3PXP';

// No single step should take long on a local server; fail fast rather than hang.
export const STEP_TIMEOUT_MS = 10_000;
export const TEST_TIMEOUT_MS = 60_000;

// Debian's /usr/bin/chromium; nothing here downloads a browser. The background-networking
// flags keep Chromium from calling out to Google's services, which this machine's closed
// network would refuse, noisily, at every start.
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

// Runs `body` with a fresh page in its own browser context (own cookies), then closes it.
export async function withPage(browser, body) {
  const context = await browser.newContext();
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  const page = await context.newPage();
  try {
    await body(page);
  } finally {
    await context.close();
  }
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error(`not base32: ${c}`);
    bits += index.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

// The six-digit TOTP code (RFC 6238: HMAC-SHA-1, 30-second steps) of `secret` at `time`, the
// way an authenticator app computes it.
export function totp(secret, time = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(time / 1000 / 30)));
  const digest = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const binary =
    ((digest[offset] & 0x7f) << 24) |
    (digest[offset + 1] << 16) |
    (digest[offset + 2] << 8) |
    digest[offset + 3];
  return String(binary % 1_000_000).padStart(6, '0');
}

// Signs in as `email` through the sign-in form, starting from `path` (which sends there after
// signing in), and waits until the browser is on `path`.
export async function signIn(page, email, path = '/') {
  await page.goto(`${base}/sign-in?next=${encodeURIComponent(path)}`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in') || url.pathname === '/sign-in/code');
}
