import { describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, anAdminApp } from '../../support/admin-app.js';
import { csrfOf } from '../../support/admin-client.js';

describe('admin sign-in', () => {
  it('signs in with the right password into a __Host- session cookie and records the sign-in', async () => {
    const { client, directory, clock, logText } = await anAdminApp();
    const browser = client();
    const response = await browser.signIn(ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin');
    const cookie = browser.setCookies.find((c) => c.startsWith('__Host-vocoeng_session='))!;
    expect(cookie).toMatch(/^__Host-vocoeng_session=[A-Za-z0-9_-]{43};/);
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) expect(cookie).toContain(attribute);
    expect((await browser.get('/admin')).status).toBe(200);
    expect((await directory.findByEmail(ADMIN_EMAIL))?.lastLoginAt).toBe(clock.now());
    expect(logText()).not.toContain(ADMIN_PASSWORD);
    expect(logText()).not.toContain(ADMIN_EMAIL);
  });

  it('refuses a wrong password or an unknown e-mail with the same reason and no session', async () => {
    const { client } = await anAdminApp();
    for (const [email, password] of [
      [ADMIN_EMAIL, 'not the password'],
      ['nobody@example.org', ADMIN_PASSWORD],
    ] as const) {
      const browser = client();
      const response = await browser.signIn(email, password);
      expect(response.status).toBe(401);
      expect(await response.text()).toContain('The e-mail address or the password is wrong.');
      expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
      expect((await browser.get('/admin')).headers.get('location')).toBe('/admin/login');
    }
  });

  it('asks for both fields when one is empty', async () => {
    const { client } = await anAdminApp();
    const response = await client().signIn(ADMIN_EMAIL, '');
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Enter your e-mail address and your password.');
  });

  it('refuses a sign-in without the form token of its sign-in page', async () => {
    const { client } = await anAdminApp();
    const browser = client();
    const response = await browser.post('/admin/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('This sign-in form expired');
    expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
  });

  it('refuses every sign-in of an e-mail after 5 failures in 15 minutes, the right password included, with a clear reason', async () => {
    const { client, clock, directory } = await anAdminApp();
    for (let i = 0; i < 5; i++) expect((await client().signIn(ADMIN_EMAIL, `wrong ${i}`, { 'x-forwarded-for': `10.0.0.${i}` })).status).toBe(401);
    let lookups = 0;
    const findByEmail = directory.findByEmail.bind(directory);
    directory.findByEmail = async (email) => {
      lookups += 1;
      return findByEmail(email);
    };
    const refused = await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '10.0.1.1' });
    expect(refused.status).toBe(429);
    expect(await refused.text()).toContain('Too many failed sign-ins');
    expect(lookups).toBe(0);
    clock.advance(15 * 60_000 + 1);
    expect((await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '10.0.1.1' })).status).toBe(303);
  });

  it('refuses sign-ins from a client address after 5 failures there, whatever the e-mail', async () => {
    const { client } = await anAdminApp();
    const from = { 'x-forwarded-for': '203.0.113.7, 198.51.100.9' };
    for (let i = 0; i < 5; i++) await client().signIn(`guess-${i}@example.org`, 'password guess', from);
    expect((await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, from)).status).toBe(429);
    expect((await client().signIn(ADMIN_EMAIL, ADMIN_PASSWORD, { 'x-forwarded-for': '203.0.113.7, 198.51.100.10' })).status).toBe(303);
  });

  it('signs out: the session ends in the directory and its cookie is cleared', async () => {
    const { signedIn } = await anAdminApp();
    const browser = await signedIn();
    const stolen = browser.cookies.get('__Host-vocoeng_session')!;
    const page = await (await browser.get('/admin')).text();
    const response = await browser.post('/admin/logout', { _csrf: csrfOf(page) });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/admin/login');
    expect(browser.cookies.has('__Host-vocoeng_session')).toBe(false);
    browser.cookies.set('__Host-vocoeng_session', stolen);
    expect((await browser.get('/admin/keys')).headers.get('location')).toBe('/admin/login');
  });

  it('sends every page to the sign-in page without a session', async () => {
    const { client } = await anAdminApp();
    for (const path of ['/admin', '/admin/conversations', '/admin/channels', '/admin/keys', '/admin/users', '/admin/conversations/c_x']) {
      const response = await client().get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location')).toBe('/admin/login');
    }
  });

  it('drops the __Host- prefix and Secure only when secure cookies are turned off', async () => {
    const { client } = await anAdminApp({ secureCookies: false });
    const browser = client();
    expect((await browser.signIn(ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(303);
    const cookie = browser.setCookies.find((c) => c.startsWith('vocoeng_session='))!;
    expect(cookie).not.toContain('Secure');
    expect(cookie).toContain('HttpOnly');
    expect((await browser.get('/admin')).status).toBe(200);
  });
});
