import { describe, expect, it } from 'vitest';
import { anAdminApp } from '../../support/admin-app.js';

const MINUTE = 60_000;

describe('admin session lifetime', () => {
  it('keeps a session alive while it is used and ends it after 30 idle minutes', async () => {
    const { signedIn, clock } = await anAdminApp();
    const browser = await signedIn();
    clock.advance(29 * MINUTE);
    expect((await browser.get('/admin/keys')).status).toBe(200);
    clock.advance(29 * MINUTE);
    expect((await browser.get('/admin/keys')).status).toBe(200);
    clock.advance(30 * MINUTE);
    const expired = await browser.get('/admin/keys');
    expect(expired.status).toBe(303);
    expect(expired.headers.get('location')).toBe('/admin/login');
    expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const { signedIn, clock } = await anAdminApp();
    const browser = await signedIn();
    for (let elapsed = 0; elapsed < 12 * 60 - 20; elapsed += 20) {
      clock.advance(20 * MINUTE);
      expect((await browser.get('/admin/keys')).status, `after ${elapsed + 20} minutes`).toBe(200);
    }
    clock.advance(20 * MINUTE);
    expect((await browser.get('/admin/keys')).headers.get('location')).toBe('/admin/login');
  });

  it('gives every sign-in a new session token and form token', async () => {
    const { signedIn } = await anAdminApp();
    const [a, b] = [await signedIn(), await signedIn()];
    expect(a.cookies.get('__Host-vocoeng_session')).not.toBe(b.cookies.get('__Host-vocoeng_session'));
    const tokenOf = async (browser: typeof a) => /name="_csrf" value="([^"]+)"/.exec(await (await browser.get('/admin/keys')).text())?.[1];
    expect(await tokenOf(a)).not.toBe(await tokenOf(b));
  });

  it('ignores a malformed or unknown session cookie', async () => {
    const { client } = await anAdminApp();
    const browser = client();
    for (const value of ['x', 'A'.repeat(43)]) {
      browser.cookies.set('__Host-vocoeng_session', value);
      expect((await browser.get('/admin')).headers.get('location')).toBe('/admin/login');
    }
  });
});
